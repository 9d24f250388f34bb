"""`keras-seq serve`: a local web page to try a model (needs keras-seq[serve]).

The page (keras_seq.serving) shows, beside the model card: for a text
classifier, the label, the probabilities and the last layer's attention
between the tokens; for a ViT, a canvas to draw a digit on (or an image
to upload), the probabilities and the class token's attention over the
patches; for a language model or a translator, the output streamed as it
is produced, with the sampler and its settings; for an image captioner,
the same canvas or upload and its caption; for a sequence tagger, a text
or a typed series and the output at every step. This module is the model
side of the page: `Service` answers the page's requests with the same
code as `predict`, `attention` and `generate`.

It listens on 127.0.0.1 only; another `--host` is reachable from the
network, and the command says so.
"""

import os
import sys

from keras_seq.cli import models
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
from keras_seq.cli.errors import one_line
from keras_seq.cli.files import HISTORY_FILE
from keras_seq.cli.files import read_json
from keras_seq.cli.predict import input_kind
from keras_seq.cli.tokens import token_text

_LOCAL = ("127.0.0.1", "localhost", "::1")
_TOP = 10
_STREAMERS_KEPT = 4


def _kind(model):
    from keras_seq.models import GenerativeTask

    builder = type(model).__name__
    if isinstance(model, GenerativeTask):
        return "caption" if builder == "ImageCaptioner" else "generate"
    if builder == "SequenceTagger":
        return "tag"
    return input_kind(model.preprocessor)


def _card(reference, loaded):
    """What the page shows beside the model: description, data, metric, baseline."""
    from keras_seq.presets import preset as preset_format

    card = {"builder": loaded.builder, "data set": loaded.dataset or "unknown"}
    try:
        metadata = preset_format.read_metadata(reference)
    except (ValueError, OSError, TypeError):
        metadata = None
    if metadata:
        card["description"] = metadata.get("description", "")
        metric = metadata.get("metric") or {}
        if metric:
            card["metric"] = (
                f"{metric.get('name')} {metric.get('value')} on the "
                f"{metric.get('split')} split ({metric.get('examples')} examples)"
            )
        baseline = metadata.get("baseline") or {}
        if baseline:
            card["baseline"] = f"{baseline.get('name')}: {baseline.get('value')}"
        return card
    folder = os.path.dirname(loaded.source)
    record = read_json(os.path.join(folder, HISTORY_FILE)) or {}
    for name, value in sorted((record.get("test") or {}).items()):
        card[f"test {name}"] = value
    return card


