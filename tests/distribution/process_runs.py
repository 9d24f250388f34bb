"""Launching `keras-seq train` as several processes on 127.0.0.1, for the tests.

Not collected (no `test_` prefix): `test_multi_process*.py` use it. Each
process is started the way its engine's launcher would start it (the
variables `keras_seq.backend.processes` reads), runs `counting_main` and
ends within a time limit. `counting_main` counts the examples the process
preprocessed while it trained, and prints the count last.
"""

import json
import os
import pathlib
import socket
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).parents[2]
SEEN = "examples seen while training: "
# A tiny ViT on 8x8 digits: every batch has the same shape.
TRAIN = [
    "train", "vit", "--data", "digits", "--tiny", "--limit", "64",
    "--batch-size", "16", "--seed", "3",
]  # fmt: skip


def free_port():
    """A TCP port nobody listens on now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(backend, extra=None):
    """This Python's environment for a child process of `backend`, one thread."""
    env = dict(os.environ, KERAS_BACKEND=backend, OMP_NUM_THREADS="1")
    for name in list(env):
        if name.startswith(("PYTEST_", "KERAS_DISTRIBUTION_")) or name in (
            "TF_CONFIG", "RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT",
        ):  # fmt: skip
            del env[name]
    env["PYTHONPATH"] = str(ROOT)
    if backend == "jax":
        env["JAX_PLATFORMS"] = "cpu"
    extra = dict(extra or {})
    if "XLA_FLAGS" in extra:  # added to the suite's own
        extra["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {extra['XLA_FLAGS']}".strip()
    env.update(extra)
    return env


def launcher_variables(backend, processes, process_id, port):
    """What `backend`'s launcher sets for process `process_id` of `processes`."""
    if backend == "jax":
        return {
            "KERAS_DISTRIBUTION_JOB_ADDRESSES": f"127.0.0.1:{port}",
            "KERAS_DISTRIBUTION_NUM_PROCESSES": str(processes),
            "KERAS_DISTRIBUTION_PROCESS_ID": str(process_id),
        }
    if backend == "tensorflow":
        ports = [port + i for i in range(processes)]
        config = {
            "cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
            "task": {"type": "worker", "index": process_id},
        }
        return {"TF_CONFIG": json.dumps(config)}
    return {
        "RANK": str(process_id),
        "LOCAL_RANK": str(process_id),
        "WORLD_SIZE": str(processes),
        "LOCAL_WORLD_SIZE": str(processes),
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(port),
    }


def start(backend, argv, folder, processes=2, ids=None, extra=None, script=__file__):
    """Starts processes `ids` (default: all) of a run in `folder`; the Popens.

    Each runs `script` (default: this file, `counting_main`) with `argv`.
    """
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    started = []
    for process_id in range(processes) if ids is None else ids:
        variables = launcher_variables(backend, processes, process_id, port)
        log = open(folder / f"process{process_id}.log", "w")  # noqa: SIM115
        started.append(
            subprocess.Popen(
                [sys.executable, script, *argv],
                cwd=folder,
                env=environment(backend, {**variables, **(extra or {})}),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        log.close()
    return started


def wait(started, folder, timeout):
    """`[(exit status, output)]` of `started`; those running at `timeout` killed."""
    deadline = time.monotonic() + timeout
    results = []
    for process in started:
        try:
            process.wait(max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        results.append(process.returncode)
    logs = sorted(folder.glob("process*.log"))
    return [(code, log.read_text()) for code, log in zip(results, logs)]


def run(backend, argv, folder, processes=2, timeout=600, extra=None):
    """Runs a whole cluster; `[(exit status, output)]` by process."""
    return wait(start(backend, argv, folder, processes, extra=extra), folder, timeout)


def run_alone(backend, argv, folder, extra=None, timeout=600, script=__file__):
    """One process of `script`, no launcher: `(exit status, output)`."""
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, script, *argv],
        cwd=folder,
        env=environment(backend, extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return result.returncode, result.stdout + result.stderr


def cluster_and_alone(
    backend, argv, alone_argv, folder, extra=None, alone_extra=None, script=__file__
):
    """2 processes of `argv` in `folder/cluster`, and `alone_argv` in `folder/alone`.

    Both run at once; each must finish (exit status 0), or the assertion
    shows its output. Returns `[(exit status, output)]` by process of the
    cluster, and the output of the lone process.
    """
    started = start(backend, argv, folder / "cluster", extra=extra, script=script)
    code, alone = run_alone(
        backend, alone_argv, folder / "alone", alone_extra, script=script
    )
    results = wait(started, folder / "cluster", timeout=600)
    for status, output in [(code, alone), *results]:
        assert status == 0, output[-3000:]
    return results, alone


def seen(output):
    """The examples a process said it preprocessed while training."""
    line = [line for line in output.splitlines() if line.startswith(SEEN)][-1]
    return int(line[len(SEEN) :])


def losses(folder):
    """The training and validation losses of every epoch in `folder`'s history."""
    record = json.loads((folder / "history.json").read_text())
    return record, record["history"]["loss"] + record["history"]["val_loss"]


def counting_main(argv):
    """`keras-seq argv`, counting the examples preprocessed in shares of batches."""
    import inspect

    import keras

    from keras_seq.backend import processes
    from keras_seq.cli import main
    from keras_seq.models import raw_inputs

    count, training = [0], [True]
    read = raw_inputs.PreprocessedBatches.__getitem__
    alone = processes.work_alone

    def counting(self, index):
        batch = read(self, index)
        building = any(
            frame.function == "maybe_symbolic_build" for frame in inspect.stack()
        )  # TensorFlow's workers build the model from a batch: not training
        if training[0] and not building:
            count[0] += len(keras.tree.flatten(batch)[0])
        return batch

    def work_alone():
        training[0] = False  # the run is over: process 0 measures alone
        alone()

    raw_inputs.PreprocessedBatches.__getitem__ = counting
    processes.work_alone = work_alone
    status = main(argv)
    print(f"{SEEN}{count[0]}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(counting_main(sys.argv[1:]))
