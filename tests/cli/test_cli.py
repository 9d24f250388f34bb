"""`keras-seq` end to end, under the tests' backend (see conftest.py)."""

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.cli.conftest import BACKEND
from tests.cli.conftest import check_png
from tests.cli.conftest import keras_seq
from tests.cli.conftest import keras_seq_process
from tests.tiers import default_and_slow


def test_help_is_fast_and_imports_no_keras():
    code = (
        "import sys, contextlib, io\n"
        "from keras_seq.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in ('keras', 'keras_hub', 'tensorflow', 'jax', "
        "'torch') if m in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
    start = time.perf_counter()
    result = keras_seq_process("--help")
    assert time.perf_counter() - start < 3.0  # an interpreter start and argparse
    for command in (
        "list",
        "train",
        "evaluate",
        "predict",
        "generate",
        "attention",
        "neighbours",
    ):
        assert command in result.stdout


def test_console_script_is_declared():
    from importlib.metadata import entry_points

    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts.get("keras-seq") == "keras_seq.cli:main"


def test_list(tmp_path):
    result = keras_seq("list", cwd=tmp_path)
    assert "text_classifier" in result.stdout and "TextClassifier" in result.stdout
    assert "rotten_tomatoes" in result.stdout and "hamlet" in result.stdout
    assert "Shipped presets" in result.stdout
    assert result.stderr == ""


def test_train_writes_model_history_and_curves(text_run):
    folder, result = text_run
    assert f"backend: {BACKEND}" in result.stderr
    assert "test accuracy:" in result.stdout and "majority class" in result.stdout
    # No start-up noise from TensorFlow, XLA or absl.
    assert "oneDNN" not in result.stderr and "I0000" not in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "history.json",
        "model.keras",
        "training_curves.png",
    ]
    record = json.loads((folder / "history.json").read_text())
    assert record["completed"] and record["epochs"] == 2
    assert record["application"] == "text_classifier"
    assert record["labels"] == ["rotten", "fresh"]
    assert len(record["history"]["val_loss"]) == 2
    assert 0.0 <= record["test"]["value"] <= 1.0
    check_png(folder / "training_curves.png")


def test_train_fine_tunes_a_shipped_preset(tmp_path):
    import keras

    from keras_seq.applications import TextClassifier

    folder = tmp_path / "fine_tuned"
    result = keras_seq(
        "train",
        "--from-preset",
        "rotten_tomatoes",
        "--epochs",
        1,
        "--limit",
        64,
        "--output",
        folder,
    )
    assert "from the preset rotten_tomatoes" in result.stdout
    record = json.loads((folder / "history.json").read_text())
    assert record["completed"]
    assert record["settings"]["from_preset"] == "rotten_tomatoes"
    # The preset's own vocabulary and sizes, not a new model's.
    preset = TextClassifier.from_preset("rotten_tomatoes")
    model = keras.saving.load_model(folder / "model.keras")
    assert model.count_params() == preset.count_params()
    assert model.preprocessor.get_config() == preset.preprocessor.get_config()


def test_saved_model_loads_with_its_preprocessor(text_run):
    import keras

    import keras_seq.applications  # noqa: F401

    folder, _ = text_run
    model = keras.saving.load_model(folder / "model.keras")
    probabilities = model.predict(["a fine film"], verbose=0)
    assert probabilities.shape == (1, 2)


def test_evaluate(text_run):
    folder, _ = text_run
    result = keras_seq("evaluate", folder, "--limit", 64)
    assert "test accuracy:" in result.stdout
    assert "majority class" in result.stdout


def test_predict_texts_and_file(text_run, tmp_path):
    folder, _ = text_run
    reviews = tmp_path / "reviews.txt"
    reviews.write_text("dull and far too long\n\nwonderful\n")
    result = keras_seq("predict", folder, "a gripping film", reviews)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("'a gripping film': ")
    assert "fresh" in lines[0] and "rotten" in lines[0]


def test_predict_json(text_run):
    folder, _ = text_run
    result = keras_seq("predict", folder / "model.keras", "a gripping film", "--json")
    document = json.loads(result.stdout)
    predictions = document["results"][0]["predictions"]
    assert {p["label"] for p in predictions} == {"fresh", "rotten"}
    assert sum(p["probability"] for p in predictions) == pytest.approx(1.0, abs=1e-4)


def test_attention_text(text_run, tmp_path):
    folder, _ = text_run
    out = tmp_path / "attention.png"
    result = keras_seq("attention", folder, "a gripping film", "--output", out)
    assert "layers x 4 heads" in result.stdout
    check_png(out)


def test_neighbours(text_run, tmp_path):
    folder, _ = text_run
    out = tmp_path / "neighbours.png"
    result = keras_seq("neighbours", folder, "film", "-k", 4, "--output", out)
    rows = [line for line in result.stdout.splitlines() if line.startswith("  ")]
    assert len(rows) == 4
    similarities = [float(line.split()[-1]) for line in rows]
    assert similarities == sorted(similarities, reverse=True)
    assert all(-1.0 <= s <= 1.0 for s in similarities)
    check_png(out, min_size=(300, 150))


