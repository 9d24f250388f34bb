"""The web application of `keras-seq serve`: FastAPI routes around a model service.

FastAPI (on Starlette, served by uvicorn) gives request parsing, uploads,
streaming responses and a test client without hand-written HTTP; Gradio
would bring a front-end framework many times the size of this page. The
model itself stays behind `service` (a `keras_seq.serving.service.Service`,
which `keras-seq serve` builds), so this module imports no model code:

- `info()`: a dict for the page (builder, kind, labels, card, samplers);
- `classify_text(text)` and `classify_image(image)`: a dict of
  predictions and attention;
- `tag(text)`: a dict of each step's input and output;
- `generate(prompt, sampler, max_length, seed)`: an iterator of text
  pieces (the prompt is a string, or an image for a captioner).

Every failure reaches the page as `{"error": message}` with a 4xx (the
input) or 500 (anything else, logged here, never sent as a traceback)
status; one model call runs at a time (a lock), and a request that waits
too long for it is told the server is busy.
"""

import logging
import threading

from fastapi import FastAPI
from fastapi import Request
from fastapi import UploadFile
from fastapi.responses import HTMLResponse
from fastapi.responses import JSONResponse
from fastapi.responses import StreamingResponse

from keras_seq.serving.errors import BadInput
from keras_seq.serving.images import decode_image
from keras_seq.serving.page import PAGE

# A review is at most a few thousand characters; 10 MB of text is refused
# before it is read.
MAX_TEXT = 5_000
MAX_BODY = 2_000_000
WAIT_SECONDS = 60

_LOG = logging.getLogger("keras_seq.serving")


def _error(status, message):
    return JSONResponse({"error": message}, status_code=status)


def _text(value, name="text"):
    if not isinstance(value, str):
        raise BadInput(f"`{name}` must be a string")
    if not value.strip():
        raise BadInput(f"the {name} is empty: type something first")
    if len(value) > MAX_TEXT:
        raise BadInput(
            f"the {name} is {len(value):,} characters; the page takes at most "
            f"{MAX_TEXT:,}"
        )
    return value


def create_app(service):
    """The FastAPI application serving `service` (see the module docstring)."""
    app = FastAPI(title="keras-seq", docs_url=None, redoc_url=None)
    app.state.service = service
    lock = threading.Lock()
    info = service.info()

    def locked(function, *args):
        acquire()
        try:
            return function(*args)
        finally:
            lock.release()

    def acquire():
        if not lock.acquire(timeout=WAIT_SECONDS):
            raise BadInput("the model is busy with other requests: try again")

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY:
            return _error(
                413, f"the request is {int(length):,} bytes; at most {MAX_BODY:,}"
            )
        try:
            return await call_next(request)
        except Exception as error:  # never a traceback on the page
            _LOG.exception("request failed")
            return _error(500, f"internal error: {type(error).__name__}")

    @app.exception_handler(BadInput)
    async def bad_input(request, error):
        return _error(422, str(error))

    @app.exception_handler(Exception)
    async def failed(request, error):
        _LOG.exception("request failed")
        return _error(500, f"internal error: {type(error).__name__}")

    @app.get("/", response_class=HTMLResponse)
    def page():
        return PAGE

    @app.get("/api/info")
    def get_info():
        return info

    @app.post("/api/classify")
    async def classify(request: Request):
        if info["kind"] != "text":
            raise BadInput(f"this {info['builder']} does not classify text")
        body = await _json(request)
        text = _text(body.get("text"))
        return await _in_thread(locked, service.classify_text, text)

    @app.post("/api/classify_image")
    async def classify_image(file: UploadFile):
        if info["kind"] != "image":
            raise BadInput(f"this {info['builder']} does not classify images")
        data = await file.read()
        image = decode_image(data, info["image_shape"])
        return await _in_thread(locked, service.classify_image, image)

    @app.post("/api/tag")
    async def tag(request: Request):
        if info["kind"] != "tag":
            raise BadInput(f"this {info['builder']} does not tag sequences")
        body = await _json(request)
        text = _text(body.get("text"))
        return await _in_thread(locked, service.tag, text)

    @app.post("/api/generate")
    async def generate(request: Request):
        if info["kind"] != "generate":
            raise BadInput(f"this {info['builder']} does not generate from text")
        body = await _json(request)
        prompt = _text(body.get("prompt"), "prompt")
        return await streamed(prompt, *_settings(info, body))

    @app.post("/api/caption")
    async def caption(request: Request):
        if info["kind"] != "caption":
            raise BadInput(f"this {info['builder']} does not caption images")
        form = await request.form()
        file = form.get("file")
        if not hasattr(file, "read"):
            raise BadInput("the request has no `file`: upload a PNG or JPEG image")
        image = decode_image(await file.read(), info["image_shape"])
        return await streamed(image, *_settings(info, form))

    async def streamed(prompt, sampler, max_length, seed):
        """The generated text as it grows; a refused prompt is a 422."""
        # Waited for in a thread: the event loop keeps sending other streams.
        await _in_thread(acquire)
        try:
            pieces = service.generate(prompt, sampler, max_length, seed)
            # The first piece is made here, so a refused prompt is a 422.
            first = await _in_thread(next, pieces, "")
        except BaseException:
            lock.release()
            raise

        def stream():
            try:
                yield first
                yield from pieces
            except Exception as error:
                _LOG.exception("generation failed")
                yield f"\n[error: {type(error).__name__}]"
            finally:
                lock.release()

        return StreamingResponse(stream(), media_type="text/plain; charset=utf-8")

    return app


def _integer(value, name):
    """An int from JSON (an int) or a form (its digits); BadInput otherwise."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise BadInput(f"`{name}` must be an integer. Received: {name}={value!r}")


def _settings(info, body):
    """`(sampler, max_length, seed)` of a generation request, checked."""
    sampler = body.get("sampler") or None
    if sampler is not None and sampler not in info["samplers"]:
        raise BadInput(
            f"unknown sampler {sampler!r}: one of {', '.join(info['samplers'])}"
        )
    max_length = body.get("max_length") or None
    if max_length is not None:
        max_length = _integer(max_length, "max_length")
        if max_length < 1:
            raise BadInput("`max_length` must be a positive integer")
    seed = _integer(body.get("seed", 0), "seed")
    if not 0 <= seed < 2**32:
        raise BadInput("`seed` must be an integer from 0 to 2**32 - 1")
    return sampler, max_length, seed


async def _json(request):
    try:
        body = await request.json()
    except ValueError:
        raise BadInput("the request body must be JSON") from None
    if not isinstance(body, dict):
        raise BadInput("the request body must be a JSON object")
    return body


async def _in_thread(function, *args):
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)
