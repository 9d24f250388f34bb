"""`keras-seq train` as 2 processes on 127.0.0.1, launched each engine's way.

Each process is started with the variables of its engine's launcher
(process_runs.py: `KERAS_DISTRIBUTION_*` for JAX, `TF_CONFIG` for
TensorFlow, `torchrun`'s for PyTorch) and trains data-parallel with the
other: the run must equal one process on the same global batches (under
JAX, one process with 2 devices). Marked `multi_process` (`-m
multi_process` runs them apart). Each engine's tests run in the pass of
the suite under that backend, in processes of their own. The default run
has what every engine must show: the equal run with each
process's share counted, the 2x2 mesh (JAX), the lone process, and a
killed peer then `--resume`. A plain script, padded texts and a silent
peer take minutes more and are slow: `make test PYTEST_ARGS="-m
multi_process"` runs them all.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time

import keras
import numpy as np
import pytest

from keras_seq.backend.jax.cluster import SILENCE_TIMEOUT
from keras_seq.backend.tensorflow.multi_worker import COLLECTIVE_TIMEOUT as TF_TIMEOUT
from keras_seq.backend.torch.multi_process import COLLECTIVE_TIMEOUT as TORCH_TIMEOUT
from tests.distribution import process_runs
from tests.distribution.process_runs import ROOT
from tests.distribution.process_runs import TRAIN

pytestmark = pytest.mark.multi_process
BACKEND = keras.backend.backend()
ONLY_JAX = pytest.mark.skipif(
    BACKEND != "jax",
    reason="--devices and --mesh across processes are JAX's (keras.distribution)",
)
TWO_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
FOUR_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=4"}
# Seconds within which each engine notices a peer gone silent.
NOTICED = {"jax": SILENCE_TIMEOUT, "tensorflow": TF_TIMEOUT, "torch": TORCH_TIMEOUT}


def _assert_finished(results):
    for code, output in results:
        assert code == 0, output[-3000:]


def _losses_equal(folder):
    """The cluster's history in `folder`; its losses equal the lone process's."""
    record, cluster_losses = process_runs.losses(folder / "cluster" / "out")
    reference, alone_losses = process_runs.losses(folder / "alone" / "out")
    np.testing.assert_allclose(cluster_losses, alone_losses, rtol=1e-3)
    return record, reference


def test_two_processes_train_the_model_of_one_process(tmp_path):
    argv = [*TRAIN, "--epochs", "2", "--output", "out"]
    # JAX's reference is one process with as many devices, data-parallel.
    alone_argv, alone_env = (
        ([*argv, "--devices", "2"], TWO_DEVICES) if BACKEND == "jax" else (argv, {})
    )
    results, alone = process_runs.cluster_and_alone(
        BACKEND, argv, alone_argv, tmp_path, alone_extra=alone_env
    )
    cluster = tmp_path / "cluster"
    record, reference = _losses_equal(tmp_path)
    assert record["test"]["value"] == pytest.approx(reference["test"]["value"])
    assert (record["processes"], record["devices"], record["mesh"]) == (2, 2, None)
    # Only process 0 wrote: process 1 ran with the same --output, elsewhere.
    assert sorted(path.name for path in (cluster / "out").iterdir()) == [
        "history.json",
        "model.keras",
        "training_curves.png",
    ]
    assert not (cluster / "out" / "checkpoint").exists()
    # Each process read half of every batch: together, what one process read.
    seen = [process_runs.seen(output) for _, output in results]
    assert seen[0] == seen[1] == process_runs.seen(alone) // 2 > 0


@pytest.mark.slow
def test_a_plain_script_trains_two_processes_as_one(tmp_path):
    # keras_seq.distribution.initialize(), then Task.fit, in a user's script.
    script = str(ROOT / "tests" / "distribution" / "plain_script.py")
    environ = TWO_DEVICES if BACKEND == "jax" else {}
    process_runs.cluster_and_alone(
        BACKEND,
        [str(tmp_path / "two.json")],
        [str(tmp_path / "one.json")],
        tmp_path,
        alone_extra=environ,
        script=script,
    )
    two = json.loads((tmp_path / "two.json").read_text())
    one = json.loads((tmp_path / "one.json").read_text())
    assert (two["processes"], one["processes"]) == (2, 1)
    assert len(two["loss"]) == 2
    np.testing.assert_allclose(two["loss"], one["loss"], rtol=1e-3)


def test_a_lone_process_waits_then_fails_in_one_line_and_writes_nothing(tmp_path):
    started = process_runs.start(
        BACKEND,
        [*TRAIN, "--epochs", "1", "--output", "out"],
        tmp_path,
        ids=[0],
        extra={"KERAS_SEQ_JOIN_TIMEOUT": "5"},
    )
    began = time.monotonic()
    [(code, output)] = process_runs.wait(started, tmp_path, timeout=150)
    assert code == 1, output[-3000:]
    assert time.monotonic() - began < 120  # start-up, then the 5 s wait
    errors = [line for line in output.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, output[-3000:]
    assert errors[0].startswith(
        "keras-seq: error: process 0 of 2: the other processes did not join "
    )
    assert errors[0].endswith(
        " within 5 s (KERAS_SEQ_JOIN_TIMEOUT); start every process with the same "
        "command and address; nothing was trained or written"
    )
    assert not (tmp_path / "out" / "model.keras").exists()


@ONLY_JAX
def test_two_processes_of_two_devices_train_on_a_2x2_mesh(tmp_path):
    argv = [*TRAIN, "--epochs", "1", "--mesh", "2x2", "--output", "out"]
    process_runs.cluster_and_alone(
        "jax", argv, argv, tmp_path, extra=TWO_DEVICES, alone_extra=FOUR_DEVICES
    )
    record, _ = _losses_equal(tmp_path)
    assert (record["processes"], record["devices"], record["mesh"]) == (2, 4, [2, 2])


def _texts_of_many_lengths(path):
    """A table of 160 texts of 1 to 60 words: the halves of a batch pad unlike."""
    rng = np.random.default_rng(0)
    words = ["good", "bad", "film", "plot", "actor", "long", "fun", "dull"]
    rows = ["text,label"]
    for _ in range(160):
        text = " ".join(rng.choice(words, rng.integers(1, 61)))
        rows.append(f"{text},{'pos' if text.count('good') > 1 else 'neg'}")
    path.write_text("\n".join(rows) + "\n")


@ONLY_JAX
@pytest.mark.slow
def test_texts_padded_by_batch_train_as_one_process_with_two_devices(tmp_path):
    # Every process pads its share to the whole batch's width, which JAX
    # needs to assemble the batch (else the shares' shapes differ).
    _texts_of_many_lengths(tmp_path / "texts.csv")
    argv = [
        "train", "text_classifier", "--data", str(tmp_path / "texts.csv"),
        "--tiny", "--epochs", "2", "--batch-size", "8", "--seed", "3",
        "--output", "out",
    ]  # fmt: skip
    process_runs.cluster_and_alone(
        "jax", argv, [*argv, "--devices", "2"], tmp_path, alone_extra=TWO_DEVICES
    )
    record, _ = _losses_equal(tmp_path)
    assert record["processes"] == 2


@pytest.mark.slow
def test_a_process_that_stops_answering_ends_the_other_in_one_line(tmp_path):
    # SIGSTOP: like a machine gone without closing its connections. JAX's
    # processes listen to each other's beats; TensorFlow's coordination
    # service and PyTorch's collectives time out.
    argv = [*TRAIN, "--epochs", "3", "--output", str(tmp_path / "out")]
    started = process_runs.start(BACKEND, [*argv, "--batch-delay", "1"], tmp_path)
    _wait_for_epochs(tmp_path / "out", 1, time.monotonic() + 400)
    started[1].send_signal(signal.SIGSTOP)
    began = time.monotonic()
    with contextlib.suppress(subprocess.TimeoutExpired):
        started[0].wait(NOTICED[BACKEND] + 60)
    started[1].kill()
    [(code, output), _] = process_runs.wait(started, tmp_path, timeout=1)
    assert code == 1, output[-3000:]
    assert time.monotonic() - began < NOTICED[BACKEND] + 60
    last = output.strip().splitlines()[-1]
    if BACKEND == "jax":
        assert last == (
            "keras-seq: error: process 0 of 2: a process of the run went silent "
            f"(nothing heard for {SILENCE_TIMEOUT} s); its last completed epoch is "
            "saved: relaunch every process with --resume"
        ), output[-3000:]
    else:
        assert last.startswith(
            "keras-seq: error: process 0 of 2: another process of the run stopped ("
        ), output[-3000:]
        assert last.endswith(
            "its last completed epoch is saved: relaunch every process with --resume"
        )
    assert not (tmp_path / "out" / "model.keras").exists()


def _wait_for_epochs(folder, epochs, deadline):
    history = folder / "history.json"
    while time.monotonic() < deadline:
        if history.exists():
            try:
                _, logged = process_runs.losses(folder)
            except (ValueError, KeyError):
                logged = []
            if len(logged) >= 2 * epochs:
                return
        time.sleep(0.5)
    raise AssertionError(f"no epoch {epochs} in {folder} in time")


def test_a_killed_process_ends_the_other_and_resume_finishes_the_run(tmp_path):
    argv = [*TRAIN, "--epochs", "3", "--output", str(tmp_path / "out")]
    started = process_runs.start(
        BACKEND, [*argv, "--batch-delay", "1"], tmp_path / "logs"
    )
    _wait_for_epochs(tmp_path / "out", 1, time.monotonic() + 400)
    started[1].send_signal(signal.SIGKILL)
    began = time.monotonic()
    [(code, output), (killed, _)] = process_runs.wait(
        started, tmp_path / "logs", timeout=200
    )
    assert killed == -signal.SIGKILL
    assert code == 1, output[-3000:]
    assert time.monotonic() - began < 120
    errors = [line for line in output.splitlines() if "keras-seq: error" in line]
    assert len(errors) == 1, output[-3000:]
    assert "process 0 of 2: another process of the run stopped" in errors[0]
    assert errors[0].endswith("relaunch every process with --resume")
    assert not (tmp_path / "out" / "model.keras").exists()
    # The same checkpoint, resumed by one process (under JAX with two
    # devices): the reference.
    shutil.copytree(tmp_path / "out", tmp_path / "copy")
    reference = [*TRAIN, "--epochs", "3", "--output", str(tmp_path / "copy")]
    reference, environ = (
        ([*reference, "--devices", "2"], TWO_DEVICES)
        if BACKEND == "jax"
        else (reference, {})
    )
    started = process_runs.start(BACKEND, [*argv, "--resume"], tmp_path / "logs2")
    code, alone = process_runs.run_alone(
        BACKEND, [*reference, "--resume"], tmp_path, environ
    )
    results = process_runs.wait(started, tmp_path / "logs2", timeout=600)
    assert code == 0, alone[-3000:]
    _assert_finished(results)
    assert "resuming" in results[0][1]
    _, resumed = process_runs.losses(tmp_path / "out")
    _, reference_losses = process_runs.losses(tmp_path / "copy")
    assert len(resumed) == 6
    np.testing.assert_allclose(resumed, reference_losses, rtol=1e-3)
    assert not os.path.exists(tmp_path / "out" / "checkpoint")
