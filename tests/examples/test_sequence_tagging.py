"""Smoke test: examples/sequence_tagging.py runs end to end on this backend."""

import keras
import pytest

from keras_seq.datasets import sunspots
from tests.examples.script_runner import reported
from tests.examples.script_runner import run_example
from tests.tiers import default_and_slow


@pytest.mark.parametrize(
    "backbone", default_and_slow(["lstm", "transformer"], {"transformer"})
)
def test_quick_run_reports_a_finite_mse_and_saves_a_model_of_raw_series(
    backbone, capsys, tmp_path
):
    path = str(tmp_path / "forecaster.keras")
    output = run_example(
        "sequence_tagging",
        ["--quick", "--backbone", backbone, "--output", path],
        capsys,
    )
    assert reported(output, "MSE") >= 0.0
    restored = keras.saving.load_model(path)
    windows, _ = sunspots.load_data("test")
    # Raw sunspot numbers in; the saved statistics standardize them.
    assert restored.preprocessor.mean is not None
    assert restored.predict(windows[:2], verbose=0).shape == (2, sunspots.WINDOW, 1)
