"""Smoke test: examples/image_captioning.py runs end to end on this backend."""

from tests.examples.script_runner import reported
from tests.examples.script_runner import run_example


def test_quick_run_reports_a_finite_caption_accuracy(capsys):
    output = run_example("image_captioning", ["--quick"], capsys)
    assert 0.0 <= reported(output, "exact-match caption accuracy") <= 1.0
