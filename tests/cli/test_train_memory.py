"""`keras-seq train --gradient-accumulation-steps N --remat`: Keras' memory
savers from the command (tests/models/test_memory.py checks what they compute)."""

import json

import pytest

from tests.cli.conftest import keras_seq


def _one_line(result):
    lines = [
        line
        for line in result.stderr.strip().splitlines()
        if not line.startswith("backend: ")
    ]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.mark.slow  # about 25 s under TensorFlow on a loaded CPU
def test_train_accumulates_and_recomputes(tmp_path):
    folder = tmp_path / "run"
    keras_seq(
        "train",
        "vit",
        "--tiny",
        "--remat",
        "--gradient-accumulation-steps",
        2,
        "--epochs",
        1,
        "--limit",
        32,
        "--output",
        folder,
    )
    record = json.loads((folder / "history.json").read_text())
    assert record["completed"]
    assert record["settings"]["gradient_accumulation_steps"] == 2
    assert record["settings"]["remat"] is True


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "two"])
def test_bad_accumulation_steps_are_refused_in_one_line(value, tmp_path):
    result = keras_seq(
        "train",
        "--tiny",
        "--gradient-accumulation-steps",
        value,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert "--gradient-accumulation-steps" in _one_line(result)


def test_remat_of_a_model_without_transformer_layers_is_refused_in_one_line(
    tmp_path,
):
    result = keras_seq(
        "train",
        "rnn_classifier",
        "--tiny",
        "--remat",
        "--epochs",
        1,
        "--limit",
        16,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    line = _one_line(result)
    assert line.startswith("keras-seq train: error: --remat: ") and "has none" in line
