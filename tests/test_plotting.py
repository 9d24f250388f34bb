"""keras_seq.plotting: each figure is a readable, non-blank PNG."""

import subprocess
import sys

import numpy as np
import pytest

from keras_seq import plotting
from tests.cli.conftest import check_png

HISTORY = {
    "loss": [0.9, 0.6, 0.5, 0.45],
    "val_loss": [0.8, 0.65, 0.6, 0.62],
    "accuracy": [0.5, 0.7, 0.78, 0.8],
    "val_accuracy": [0.55, 0.68, 0.72, 0.71],
    "seconds": [3.0, 2.0, 2.0, 2.0],
}


def test_training_curves(tmp_path):
    path = tmp_path / "curves.png"
    assert plotting.training_curves(HISTORY, path, title="T", best_epoch=3) == path
    check_png(path, min_size=(600, 250))


def test_training_curves_panels_and_labels(tmp_path, monkeypatch):
    import matplotlib.figure

    figures = []
    monkeypatch.setattr(
        matplotlib.figure.Figure,
        "savefig",
        lambda self, *a, **k: figures.append(self),
    )
    plotting.training_curves(HISTORY, tmp_path / "c.png", title="Run", best_epoch=3)
    (figure,) = figures
    axes = figure.axes
    assert [axis.get_title() for axis in axes] == ["loss", "accuracy"]  # no seconds
    for axis in axes:
        assert axis.get_xlabel() == "epoch" and axis.get_ylabel()
        labels = [text.get_text() for text in axis.get_legend().get_texts()]
        assert labels == ["training", "validation", "kept: epoch 3"]
    assert figure._suptitle.get_text() == "Run"


def test_training_curves_rejects_an_empty_history(tmp_path):
    with pytest.raises(ValueError, match="no metric"):
        plotting.training_curves({"seconds": [1.0]}, tmp_path / "x.png")


def test_attention_maps(tmp_path):
    rng = np.random.default_rng(0)
    scores = rng.random((2, 3, 5, 5))
    scores /= scores.sum(-1, keepdims=True)
    path = plotting.attention_maps(scores, list("abcde"), tmp_path / "a.png")
    check_png(path, min_size=(500, 300))


def test_attention_maps_checks_shapes(tmp_path):
    with pytest.raises(ValueError, match="one \\(heads, queries, keys\\)"):
        plotting.attention_maps([np.ones((5, 5))], list("abcde"), tmp_path / "a.png")


def test_attention_overlay(tmp_path):
    image = (np.random.default_rng(0).random((28, 28, 1)) * 255).astype("uint8")
    maps = [np.random.default_rng(1).random((2, 4, 4)) for _ in range(2)]
    path = plotting.attention_overlay(image, maps, tmp_path / "o.png")
    check_png(path, min_size=(400, 300))


def test_embedding_neighbours(tmp_path):
    neighbours = [("movie", 0.9), ("films", 0.8), ("picture", 0.5), ("dull", -0.1)]
    path = plotting.embedding_neighbours("film", neighbours, tmp_path / "n.png")
    check_png(path, min_size=(400, 150))
    with pytest.raises(ValueError):
        plotting.embedding_neighbours("film", [], tmp_path / "m.png")


def test_plotting_imports_no_model_code():
    code = (
        "import sys, keras_seq.plotting; "
        "print(sorted(m for m in sys.modules if m.startswith('keras')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "['keras_seq', 'keras_seq.plotting', 'keras_seq.version']"
