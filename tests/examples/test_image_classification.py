"""Smoke test: examples/image_classification.py runs end to end on this backend."""

import keras
import numpy as np

from tests.examples.script_runner import reported
from tests.examples.script_runner import run_example


def test_quick_run_reports_a_finite_accuracy_and_saves_a_model_of_uint8_images(
    capsys, tmp_path
):
    path = str(tmp_path / "vit.keras")
    output = run_example("image_classification", ["--quick", "--output", path], capsys)
    assert 0.0 <= reported(output, "accuracy") <= 1.0
    restored = keras.saving.load_model(path)
    digits = np.zeros((2, 28, 28), "uint8")  # the channel axis may be left out
    assert restored.predict(digits, verbose=0).shape == (2, 10)
