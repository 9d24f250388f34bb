"""The command's answers on the shipped presets and on finished runs (issue 26).

Each test here failed before its fix: a traceback where one line was due,
special tokens listed as neighbours, a finished model overwritten, a
forecast cut off, a prompt cut silently, generation recompiled per chunk,
`list` importing a backend.
"""

import json
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.cli.conftest import BACKEND
from tests.cli.conftest import check_png
from tests.cli.conftest import environment
from tests.cli.conftest import keras_seq


def _error(*args, cwd=None):
    result = keras_seq(*args, cwd=cwd, check=False)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [
        line
        for line in result.stderr.strip().splitlines()
        if not line.startswith("backend: ")
    ]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def _fresh_python(code):
    """Runs `code` in a new interpreter; its stdout."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=environment(),
    ).stdout


_HEAVY = "('keras', 'keras_hub', 'tensorflow', 'jax', 'torch')"


# Point 11: `list` reads the registry and the metadata, no backend.
def test_list_imports_no_backend_and_is_fast():
    code = (
        "import sys, time, contextlib, io\n"
        "start = time.perf_counter()\n"
        "from keras_seq.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['list'])\n"
        "print(time.perf_counter() - start)\n"
        f"print(sorted(m for m in {_HEAVY} if m in sys.modules))\n"
    )
    seconds, loaded = _fresh_python(code).strip().splitlines()
    assert loaded == "[]"
    assert float(seconds) < 2.0


def test_list_shows_the_figures_of_the_presets_metadata(tmp_path):
    from keras_seq.applications import list_presets
    from keras_seq.cli import listing

    rows = listing.preset_rows()
    assert rows == [
        {
            "name": info.name,
            "builder": info.builder,
            "dataset": info.dataset,
            "metric": info.metric,
            "value": info.value,
            "split": info.split,
            "baseline": info.baseline,
            "baseline_value": info.baseline_value,
            "size_bytes": info.size_bytes,
        }
        for info in list_presets()
    ]
    printed = keras_seq("list", cwd=tmp_path).stdout
    printed = printed.split("Shipped presets")[1].splitlines()
    for info in list_presets():
        line = next(line for line in printed if line.split()[:1] == [info.name])
        assert f"{info.value:.3f}" in line and f"{info.baseline_value:.3f}" in line


# Point 10: a misspelled preset is told before Keras loads, with the closest name.
def test_misspelled_preset_is_reported_before_keras_loads():
    code = (
        "import sys, contextlib, io\n"
        "from keras_seq.cli import main\n"
        "stderr = io.StringIO()\n"
        "with contextlib.redirect_stderr(stderr):\n"
        "    status = main(['predict', 'rotten_tomatos', 'a film'])\n"
        "print(status)\n"
        "print(stderr.getvalue().strip())\n"
        f"print(sorted(m for m in {_HEAVY} if m in sys.modules))\n"
    )
    status, message, loaded = _fresh_python(code).strip().splitlines()
    assert status == "2"
    assert "no model or preset 'rotten_tomatos'" in message
    assert "did you mean 'rotten_tomatoes'?" in message
    assert loaded == "[]"


# Point 10: seeds out of NumPy's range, wording, help with defaults.
@pytest.mark.parametrize("command", [("train",), ("generate", "x", "--prompt", "a")])
@pytest.mark.parametrize("seed", ["-1", "99999999999"])
def test_seed_out_of_range_is_one_line(command, seed, tmp_path):
    message = _error(*command, "--seed", seed, cwd=tmp_path)
    assert f"expected an integer from 0 to {2**32 - 1}, got {seed}" in message


@pytest.mark.parametrize(
    "command, expected",
    [
        ("train", ["--epochs N", "default: APP's", "--seed N", "(default: 0)"]),
        ("train", ["--batch-size N", "--overwrite"]),
        ("generate", ["the model's own", "top_k", "greedy", "(default: 0)"]),
        ("neighbours", ["-k N", "(default: 10"]),
    ],
)
def test_help_names_each_option_and_its_default(command, expected):
    result = keras_seq(command, "--help", check=False)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for piece in expected:
        assert piece in text, piece


def test_series_wording(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("1 2 3")
    message = _error("predict", "sunspots_lstm", notes)
    assert "this model reads series, given as .npy files" in message


# Point 5: neighbours and attention on a WordPiece classifier; special tokens.
@pytest.mark.parametrize(
    "preset, word", [("rotten_tomatoes", "good"), ("rotten_tomatoes_lstm", "film")]
)
def test_neighbours_of_a_classifier_preset(preset, word):
    result = keras_seq("neighbours", preset, word, "-k", 5)
    rows = [line.split() for line in result.stdout.splitlines() if line[:2] == "  "]
    assert len(rows) == 5
    tokens = [row[0].strip("'\"") for row in rows]
    assert not {"[PAD]", "[UNK]", "<pad>"} & set(tokens)
    assert all(-1.0 <= float(row[-1]) <= 1.0 for row in rows)


def test_attention_of_a_classifier_preset(tmp_path):
    out = tmp_path / "attention.png"
    result = keras_seq(
        "attention", "rotten_tomatoes", "a gripping film", "--output", out
    )
    assert "3 x 3 tokens" in result.stdout or "4 x 4 tokens" in result.stdout
    check_png(out)


def test_neighbours_k_past_the_vocabulary_is_capped():
    result = keras_seq("neighbours", "hamlet_char_lm", "a", "-k", 100000)
    rows = [line.split() for line in result.stdout.splitlines() if line[:2] == "  "]
    assert "-k 100000: the vocabulary has" in result.stderr
    assert f"showing all {len(rows)}" in result.stderr
    tokens = [row[0] for row in rows]
    assert not {"'<pad>'", "'<start>'", "'<end>'"} & set(tokens)
    similarities = [float(row[-1]) for row in rows]
    assert all(np.isfinite(similarities)) and all(-1 <= s <= 1 for s in similarities)
    assert all(len(eval(token)) and eval(token).isprintable() for token in tokens)


# Point 6: a finished model is never overwritten silently.
def _model_stamp(folder):
    path = folder / "model.keras"
    return path.stat().st_mtime_ns, path.read_bytes()


def test_resume_of_a_finished_run_says_it_is_complete(text_run):
    folder, _ = text_run
    before = _model_stamp(folder)
    result = keras_seq(
        "train", "--tiny", "--limit", 96, "--epochs", 2, "--output", folder, "--resume"
    )
    assert "already complete" in result.stdout
    assert "training" not in result.stdout
    assert _model_stamp(folder) == before


def test_finished_run_of_another_application_is_refused(text_run):
    folder, _ = text_run
    before = _model_stamp(folder)
    for extra in (["--resume"], [], ["--resume", "--overwrite"]):
        message = _error("train", "causal_lm", "--tiny", "--output", folder, *extra)
        assert "holds the finished model of text_classifier on rotten_tomatoes" in (
            message
        )
    assert _model_stamp(folder) == before


def test_a_new_run_over_a_finished_one_needs_overwrite(text_run, tmp_path):
    folder, _ = text_run
    message = _error("train", "--tiny", "--limit", 64, "--output", folder)
    assert "pass --overwrite to replace it" in message
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    result = keras_seq(
        "train", "--tiny", "--limit", 64, "--epochs", 1, "--output", copy, "--overwrite"
    )
    assert "replacing the finished model of text_classifier" in result.stderr
    assert "up to 1 epoch of" in result.stdout
    assert json.loads((copy / "history.json").read_text())["epochs"] == 1


def test_a_model_no_run_wrote_is_not_replaced(tmp_path):
    (tmp_path / "model.keras").write_bytes(b"mine")
    message = _error("train", "--output", tmp_path, "--resume")
    assert "a model that `keras-seq train` did not write" in message
    assert (tmp_path / "model.keras").read_bytes() == b"mine"


# Point 7: a forecaster's outputs are its real steps; the next one is named.
def test_predict_series_shorter_and_longer_than_the_window(tmp_path):
    import keras

    from keras_seq.applications import SequenceTagger
    from keras_seq.datasets import sunspots

    short, long = tmp_path / "short.npy", tmp_path / "long.npy"
    np.save(short, np.array([[50.0], [60.0], [70.0]], "float32"))
    series = np.linspace(0.0, 150.0, 120, dtype="float32")[:, None]
    np.save(long, series)
    result = keras_seq("predict", "sunspots_lstm", short, long, "--json")
    first, second = json.loads(result.stdout)["results"]
    assert len(first["outputs"]) == 3 and first["next"] == first["outputs"][-1]
    window = sunspots.WINDOW
    assert len(second["outputs"]) == window
    assert f"120 steps; this model reads at most {window}" in result.stderr
    model = SequenceTagger.from_preset("sunspots_lstm")
    values = model.preprocessor([series[-window:]])
    expected = keras.ops.convert_to_numpy(model(values, training=False))[0, -1, 0]
    assert second["next"] == pytest.approx(float(expected), rel=1e-4, abs=1e-3)
    text = keras_seq("predict", "sunspots_lstm", short).stdout
    assert "next: " in text and "each of the 3 steps read" in text


# Point 8: a prompt or a source longer than the model reads is refused.
def test_a_prompt_longer_than_the_positions_is_refused(language_model):
    from keras_seq.cli import models

    limit = models.load(str(language_model)).model.max_length
    message = _error("generate", language_model, "--prompt", "x" * (limit + 50))
    assert f"the prompt is {limit + 51} tokens (with the start token)" in message
    assert "nothing is cut" in message
    # The prompt alone fits; --max-length leaves it no room: the old message.
    message = _error(
        "generate", language_model, "--prompt", "abcdef", "--max-length", 5
    )
    assert "--max-length 5 must be more" in message


def test_a_source_longer_than_the_model_reads_is_refused():
    message = _error("generate", "en_fr_names", "--prompt", "Swiss Franc " * 40)
    assert "this model reads at most" in message and "nothing is cut" in message


# Point 12: no --sampler gives the model's own default.
def test_no_sampler_means_the_models_default(monkeypatch):
    from keras_seq.models import GenerativeTask

    received = []

    def generate(self, inputs, **options):
        received.append(options)
        return ["Franc suisse"]

    monkeypatch.setattr(GenerativeTask, "generate", generate)
    result = keras_seq("generate", "en_fr_names", "--prompt", "Swiss Franc")
    assert result.stdout.strip() == "Franc suisse"
    keras_seq("generate", "en_fr_names", "--prompt", "Swiss Franc", "--sampler", "beam")
    # None, or no argument at all: what `generate`'s own default says.
    assert received[0].get("sampler") is None
    assert type(received[1]["sampler"]).__name__ == "BeamSampler"


def test_a_language_model_streams_with_its_default_sampler(language_model):
    from keras_seq.cli import models

    assert models.load(str(language_model)).model.sampler == "top_k"
    first = keras_seq("generate", language_model, "--prompt", "To be", "--seed", 5)
    again = keras_seq("generate", language_model, "--prompt", "To be", "--seed", 5)
    assert first.stdout == again.stdout and first.stdout.startswith("To be")


# Point 9: streaming compiles once and gives what one `generate` call gives.
def test_streaming_compiles_once_and_matches_generate(language_model):
    from keras_seq.cli import generate
    from keras_seq.cli import models

    model = models.load(str(language_model)).model
    preprocessor = model.preprocessor
    sampler = generate.seeded_sampler("greedy", 0)
    streamer = generate.Streamer(model, sampler, 40)
    for prompt in ("HAMLET", "To be, or not", "O"):
        ids = preprocessor.generate_preprocess([prompt])
        ids = ids[:, : int(np.count_nonzero(ids[0]))]
        streamed = list(streamer.tokens(ids, preprocessor.end_token_id))
        tokens = np.asarray([ids[0].tolist() + streamed], "int32")
        text = preprocessor.generate_postprocess(tokens)[0]
        assert text == model.generate(prompt, max_length=40, sampler="greedy")
    if BACKEND != "torch":  # PyTorch runs eagerly: every call runs as Python
        assert streamer.compilations == (1, 1)
    chunked = keras_seq(
        "generate",
        language_model,
        "--prompt",
        "HAMLET",
        "--max-length",
        40,
        "--sampler",
        "greedy",
        "--chunk",
        3,
    )
    text = model.generate("HAMLET", max_length=40, sampler="greedy")
    assert chunked.stdout.rstrip("\n") == text


@pytest.mark.slow
def test_generate_of_the_shipped_language_model_is_as_fast_as_the_api():
    from keras_seq.applications import CausalLM

    start = time.perf_counter()
    command = keras_seq(
        "generate",
        "hamlet_char_lm",
        "--prompt",
        "HAMLET",
        "--sampler",
        "greedy",
        "--max-length",
        128,
    )
    seconds = time.perf_counter() - start
    model = CausalLM.from_preset("hamlet_char_lm")
    start = time.perf_counter()
    text = model.generate("HAMLET", max_length=128, sampler="greedy")
    api = time.perf_counter() - start
    assert command.stdout.rstrip("\n") == text
    # The command also imports Keras and loads the preset: a few seconds more.
    assert seconds < 2 * api + 15, (seconds, api)
