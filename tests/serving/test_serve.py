"""`keras-seq serve`'s page through a real uvicorn server on 127.0.0.1: every
endpoint, the answers against `predict`/`generate`, and bad inputs as messages."""

import concurrent.futures
import io

import httpx
import numpy as np
import pytest

from keras_seq.cli.serve import build_app
from tests.serving import default_under
from tests.serving.server import running


@pytest.fixture(scope="module")
def text_page():
    app = build_app("rotten_tomatoes")
    with running(app) as url:
        yield url, app.state.service.model


def _error(response, status):
    assert response.status_code == status, response.text
    message = response.json()["error"]
    assert "Traceback" not in message and "\n" not in message
    return message


def test_text_classifier_page_answers_as_predict(text_page):
    url, model = text_page
    page = httpx.get(url + "/", timeout=30)
    assert page.status_code == 200 and "<canvas" in page.text
    info = httpx.get(url + "/api/info", timeout=30).json()
    assert info["kind"] == "text" and info["builder"] == "TextClassifier"
    assert "accuracy" in info["card"]["metric"] and info["card"]["baseline"]
    text = "a gripping, funny and moving film"
    answer = httpx.post(url + "/api/classify", json={"text": text}, timeout=60).json()
    expected = model.predict([text], verbose=0)[0]
    got = {p["label"]: p["probability"] for p in answer["predictions"]}
    labels = info["labels"]
    np.testing.assert_allclose([got[label] for label in labels], expected, atol=1e-6)
    assert answer["predictions"][0]["label"] == labels[int(expected.argmax())]
    attention = answer["attention"]
    size = len(attention["tokens"])
    assert np.asarray(attention["weights"]).shape == (size, size)
    np.testing.assert_allclose(np.sum(attention["weights"], axis=1), 1, atol=1e-2)


def test_bad_inputs_are_messages_and_the_server_lives(text_page):
    url, _ = text_page
    post = lambda path, **kw: httpx.post(url + path, timeout=60, **kw)  # noqa: E731
    assert "empty" in _error(post("/api/classify", json={"text": "  "}), 422)
    assert "at most" in _error(post("/api/classify", json={"text": "x" * 10**7}), 413)
    assert "5,000" in _error(post("/api/classify", json={"text": "x" * 6000}), 422)
    assert "JSON" in _error(post("/api/classify", content=b"not json"), 422)
    assert "object" in _error(post("/api/classify", json=["a", "b"]), 422)
    assert "string" in _error(post("/api/classify", json={"text": 5}), 422)
    upload = {"file": ("a.png", b"\x89PNG", "image/png")}
    assert "does not classify images" in _error(
        post("/api/classify_image", files=upload), 422
    )
    assert "does not generate" in _error(
        post("/api/generate", json={"prompt": "a"}), 422
    )
    assert httpx.get(url + "/api/info", timeout=30).status_code == 200


def test_concurrent_requests_all_answer(text_page):
    url, model = text_page
    # Up to 8 tokens: one length bucket, traced once (JAX compiles per shape).
    texts = [f"film {i} {'good ' * (i % 3)}" for i in range(16)]

    def ask(text):
        with httpx.Client(timeout=120) as client:
            return client.post(url + "/api/classify", json={"text": text})

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(ask, texts))
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    expected = model.predict(texts, verbose=0).max(axis=1)
    got = [r.json()["predictions"][0]["probability"] for r in responses]
    np.testing.assert_allclose(got, expected, atol=1e-5)


@default_under("tensorflow")
def test_vit_page_takes_uploads_and_refuses_other_files():
    from PIL import Image

    from keras_seq.datasets import mnist

    app = build_app("mnist_vit")
    model = app.state.service.model
    images, _ = mnist.load_data("test")
    png = io.BytesIO()
    Image.fromarray(images[0][..., 0]).save(png, format="PNG")
    with running(app) as url:
        info = httpx.get(url + "/api/info", timeout=30).json()
        assert info["kind"] == "image" and info["image_shape"] == [28, 28, 1]
        answer = httpx.post(
            url + "/api/classify_image",
            files={"file": ("digit.png", png.getvalue(), "image/png")},
            timeout=60,
        ).json()
        expected = model.predict(images[:1], verbose=0)[0]
        top = answer["predictions"][0]
        assert top["label"] == info["labels"][int(expected.argmax())]
        assert top["probability"] == pytest.approx(float(expected.max()), abs=1e-5)
        assert np.asarray(answer["attention"]["weights"]).shape == (4, 4)
        for name, data in [("notes.txt", b"hello"), ("empty.png", b"")]:
            response = httpx.post(
                url + "/api/classify_image",
                files={"file": (name, data, "text/plain")},
                timeout=30,
            )
            assert "image" in _error(response, 422)
        assert httpx.get(url + "/api/info", timeout=30).status_code == 200


@default_under("torch")
def test_generation_streams_what_generate_gives():
    app = build_app("hamlet_char_lm")
    model = app.state.service.model
    with running(app) as url:
        info = httpx.get(url + "/api/info", timeout=30).json()
        assert info["kind"] == "generate" and "greedy" in info["samplers"]
        body = {"prompt": "HAMLET", "sampler": "greedy", "max_length": 24}
        pieces = []
        with httpx.stream("POST", url + "/api/generate", json=body, timeout=120) as r:
            assert r.status_code == 200
            pieces = list(r.iter_text())
        expected = model.generate("HAMLET", max_length=24, sampler="greedy")
        assert "".join(pieces) == expected
        bad = {"prompt": "HAMLET", "sampler": "nonsense"}
        assert "unknown sampler" in _error(
            httpx.post(url + "/api/generate", json=bad, timeout=30), 422
        )
        long = {"prompt": "x" * 4000}
        assert "tokens" in _error(
            httpx.post(url + "/api/generate", json=long, timeout=30), 422
        )
