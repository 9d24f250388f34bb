"""benchmarks/training_memory.py's `--quick` mode: its three runs, well formed."""

import pytest

from tests.benchmarks.test_benchmarks import run_quick


@pytest.mark.slow  # three tiny trainings: 11 s (JAX) to 21 s (TensorFlow)
def test_training_memory_quick(capsys, tmp_path):
    records = run_quick("training_memory", capsys, tmp_path)
    assert [r["name"].split("/")[1] for r in records] == [
        "plain",
        "remat",
        "accumulate",
    ]
    for record in records:
        assert record["update_s"] > 0 and record["peak_memory_bytes"] > 0
    assert records[2]["sizes"]["accumulation_steps"] == 4
