"""Training on many devices, under each backend what applies to it.

A backend's devices are fixed when it starts, and this process has
started it long ago (and other tests ran on one device). So the checks
run in a fresh pytest process that sees more devices, with this run's
marker expression (`-m "not slow"` in `make test`):

- JAX: `multi_device_checks.py` on 8 virtual CPU devices
  (`XLA_FLAGS=--xla_force_host_platform_device_count=8`);
- TensorFlow: `mirrored_checks.py` in `tf.distribute.MirroredStrategy`
  over 2 logical CPU devices (configured before TensorFlow starts);
- PyTorch: keras.distribution has no PyTorch engine; `keras-seq train
  --devices` says so in one line (test_cli_devices.py).
"""

import os
import subprocess
import sys

import keras
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CHECKS = {
    "jax": "multi_device_checks.py",
    "tensorflow": "mirrored_checks.py",
}


def _environment(backend):
    environment = dict(os.environ, KERAS_BACKEND=backend)
    # Not xdist's: the subprocess is a plain pytest run of its own.
    for name in list(environment):
        if name.startswith("PYTEST_XDIST") or name == "PYTEST_CURRENT_TEST":
            del environment[name]
    if backend == "jax":
        environment["XLA_FLAGS"] = (
            environment.get("XLA_FLAGS", "")
            + " --xla_force_host_platform_device_count=8"
        ).strip()
        environment["JAX_PLATFORMS"] = "cpu"
    if backend == "tensorflow":
        environment["KERAS_SEQ_MIRRORED_CHECKS"] = "1"
    return environment


@pytest.mark.multi_device
@pytest.mark.skipif(
    keras.backend.backend() not in CHECKS,
    reason="PyTorch has no keras.distribution engine; see test_cli_devices.py",
)
def test_the_multi_device_checks_pass_in_a_process_with_more_devices(request):
    backend = keras.backend.backend()
    command = [
        sys.executable,
        "-m",
        "pytest",
        os.path.join(HERE, CHECKS[backend]),
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "--rootdir",
        ROOT,
        "-c",
        os.path.join(ROOT, "pyproject.toml"),
    ]
    markers = request.config.getoption("markexpr")
    if markers:
        command += ["-m", markers]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=_environment(backend),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    # Every check ran: none was skipped for want of devices.
    assert " skipped" not in output.splitlines()[-1], output[-3000:]
    assert " passed" in output.splitlines()[-1], output[-3000:]
