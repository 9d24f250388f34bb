"""`keras-seq train --resume` after a run killed mid-epoch, and Ctrl-C."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.cli.conftest import environment
from tests.cli.conftest import keras_seq

# 20 batches of 16 an epoch, each held 0.15 s: an epoch lasts 3 s or more.
_SLOW_RUN = (
    "train",
    "--tiny",
    "--limit",
    "320",
    "--batch-size",
    "16",
    "--epochs",
    "3",
    "--patience",
    "99",
    "--seed",
    "7",
)


def _history(folder):
    try:
        return json.loads((folder / "history.json").read_text())
    except (FileNotFoundError, ValueError):
        return None


def _start_and_stop_mid_epoch(folder, sig):
    """Starts a slow run; sends `sig` once epoch 1 is done, in epoch 2."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "keras_seq",
            *_SLOW_RUN,
            "--batch-delay",
            "0.15",
            "--output",
            str(folder),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    )
    deadline = time.time() + 400
    while time.time() < deadline and process.poll() is None:
        record = _history(folder)
        if record and record["epochs"] >= 1:
            break
        time.sleep(0.2)
    assert process.poll() is None, process.communicate()
    first = _history(folder)
    assert first["epochs"] == 1
    time.sleep(1.0)  # into epoch 2, which lasts 3 s or more
    process.send_signal(sig)
    stdout, stderr = process.communicate(timeout=120)
    return process.returncode, stdout, stderr, first


def _finish(folder, first):
    result = keras_seq(*_SLOW_RUN, "--output", folder, "--resume")
    assert "resuming" in result.stderr and "after epoch 1" in result.stderr
    record = _history(folder)
    assert record["completed"] and record["epochs"] == 3
    # The epoch completed before the stop is kept as it was, not re-run.
    for name, values in first["history"].items():
        assert record["history"][name][0] == values[0], name
    assert len(record["history"]["val_loss"]) == 3
    assert sorted(p.name for p in folder.iterdir()) == [
        "history.json",
        "model.keras",
        "training_curves.png",
    ]


# Slow: tests/reliability/test_resume.py kills a run mid-epoch in the
# default run and checks the resumed weights against an uninterrupted run.
@pytest.mark.slow
def test_resume_after_sigkill_mid_epoch(tmp_path):
    folder = tmp_path / "run"
    code, _, _, first = _start_and_stop_mid_epoch(folder, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert not (folder / "model.keras").exists()
    backup = folder / "checkpoint" / "backup"
    metadata = json.loads((backup / "training_metadata.json").read_text())
    assert metadata["epoch"] == 1
    assert (backup / "latest.weights.h5").stat().st_size > 0
    _finish(folder, first)


@pytest.mark.slow
def test_ctrl_c_saves_a_resumable_checkpoint(tmp_path):
    folder = tmp_path / "run"
    code, _, stderr, first = _start_and_stop_mid_epoch(folder, signal.SIGINT)
    assert code == 130, stderr
    assert "Traceback" not in stderr
    assert "the 1 completed epochs are saved" in stderr and "--resume" in stderr
    _finish(folder, first)


def test_a_new_run_replaces_an_interrupted_one(tmp_path):
    folder = tmp_path / "run"
    (folder / "checkpoint" / "backup").mkdir(parents=True)
    result = keras_seq(
        "train", "--tiny", "--limit", "64", "--epochs", "1", "--output", folder
    )
    assert "starting over" in result.stderr
    assert not (folder / "checkpoint").exists()
    assert os.path.exists(folder / "model.keras")
