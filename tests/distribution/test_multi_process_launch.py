"""What the launchers' variables say, and the one-line refusals (no cluster formed).

The runs themselves are in test_multi_process.py.
"""

import json

import keras
import pytest

from keras_seq.backend import processes
from keras_seq.cli import main


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
        # Another engine's variables do not make a cluster.
        ("jax", {"RANK": "0", "WORLD_SIZE": "4"}, (1, 0, None)),
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
