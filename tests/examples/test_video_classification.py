"""Smoke test: examples/video_classification.py runs end to end on this backend."""

import pytest

from tests.examples.script_runner import reported
from tests.examples.script_runner import run_example


@pytest.mark.parametrize("variant", ["spatiotemporal", "factorised_encoder"])
def test_quick_run_reports_a_finite_accuracy(variant, capsys):
    output = run_example(
        "video_classification", ["--quick", "--variant", variant], capsys
    )
    assert 0.0 <= reported(output, "accuracy") <= 1.0
