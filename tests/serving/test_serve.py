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
        yield url, app.state.service


def _error(response, status):
    assert response.status_code == status, response.text
    message = response.json()["error"]
    assert "Traceback" not in message and "\n" not in message
    return message


def test_text_classifier_page_answers_as_predict(text_page):
    url, service = text_page
    model = service.model
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
    url, service = text_page
    model = service.model
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


def test_attention_map_runs_at_a_few_widths(text_page, monkeypatch):
    # A width per text length compiles the layers again each time (under
    # JAX, 1.6 GB over 40 lengths); the bucketed widths keep memory flat.
    from keras_seq.serving import attention

    _, service = text_page
    widths = set()
    scores = attention._stack_scores

    def recording(stack, x, mask):
        widths.add(x.shape[1])
        return scores(stack, x, mask)

    monkeypatch.setattr(attention, "_stack_scores", recording)
    for count in range(1, 11):
        answer = service.classify_text(" ".join(["film"] * count))
        size = len(answer["attention"]["tokens"])
        assert np.asarray(answer["attention"]["weights"]).shape == (size, size)
    assert len(widths) <= 2, sorted(widths)


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


def test_tagger_page_gives_each_steps_output():
    import keras

    app = build_app("sunspots_lstm")
    model = app.state.service.model
    series = np.linspace(20.0, 160.0, 30, dtype="float32")[:, None]
    typed = ", ".join(f"{value:g}" for value in series[:, 0])
    with running(app) as url:
        info = httpx.get(url + "/api/info", timeout=30).json()
        assert info["kind"] == "tag" and info["reads"] == "series"
        assert info["channels"] == 1 and info["sequence_length"] == 24
        answer = httpx.post(url + "/api/tag", json={"text": typed}, timeout=60).json()
        post = lambda text: httpx.post(  # noqa: E731
            url + "/api/tag", json={"text": text}, timeout=30
        )
        assert "numbers" in _error(post("50, sixty"), 422)
        assert "finite" in _error(post("50 nan"), 422)
        assert "empty" in _error(post(" "), 422)
        assert "does not classify text" in _error(
            httpx.post(url + "/api/classify", json={"text": "1"}, timeout=30), 422
        )
    # Longer than the window: its last 24 steps, as `keras-seq predict` reads.
    assert answer["note"].startswith("30 steps; this model reads at most 24")
    window = series[-24:]
    expected = keras.ops.convert_to_numpy(
        model(model.preprocessor([window]), training=False)
    )[0, :, 0]
    got = [step["output"] for step in answer["steps"]]
    shown = [step["input"] for step in answer["steps"]]
    assert shown == [f"{value:g}" for value in window[:, 0]]
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-3)
    assert answer["next"] == got[-1]


def test_a_series_is_read_a_step_of_channels_at_a_time():
    from keras_seq.serving.errors import BadInput
    from keras_seq.serving.service import numbers as _numbers

    np.testing.assert_array_equal(_numbers("1, 2\n3 4", 2), [[1, 2], [3, 4]])
    with pytest.raises(BadInput, match="3 numbers; this model reads 2 a step"):
        _numbers("1 2 3", 2)


@default_under("torch")  # 2 s there; 30 s (two generate compilations) elsewhere
def test_captioner_page_captions_an_upload():
    from PIL import Image

    from keras_seq.datasets import digit_captions

    app = build_app("digit_captions")
    model = app.state.service.model
    images, _ = digit_captions.load_data("test")
    png = io.BytesIO()
    Image.fromarray(images[0][..., 0]).save(png, format="PNG")
    upload = {"file": ("number.png", png.getvalue(), "image/png")}
    with running(app) as url:
        info = httpx.get(url + "/api/info", timeout=30).json()
        assert info["kind"] == "caption" and info["image_shape"] == [28, 84, 1]
        assert "greedy" in info["samplers"]
        form = {"sampler": "greedy", "seed": "3"}
        with httpx.stream(
            "POST", url + "/api/caption", files=upload, data=form, timeout=120
        ) as response:
            assert response.status_code == 200, response.read()
            caption = "".join(response.iter_text())
        post = lambda **kw: httpx.post(url + "/api/caption", timeout=30, **kw)  # noqa: E731
        notes = {"file": ("notes.txt", b"hello", "text/plain")}
        assert "not an image" in _error(post(files=notes), 422)
        assert "no `file`" in _error(post(data=form), 422)
        assert "seed" in _error(post(files=upload, data={"seed": "x"}), 422)
        assert "unknown sampler" in _error(
            post(files=upload, data={"sampler": "nonsense"}), 422
        )
        assert "does not generate from text" in _error(
            httpx.post(url + "/api/generate", json={"prompt": "a"}, timeout=30), 422
        )
    assert caption == model.generate(images[:1], sampler="greedy")[0]


def test_text_tagger_page_tags_each_token(tmp_path):
    from keras_seq import applications
    from keras_seq.preprocessing import TextClassifierPreprocessor
    from tests.serving.exportable import word_piece_tokenizer

    tokenizer = word_piece_tokenizer()
    tagger = applications.SequenceTagger(
        3,
        vocabulary_size=tokenizer.vocabulary_size(),
        max_length=16,
        num_layers=1,
        hidden_dim=16,
        intermediate_dim=16,
        preprocessor=TextClassifierPreprocessor(tokenizer, sequence_length=16),
    )
    path = tmp_path / "tagger.keras"
    tagger.save(path)
    app = build_app(str(path))
    text = "a gripping, funny film"
    with running(app) as url:
        assert httpx.get(url + "/api/info", timeout=30).json()["reads"] == "text"
        answer = httpx.post(url + "/api/tag", json={"text": text}, timeout=60).json()
    steps = answer["steps"]
    assert [step["input"] for step in steps] == ["a", "gripping", ",", "funny", "film"]
    expected = tagger.predict([text], verbose=0)[0, : len(steps)].argmax(-1)
    assert [step["output"] for step in steps] == [f"class {i}" for i in expected]
