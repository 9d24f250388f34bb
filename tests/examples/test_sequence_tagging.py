"""Smoke test: examples/sequence_tagging.py runs end to end on this backend."""

import pytest

from tests.examples.script_runner import reported
from tests.examples.script_runner import run_example


@pytest.mark.parametrize("backbone", ["lstm", "transformer"])
def test_quick_run_reports_a_finite_mse(backbone, capsys):
    output = run_example(
        "sequence_tagging", ["--quick", "--backbone", backbone], capsys
    )
    assert reported(output, "MSE") >= 0.0
