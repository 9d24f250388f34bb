"""Smoke test: examples/image_captioning.py runs end to end on this backend."""

import keras
import numpy as np

from tests.examples.script_runner import reported
from tests.examples.script_runner import run_example


def test_quick_run_reports_a_finite_caption_accuracy_and_saves_the_model(
    capsys, tmp_path
):
    path = str(tmp_path / "captioner.keras")
    output = run_example("image_captioning", ["--quick", "--output", path], capsys)
    assert 0.0 <= reported(output, "exact-match caption accuracy") <= 1.0
    restored = keras.saving.load_model(path)
    captions = restored.generate(np.zeros((2, 28, 84, 1), "uint8"), max_length=8)
    assert len(captions) == 2 and all(isinstance(c, str) for c in captions)
