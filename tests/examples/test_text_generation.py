"""Smoke test: examples/text_generation.py runs end to end on this backend."""

import keras
import pytest

from tests.examples.script_runner import reported
from tests.examples.script_runner import run_example

# Keras' recurrent layers on PyTorch's CPU step through time in Python:
# the slowest of these smoke tests there.
SLOW_RNN = pytest.mark.slow


@pytest.mark.parametrize(
    "backbone", ["transformer", pytest.param("lstm", marks=SLOW_RNN)]
)
def test_quick_run_reports_a_finite_perplexity_and_saves_a_model_of_raw_text(
    backbone, capsys, tmp_path
):
    path = str(tmp_path / "hamlet.keras")
    output = run_example(
        "text_generation", ["--quick", "--backbone", backbone, "--output", path], capsys
    )
    assert reported(output, "perplexity") >= 1.0
    assert reported(output, "bits per character") >= 0.0
    # `generate` returns the prompt, then its continuation.
    assert "--- greedy ---\nHAMLET\nTo be, or not" in output
    restored = keras.saving.load_model(path)
    text = restored.generate("To be", max_length=12)
    assert isinstance(text, str) and text.startswith("To be")
