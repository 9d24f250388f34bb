"""Smoke test: examples/text_generation.py runs end to end on this backend."""

import importlib.util
import math
import pathlib
import re

import pytest

SCRIPT = pathlib.Path(__file__).parents[2] / "examples" / "text_generation.py"


def run_example(script, argv, capsys):
    """Runs `script`'s `main(argv)` in this process; returns what it printed.

    In-process, so the test pays for no second import of Keras and its
    backend; the script still parses `argv` exactly as from a shell.
    """
    spec = importlib.util.spec_from_file_location(script.stem, script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(argv)
    return capsys.readouterr().out


def reported(output, metric):
    """The number on the `test <metric>: <number>` line; it must be finite."""
    line = re.search(rf"^test {metric}: *([^\s,]+)", output, re.MULTILINE)
    assert line, f"no `test {metric}: <number>` line in:\n{output}"
    value = float(line.group(1))
    assert math.isfinite(value), line.group(0)
    return value


# Keras' recurrent layers on PyTorch's CPU step through time in Python:
# the slowest of these smoke tests there.
SLOW_RNN = pytest.mark.slow


@pytest.mark.parametrize(
    "backbone", ["transformer", pytest.param("lstm", marks=SLOW_RNN)]
)
def test_quick_run_reports_a_finite_perplexity(backbone, capsys):
    output = run_example(SCRIPT, ["--quick", "--backbone", backbone], capsys)
    assert reported(output, "perplexity") >= 1.0
    # `generate` returns the prompt, then its continuation.
    assert "--- greedy ---\nHAMLET\nTo be, or not" in output
