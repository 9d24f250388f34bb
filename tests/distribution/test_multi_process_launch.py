"""What the launchers' variables say, and the one-line refusals (no cluster formed).

The runs themselves are in test_multi_process.py.
"""

import json
import os
import subprocess
import sys
import time
import types

import keras
import pytest

from keras_seq.backend import processes
from keras_seq.cli import main
from tests.distribution import process_runs


@pytest.mark.parametrize(
    "backend, environ, expected",
    [
        ("jax", {}, (1, 0, None)),
        (
            "jax",
            {
                "KERAS_DISTRIBUTION_JOB_ADDRESSES": "10.0.0.1:1234,10.0.0.2:1234",
                "KERAS_DISTRIBUTION_NUM_PROCESSES": "2",
                "KERAS_DISTRIBUTION_PROCESS_ID": "1",
            },
            (2, 1, "10.0.0.1:1234"),
        ),
        (
            "tensorflow",
            {
                "TF_CONFIG": json.dumps(
                    {
                        "cluster": {"worker": ["10.0.0.1:1234", "10.0.0.2:1234"]},
                        "task": {"type": "worker", "index": 1},
                    }
                )
            },
            (2, 1, "10.0.0.1:1234"),
        ),
        (
            "torch",
            {"RANK": "0", "WORLD_SIZE": "4", "MASTER_ADDR": "h", "MASTER_PORT": "9"},
            (4, 0, "h:9"),
        ),
        ("torch", {"WORLD_SIZE": "1", "RANK": "0"}, (1, 0, None)),
    ],
)
def test_each_engine_reads_its_own_launcher(backend, environ, expected):
    cluster = processes.launched(backend, environ)
    assert (cluster.processes, cluster.process_id, cluster.address) == expected
    assert cluster.is_writer == (expected[1] == 0)


@pytest.mark.parametrize(
    "backend, environ, message",
    [
        ("torch", {"RANK": "2", "WORLD_SIZE": "2"}, "process 2 of 2: the process"),
        # Another engine's launcher: each process would train alone.
        (
            "jax",
            {"RANK": "0", "WORLD_SIZE": "4", "MASTER_ADDR": "h", "MASTER_PORT": "9"},
            "WORLD_SIZE is set for 4 processes of torch's launcher, but the "
            "backend is jax: run with KERAS_BACKEND=torch",
        ),
        ("torch", {"RANK": "x", "WORLD_SIZE": "2"}, "RANK='x': expected an integer"),
        ("tensorflow", {"TF_CONFIG": "{"}, "TF_CONFIG: expected JSON such as"),
        (
            "jax",
            {
                "KERAS_DISTRIBUTION_NUM_PROCESSES": "2",
                "KERAS_DISTRIBUTION_PROCESS_ID": "0",
            },
            "KERAS_DISTRIBUTION_JOB_ADDRESSES: give the coordinator's host:port",
        ),
    ],
)
def test_malformed_variables_are_refused_in_one_line(backend, environ, message):
    with pytest.raises(processes.PeerLost, match="^" + message.replace("(", r"\(")):
        processes.launched(backend, environ)


def test_the_command_refuses_another_engines_launch_in_one_line(capsys, monkeypatch):
    # torchrun's variables under JAX or TensorFlow, TF_CONFIG under PyTorch:
    # each process would train alone on all the data.
    if keras.backend.backend() == "torch":
        workers = ["127.0.0.1:1", "127.0.0.1:2"]
        task = {"type": "worker", "index": 0}
        config = {"cluster": {"worker": workers}, "task": task}
        variables, name = {"TF_CONFIG": json.dumps(config)}, "TF_CONFIG"
    else:
        variables, name = {"WORLD_SIZE": "2", "RANK": "0"}, "WORLD_SIZE"
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    status = main(["train", "vit", "--data", "digits", "--tiny", "--limit", "16"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert err[-1].startswith(f"keras-seq train: error: {name} is set for 2"), err


def test_the_command_refuses_malformed_variables_in_one_line(capsys, monkeypatch):
    backend = keras.backend.backend()
    variables = {
        "jax": {"KERAS_DISTRIBUTION_NUM_PROCESSES": "2"},
        "tensorflow": {"TF_CONFIG": "not json"},
        "torch": {"WORLD_SIZE": "2", "RANK": "7"},
    }[backend]
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    status = main(["train", "vit", "--data", "digits", "--tiny", "--limit", "16"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert err[-1].startswith("keras-seq train: error: "), err
    assert processes.current() is processes.ALONE


def test_model_parallel_is_refused_in_one_line_outside_jax(capsys, monkeypatch):
    if keras.backend.backend() == "jax":
        pytest.skip("JAX trains model-parallel across processes (--mesh)")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "0")
    status = main(["train", "vit", "--data", "digits", "--tiny", "--mesh", "1x2"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert err[-1].startswith("keras-seq train: error: --mesh 1x2 needs the JAX")


def test_under_jax_every_share_is_padded_to_the_whole_batch_width():
    from keras_seq.backend.jax import cluster
    from keras_seq.models.raw_inputs import PreprocessedBatches
    from keras_seq.models.raw_inputs import as_items
    from keras_seq.preprocessing.padding import pad_rows
    from keras_seq.preprocessing.padding import padded_length

    class Task:  # what the batches read: a task's `_preprocess`
        preprocessor = types.SimpleNamespace(sequence_length=64)

        def preprocess(self, x, y=None, sample_weight=None):
            rows = [[ord(letter) for letter in text] for text in x]
            return pad_rows(rows, padded_length(max(map(len, rows)), 64))

    texts = as_items(["abc", "a" * 30, "ab", "abcde", "x", "y"])

    def share(part, pads=True):
        batches = PreprocessedBatches(
            Task().preprocess, texts, batch_size=4, share=(part, 2)
        )
        if not pads:
            return batches
        return cluster.per_process(batches, batches)

    # Each alone, the halves of the first batch pad to 32 and to 8.
    assert [share(part, pads=False)[0].shape for part in (0, 1)] == [(2, 32), (2, 8)]
    first = [share(part)[0] for part in (0, 1)]
    assert [batch.shape for batch in first] == [(2, 32), (2, 32)]
    assert first[1][:, :5].tolist() == [[97, 98, 0, 0, 0], [97, 98, 99, 100, 101]]
    assert [share(part)[1].shape for part in (0, 1)] == [(1, 8), (1, 8)]
    # Fixed-size inputs (no sequence length) are read share by share.
    Task.preprocessor = None
    batches = share(0, pads=False)
    assert cluster.per_process(batches, batches) is batches


@pytest.mark.slow  # a process that imports Keras
@pytest.mark.multi_process
def test_the_join_watchdog_speaks_even_while_python_s_lock_is_held():
    # A regular expression that backtracks for ages holds the lock, as
    # TensorFlow's strategy does while it waits for its peers.
    script = (
        "import re, time\n"
        "from keras_seq.backend import processes\n"
        "print(time.time(), flush=True)\n"
        "processes._Watchdog('the peers never came', 1)\n"
        "re.match(r'(a+)+b', 'a' * 60)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=dict(os.environ, PYTHONPATH=str(process_runs.ROOT)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr[-3000:]
    assert time.time() - float(result.stdout) < 30  # 1 s, then the backstop's 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "keras-seq: error: the peers never came"
    assert sum("keras-seq" in line for line in lines) == 1
