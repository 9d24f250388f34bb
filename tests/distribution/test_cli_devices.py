"""`keras-seq train --devices N | --mesh BATCHxMODEL`: the one-line errors.

The runs themselves need more devices: multi_device_checks.py trains with
both flags on 8 virtual CPU devices.
"""

import json
import pathlib

import keras
import pytest

from keras_seq.cli import main


def _error(capsys, *argv):
    status = main(["train", "text_classifier", "--tiny", "--limit", "16", *argv])
    lines = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    return lines[-1]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--mesh", "2by4"], "expected BATCHxMODEL, two positive integers"),
        (["--mesh", "0x4"], "expected BATCHxMODEL"),
        (["--devices", "0"], "expected a positive integer, got 0"),
        (["--devices", "2", "--mesh", "1x2"], "not allowed with argument"),
    ],
)
def test_bad_values_fail_in_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as raised:
        main(["train", *argv])
    assert raised.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


@pytest.mark.skipif(keras.backend.backend() == "jax", reason="JAX trains on many")
@pytest.mark.parametrize("argv", [["--devices", "2"], ["--mesh", "1x2"]])
def test_other_backends_say_what_to_use_instead(capsys, argv):
    line = _error(capsys, *argv)
    backend = keras.backend.backend()
    assert f"{' '.join(argv)} needs the JAX backend, not {backend}" in line
    assert (
        "MirroredStrategy" if backend == "tensorflow" else "torch.distributed"
    ) in line


@pytest.mark.skipif(
    keras.backend.backend() == "jax",
    reason="JAX trains on many devices, so there is no refusal to see first",
)
def test_the_backend_is_checked_before_a_finished_run_in_the_output(capsys):
    # `make demo` leaves a finished run in runs/text_classifier, the default output.
    run = pathlib.Path("runs", "text_classifier")
    run.mkdir(parents=True)
    (run / "model.keras").write_bytes(b"")
    record = {"application": "text_classifier", "dataset": "rotten_tomatoes"}
    (run / "history.json").write_text(json.dumps({**record, "epochs": 3}))
    line = _error(capsys, "--devices", "2")
    assert "--devices 2 needs the JAX backend" in line


def test_tests_run_outside_the_repository():
    repository = pathlib.Path(__file__).resolve().parents[2]
    assert not pathlib.Path.cwd().resolve().is_relative_to(repository)


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="JAX's devices")
def test_more_devices_than_jax_sees_fail_in_one_line(capsys):
    import jax

    if jax.device_count() >= 64:
        pytest.skip("this host has 64 devices")
    line = _error(capsys, "--mesh", "8x8")
    assert f"--mesh 8x8 needs 64 devices, but JAX sees {jax.device_count()}" in line
    if jax.default_backend() == "cpu":
        assert "XLA_FLAGS=--xla_force_host_platform_device_count=64" in line
