"""Smoke test: examples/translation.py runs end to end on this backend."""

import keras
import pytest

from tests.examples.script_runner import reported
from tests.examples.script_runner import run_example


@pytest.mark.parametrize(
    # Keras' recurrent layers on PyTorch's CPU step through time in Python:
    # the slowest of these smoke tests there.
    "model",
    ["transformer", pytest.param("rnn", marks=pytest.mark.slow)],
)
def test_quick_run_reports_finite_accuracies_and_saves_a_model_of_raw_text(
    model, capsys, tmp_path
):
    path = str(tmp_path / "translator.keras")
    output = run_example(
        "translation", ["--quick", "--model", model, "--output", path], capsys
    )
    assert 0.0 <= reported(output, "exact match") <= 1.0
    # 1 - edits / reference characters: at most 1, and below 0 when the
    # outputs (of a barely trained model) are much longer than the references.
    assert reported(output, "character accuracy") <= 1.0
    restored = keras.saving.load_model(path)
    french = restored.generate(["Spanish", "German"], max_length=8)
    assert isinstance(french, list) and all(isinstance(name, str) for name in french)