class Service:
    """Answers the page's requests for one loaded model.

    Args:
        reference: MODEL_OR_PRESET as given.
        loaded: the `models.Loaded` model.
    """

    def __init__(self, reference, loaded):
        self.loaded = loaded
        self.model = loaded.model
        self.preprocessor = models.require_preprocessor(loaded, "serve")
        self.kind = _kind(self.model)
        self.reference = reference
        self._streamers = {}

    def info(self):
        import keras

        from keras_seq.generation import SAMPLERS

        info = {
            "builder": self.loaded.builder,
            "source": self.loaded.source,
            "backend": keras.backend.backend(),
            "kind": self.kind,
            "labels": self.loaded.labels,
            "card": _card(self.reference, self.loaded),
        }
        if self.kind in ("image", "caption"):
            images = getattr(self.preprocessor, "image_preprocessor", self.preprocessor)
            info["image_shape"] = list(images.image_shape)
        if self.kind == "tag":
            info["reads"] = input_kind(self.preprocessor)
            if info["reads"] == "series":
                info["channels"] = int(self.preprocessor.channels)
                info["sequence_length"] = int(self.preprocessor.sequence_length)
        if self.kind in ("generate", "caption"):
            sampler = self.model.sampler
            info["samplers"] = list(SAMPLERS)
            info["default_sampler"] = (
                sampler if isinstance(sampler, str) else (type(sampler).__name__)
            )
            info["max_length"] = int(self.model.max_length)
            info["example_prompt"] = "HAMLET" if self.loaded.dataset == "hamlet" else ""
        return info

    def _predictions(self, row):
        import numpy as np

        order = np.argsort(-row)[:_TOP]
        return [
            {"label": self.loaded.label(int(i)), "probability": float(row[i])}
            for i in order
        ]

    def classify_text(self, text):
        from keras_seq.cli import attention

        row = self._predict([text])
        result = {"predictions": self._predictions(row), "attention": None}
        if self.loaded.builder in attention.SUPPORTED:
            scores, tokens = attention._text_scores(self.loaded, text)
            result["attention"] = {
                "title": f"attention of the last layer (mean of "
                f"{scores[-1].shape[0]} heads), rows attend to columns",
                "tokens": tokens,
                "weights": scores[-1].mean(axis=0).round(4).tolist(),
            }
        return result

    def classify_image(self, image):
        from keras_seq.cli import attention

        row = self._predict(image[None])
        result = {"predictions": self._predictions(row), "attention": None}
        if (
            self.loaded.builder == "ViT"
            and self.model.get_layer("embedding").class_token
        ):
            maps = attention._image_scores(self.loaded, image)
            result["attention"] = {
                "title": f"class token's attention over the patches, last layer "
                f"(mean of {maps[-1].shape[0]} heads)",
                "tokens": None,
                "weights": maps[-1].mean(axis=0).round(4).tolist(),
            }
        return result

    def tag(self, text):
        """A tagger's label or value at every real step of `text`.

        A series is given as numbers, `channels` a step, separated by
        commas, spaces or new lines; one longer than the model reads is cut
        to its last steps (as `keras-seq predict` does), with a note.
        """
        from keras_seq.cli import predict
        from keras_seq.serving.errors import BadInput

        result = {"note": None}
        if input_kind(self.preprocessor) == "series":
            series = _numbers(text, self.preprocessor.channels)
            limit = self.preprocessor.sequence_length
            if len(series) > limit:
                result["note"] = (
                    f"{len(series)} steps; this model reads at most {limit}: "
                    f"the last {limit} were read"
                )
                series = series[-limit:]
            steps = [" ".join(f"{v:g}" for v in step) for step in series]
            inputs = [series]
        else:
            ids = self._preprocess([text])
            tokenizer = models.text_tokenizer(self.preprocessor)
            steps = [token_text(tokenizer, int(i)) for i in ids[0] if i != 0]
            inputs = [text]
        try:
            answer = predict._tag(self.loaded, inputs)[0]
        except (ValueError, TypeError) as error:
            raise BadInput(one_line(error)) from None
        if "labels" in answer:
            outputs = answer["labels"]
        else:
            outputs = [round(value, 4) for value in answer["outputs"]]
        result["steps"] = [
            {"input": step, "output": output} for step, output in zip(steps, outputs)
        ]
        if "next" in answer:
            result["next"] = round(answer["next"], 4)
        return result

    def _preprocess(self, inputs):
        from keras_seq.serving.errors import BadInput

        try:
            return self.preprocessor(inputs)
        except (ValueError, TypeError) as error:
            raise BadInput(one_line(error)) from None

    def _predict(self, inputs):
        from keras_seq.serving.errors import BadInput

        try:
            return self.model.predict(inputs, verbose=0)[0]
        except (ValueError, TypeError, UsageError) as error:
            raise BadInput(one_line(error)) from None

    def generate(self, prompt, sampler, max_length, seed):
        """Yields the text as it grows (the whole text at once for beam or seq2seq)."""
        import keras
        import numpy as np

        from keras_seq.cli import generate as command
        from keras_seq.serving.errors import BadInput

        model = self.model
        try:
            max_length = command._limit(model, max_length)
            name = sampler or model.sampler
            beam = name == "beam" or type(name).__name__ == "BeamSampler"
            keras.utils.set_random_seed(seed)
            if model.encoder_decoder or beam:
                if model.encoder_decoder:
                    command._check_source(self.preprocessor, prompt)
                else:
                    command._check_prompt(self.preprocessor, prompt, max_length, True)
                options = {"max_length": max_length}
                if sampler is not None:
                    options["sampler"] = command.seeded_sampler(sampler, seed)
                yield model.generate([prompt], **options)[0]
                return
            ids = command._check_prompt(self.preprocessor, prompt, max_length, True)
        except (UsageError, ValueError) as error:
            raise BadInput(one_line(error)) from None
        streamer = self._streamer(name, seed, max_length)
        tokens = [int(i) for i in ids[0]]
        shown = self.preprocessor.generate_postprocess(np.asarray([tokens]))[0]
        yield shown
        for token in streamer.tokens(ids, self.preprocessor.end_token_id):
            tokens.append(token)
            text = self.preprocessor.generate_postprocess(np.asarray([tokens]))[0]
            common = len(shown) if text.startswith(shown) else 0
            if text[common:]:
                yield text[common:]
            shown = text

    def _streamer(self, name, seed, max_length):
        """A compiled decode step per sampler, seed and length (a few kept)."""
        from keras_seq.cli import generate as command

        key = (str(name), seed, max_length)
        if key not in self._streamers:
            if len(self._streamers) >= _STREAMERS_KEPT:
                self._streamers.pop(next(iter(self._streamers)))
            sampler = command.seeded_sampler(name, seed)
            self._streamers[key] = command.Streamer(self.model, sampler, max_length)
        return self._streamers[key]


def _numbers(text, channels):
    """A `(steps, channels)` float32 series from numbers typed on the page."""
    import numpy as np

    from keras_seq.serving.errors import BadInput

    words = text.replace(",", " ").split()
    try:
        values = np.array([float(word) for word in words], "float32")
    except ValueError as error:
        raise BadInput(
            f"the series must be numbers separated by commas or spaces: {error}"
        ) from None
    if not np.isfinite(values).all():
        raise BadInput("the series must be finite numbers (no nan or inf)")
    if len(values) % channels:
        raise BadInput(
            f"the series has {len(values)} numbers; this model reads {channels} "
            "a step: give a multiple of that"
        )
    return values.reshape(-1, channels)


def build_app(reference):
    """The FastAPI application for MODEL_OR_PRESET (tests call this)."""
    try:
        from keras_seq.serving.app import create_app
    except ImportError as error:
        raise UsageError(
            f'serve needs the serve extra (pip install "keras-seq[serve]"): '
            f"{one_line(error)}"
        ) from None
    loaded = models.load(reference)
    return create_app(Service(reference, loaded))


def _listening_socket(host, port):
    """A bound socket on `host:port` (0: a free port); a UsageError if taken."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    return sock


def run(args):
    if args.host not in _LOCAL:
        say(
            f"warning: --host {args.host} makes the page reachable from other "
            "machines; it has no authentication"
        )
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: give a port from 0 to 65535")
    sock = _listening_socket(args.host, args.port)
    app = build_app(args.model)
    import keras
    import uvicorn

    say(f"backend: {keras.backend.backend()}")
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"serving on http://{host}:{port} (Ctrl-C stops)", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])
    sys.stdout.flush()
    return 0
