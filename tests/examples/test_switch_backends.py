"""Smoke test: examples/switch_backends.py trains here and predicts under all three."""

import re

import keras
import pytest

from tests.examples.script_runner import run_example
from tests.tiers import BACKENDS


# Slow: it starts a process for each other backend, and the default run
# checks saved files across backends in tests/applications/test_raw_inputs.py.
@pytest.mark.slow
def test_a_model_trained_here_predicts_the_same_under_every_backend(capsys, tmp_path):
    here = keras.backend.backend()
    others = [backend for backend in BACKENDS if backend != here]
    path = tmp_path / "switch.keras"
    argv = ["--quick", "--train-backend", here, "--to", *others, "--output", str(path)]
    output = run_example("switch_backends", argv, capsys)
    assert path.is_file()
    for backend in BACKENDS:
        line = re.search(
            rf"^ *{backend}: test accuracy ([0-9.]+) on 128 reviews; "
            rf"largest difference from {here} ([0-9.e+-]+)$",
            output,
            re.MULTILINE,
        )
        assert line, output
        assert 0.0 <= float(line.group(1)) <= 1.0
        assert float(line.group(2)) <= 1e-4