def test_generate_streams_the_same_text_as_one_call(language_model):
    chunked = keras_seq(
        "generate",
        language_model,
        "--prompt",
        "HAMLET",
        "--max-length",
        40,
        "--chunk",
        8,
    )
    whole = keras_seq(
        "generate",
        language_model,
        "--prompt",
        "HAMLET",
        "--max-length",
        40,
        "--chunk",
        40,
    )
    assert chunked.stdout.startswith("HAMLET")
    assert chunked.stdout == whole.stdout  # greedy: chunks change nothing


@pytest.mark.parametrize(
    "sampler", default_and_slow(["top_k", "top_p", "beam"], default={"top_k"})
)
def test_generate_samplers(language_model, sampler):
    first = keras_seq(
        "generate",
        language_model,
        "--prompt",
        "To be",
        "--max-length",
        24,
        "--sampler",
        sampler,
        "--seed",
        3,
    )
    again = keras_seq(
        "generate",
        language_model,
        "--prompt",
        "To be",
        "--max-length",
        24,
        "--sampler",
        sampler,
        "--seed",
        3,
    )
    assert first.stdout.startswith("To be")
    assert first.stdout == again.stdout  # seeded


def test_predict_next_characters(language_model):
    result = keras_seq("predict", language_model, "To be, or not to b", "--json")
    tokens = json.loads(result.stdout)["results"][0]["next_tokens"]
    assert len(tokens) == 3
    assert all(0.0 <= t["probability"] <= 1.0 for t in tokens)


def test_attention_causal(language_model, tmp_path):
    out = tmp_path / "causal.png"
    keras_seq("attention", language_model, "HAMLET", "--output", out)
    check_png(out)


def test_vit_predict_and_attention_overlay(vit_run, tmp_path):
    folder, png = vit_run
    result = keras_seq("predict", folder, png, "--json")
    predictions = json.loads(result.stdout)["results"][0]["predictions"]
    assert {p["label"] for p in predictions} <= set("0123456789")
    out = tmp_path / "overlay.png"
    keras_seq("attention", folder, png, "--output", out)
    check_png(out)


def _error(*args, cwd=None):
    result = keras_seq(*args, cwd=cwd, check=False)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    # One line, after the backend line of the commands that load Keras.
    lines = [line for line in lines if not line.startswith("backend: ")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "args, expected",
    [
        (("train", "no_such_app"), "unknown application 'no_such_app'; choose one of"),
        (("train", "--data", "mnist"), "does not fit text_classifier"),
        (("train", "--data", "nothing"), "is not a bundled data set"),
        (("train", "--epochs", "0"), "expected a positive integer, got 0"),
        (("train", "--batch-size", "many"), "expected a positive integer"),
        (("train", "--backend", "theano"), "invalid choice: 'theano'"),
        (("generate", "x", "--sampler", "random", "--prompt", "a"), "invalid choice"),
        (("predict", "missing.keras", "a text"), "no such model file: missing.keras"),
        (
            ("predict", "no_such_preset", "a text"),
            "no model or preset 'no_such_preset'",
        ),
        (
            ("train", "--from-preset", "mnist_vit"),
            "not a shipped preset of TextClassifier on rotten_tomatoes; "
            "choose one of: rotten_tomatoes",
        ),
        (
            ("train", "--from-preset", "rotten_tomato"),
            "(did you mean 'rotten_tomatoes'?)",
        ),
        (
            ("train", "vit", "--data", "digits", "--from-preset", "mnist_vit"),
            "not a shipped preset of ViT on digits; none ships for them",
        ),
        (
            ("train", "--from-preset", "rotten_tomatoes", "--tiny"),
            "--tiny builds a new model",
        ),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
        (("attention", "x", "a"), "the following arguments are required: --output"),
    ],
)
def test_usage_errors_are_one_line(args, expected, tmp_path):
    assert expected in _error(*args, cwd=tmp_path)


def test_model_errors_are_one_line(text_run, language_model, vit_run, tmp_path):
    folder, _ = text_run
    vit_folder, png = vit_run
    big = tmp_path / "big.png"
    from PIL import Image

    Image.fromarray(np.zeros((30, 40), "uint8")).save(big)
    not_image = tmp_path / "notes.md"
    not_image.write_text("hello")
    cases = [
        (("predict", vit_folder, big), "is a 30x40x1 image; this model reads 8x8x1"),
        (("predict", vit_folder, "missing.png"), "no such file: missing.png"),
        (("predict", vit_folder, not_image), "is not an image"),
        (("predict", folder, tmp_path / "missing.txt"), "no such file"),
        (("generate", folder, "--prompt", "x"), "does not generate"),
        (
            ("generate", language_model, "--prompt", "x", "--max-length", 999),
            "positions",
        ),
        (
            ("attention", folder, "a film", "--output", tmp_path / "a.jpg"),
            "must be a .png file",
        ),
        (("evaluate", folder, "--data", "hamlet"), "data set 'hamlet' does not fit"),
        (("neighbours", vit_folder, "7"), "needs a text model"),
        (("predict", tmp_path, "a"), "holds neither model.keras"),
        (("predict", not_image, "a"), "is not a .keras model file"),
    ]
    for args, expected in cases:
        assert expected in _error(*args), args


def test_output_must_be_a_folder(tmp_path):
    file = tmp_path / "file"
    file.write_text("")
    assert "is a file" in _error("train", "--output", file)


def test_python_dash_m_keras_seq_cli():
    result = subprocess.run(
        [sys.executable, "-m", "keras_seq.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    import keras_seq

    assert result.stdout.strip() == keras_seq.__version__
