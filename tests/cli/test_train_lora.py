"""`keras-seq train APP --from-preset NAME --lora-rank R`: a preset fine-tuned
with LoRA adapters, every other weight frozen, saved with them merged."""

import json

import keras
import numpy as np

from keras_seq.applications import TextClassifier
from tests.cli.conftest import keras_seq


def test_train_lora_moves_only_the_adapted_kernels(tmp_path):
    folder = tmp_path / "adapted"
    keras_seq(
        "train",
        "--from-preset",
        "rotten_tomatoes",
        "--lora-rank",
        2,
        "--epochs",
        1,
        "--limit",
        64,
        "--output",
        folder,
    )
    record = json.loads((folder / "history.json").read_text())
    assert record["completed"] and record["settings"]["lora_rank"] == 2
    preset = TextClassifier.from_preset("rotten_tomatoes")
    model = keras.saving.load_model(folder / "model.keras")
    # The adapters are merged: a plain model of the preset's weights, of
    # which only the query and value kernels changed.
    assert [v.path for v in model.weights] == [v.path for v in preset.weights]
    changed = [
        v.path
        for v, p in zip(model.weights, preset.weights)
        if not np.allclose(np.array(v), np.array(p), atol=0, rtol=0)
    ]
    assert changed and all(
        path.endswith(("query/kernel", "value/kernel")) for path in changed
    ), changed


def test_lora_rank_without_a_preset_is_refused_in_one_line(tmp_path):
    result = keras_seq("train", "--lora-rank", 2, "--tiny", cwd=tmp_path, check=False)
    assert result.returncode == 2
    lines = [
        line
        for line in result.stderr.strip().splitlines()
        if not line.startswith("backend: ")
    ]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "--lora-rank adapts a preset: give --from-preset NAME" in lines[0]
