"""Smoke test: examples/text_classification.py (`make demo`) runs on this backend."""

import keras

from tests.examples.script_runner import reported
from tests.examples.script_runner import run_example


def test_quick_run_reports_an_accuracy_and_saves_a_model_of_raw_text(capsys, tmp_path):
    path = str(tmp_path / "demo.keras")
    output = run_example("text_classification", ["--quick", "--output", path], capsys)
    assert 0.0 <= reported(output, "accuracy") <= 1.0
    restored = keras.saving.load_model(path)
    assert restored.predict(["a fine film"], verbose=0).shape == (1, 2)
