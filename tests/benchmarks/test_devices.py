"""Smoke test of benchmarks/devices.py (data-parallel step times on 1-8 devices)."""

import json
import os
import subprocess
import sys

import keras
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "benchmarks", "devices.py")


@pytest.mark.slow
@pytest.mark.skipif(
    keras.backend.backend() != "jax", reason="keras.distribution runs on JAX only"
)
def test_devices_quick_times_1_2_4_and_8_devices():
    # A fresh process: JAX's devices are fixed when it starts.
    environment = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    result = subprocess.run(
        [sys.executable, SCRIPT, "--quick"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = [
        json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")
    ]
    assert [record["sizes"]["devices"] for record in records] == [1, 2, 4, 8]
    for record in records:
        assert record["ms_per_step"] > 0
        assert record["sizes"]["batch"] == 64
    assert "1 device" in records[-1]["speedup_vs"]


@pytest.mark.slow  # A fresh process that starts a backend: tens of seconds.
@pytest.mark.skipif(keras.backend.backend() == "jax", reason="the script runs here")
def test_devices_refuses_other_backends_in_one_line():
    result = subprocess.run(
        [sys.executable, SCRIPT, "--quick"],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(
            "benchmarks/devices.py times keras.distribution.DataParallel, which runs "
            "on JAX only."
        )
    )
