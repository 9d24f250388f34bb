"""Smoke test: examples/video_classification.py runs end to end on this backend."""

import keras
import numpy as np
import pytest

from tests.examples.script_runner import reported
from tests.examples.script_runner import run_example
from tests.tiers import default_and_slow


@pytest.mark.parametrize(
    "variant",
    default_and_slow(["spatiotemporal", "factorised_encoder"], {"spatiotemporal"}),
)
def test_quick_run_reports_a_finite_accuracy_and_saves_a_model_of_uint8_clips(
    variant, capsys, tmp_path
):
    path = str(tmp_path / "vivit.keras")
    output = run_example(
        "video_classification",
        ["--quick", "--variant", variant, "--output", path],
        capsys,
    )
    assert 0.0 <= reported(output, "accuracy") <= 1.0
    restored = keras.saving.load_model(path)
    clips = np.zeros((2, 16, 32, 32, 1), "uint8")
    assert restored.predict(clips, verbose=0).shape == (2, 4)
