"""One training run over several processes, joined by each engine's launcher.

Each backend forms its cluster the way its users already launch one, and
this module only reads what the launcher set and calls the engine:

- JAX: `KERAS_DISTRIBUTION_JOB_ADDRESSES` (the coordinator's `host:port`,
  or every process's, comma-separated), `KERAS_DISTRIBUTION_NUM_PROCESSES`
  and `KERAS_DISTRIBUTION_PROCESS_ID`, the variables of
  `keras.distribution.initialize` (`keras_seq.backend.jax.cluster`);
- TensorFlow: `TF_CONFIG`, for `tf.distribute.MultiWorkerMirroredStrategy`
  (`keras_seq.backend.tensorflow.multi_worker`);
- PyTorch: `torchrun`'s `RANK`, `WORLD_SIZE`, `MASTER_ADDR` and
  `MASTER_PORT`, for `torch.distributed` (`keras_seq.backend.torch.
  multi_process`).

Every process then reads its own share of each global batch (`share`),
and the engine's collectives make one update of the whole batch.
"""

import dataclasses
import faulthandler
import json
import os
import threading

import keras

# How long a process waits for its peers to join (seconds), unless
# KERAS_SEQ_JOIN_TIMEOUT says otherwise.
JOIN_TIMEOUT = 300
# Seconds past it after which a process ends even if its engine holds
# Python's lock (the watchdog has printed the line by then).
_BACKSTOP = 2
# The watchdog: a process of its own, so that it speaks even while the
# engine waits holding Python's lock (TensorFlow's strategy does). It
# prints its line and exits 3 unless its input closes (the cluster was
# joined, or this process ended) within the timeout.
_WATCHDOG = """
import select, sys
if not select.select([sys.stdin], [], [], float(sys.argv[1]))[0]:
    print(sys.argv[2], file=sys.stderr, flush=True)
    sys.exit(3)
"""
_FIRED = 3
# How every error line of a cluster's process begins.
_LINE = "keras-seq: error: "


class PeerLost(RuntimeError):
    """A process of the cluster never came, or stopped: one line to show."""


@dataclasses.dataclass(frozen=True)
class Cluster:
    """The processes of one run, as the launcher described them.

    Attributes:
        processes: how many processes train together (1: alone).
        process_id: this process's number, 0 to `processes - 1`.
        address: the coordinator's `host:port` (None alone).
        engine: the backend that joined them.
    """

    processes: int = 1
    process_id: int = 0
    address: str = None
    engine: str = None

    @property
    def is_writer(self):
        """Whether this process writes the run's files (process 0)."""
        return self.process_id == 0

    @property
    def share(self):
        """`(process_id, processes)`: which share of each global batch is ours."""
        return self.process_id, self.processes

    def describe(self):
        return f"process {self.process_id} of {self.processes}"


ALONE = Cluster()
_joined = ALONE
_sharing = True


def _integer(environ, name):
    text = environ.get(name, "")
    try:
        return int(text)
    except ValueError:
        raise PeerLost(f"{name}={text!r}: expected an integer") from None


# The variable each engine's launcher sets: where it is set for another
# engine than the backend's, the processes would each train alone.
_LAUNCHER_VARIABLES = {
    "jax": "KERAS_DISTRIBUTION_NUM_PROCESSES",
    "tensorflow": "TF_CONFIG",
    "torch": "WORLD_SIZE",
}


def launched(backend, environ=None):
    """The `Cluster` the launcher's variables describe for `backend`, or ALONE.

    Raises:
        PeerLost: when a variable is malformed, or when another engine's
            launcher started several processes (each would train alone).
    """
    environ = os.environ if environ is None else environ
    cluster = _described(backend, environ)
    for engine, name in _LAUNCHER_VARIABLES.items():
        if cluster is ALONE and engine != backend and environ.get(name):
            processes = _described(engine, environ).processes
            if processes > 1:
                raise PeerLost(
                    f"{name} is set for {processes} processes of {engine}'s "
                    f"launcher, but the backend is {backend}: run with "
                    f"KERAS_BACKEND={engine}, or launch the {backend} way"
                )
    return cluster


def _described(backend, environ):
    if backend == "jax" and "KERAS_DISTRIBUTION_NUM_PROCESSES" in environ:
        processes = _integer(environ, "KERAS_DISTRIBUTION_NUM_PROCESSES")
        process_id = _integer(environ, "KERAS_DISTRIBUTION_PROCESS_ID")
        address = environ.get("KERAS_DISTRIBUTION_JOB_ADDRESSES", "")
        address = address.split(",")[0] or None
    elif backend == "tensorflow" and environ.get("TF_CONFIG"):
        try:
            config = json.loads(environ["TF_CONFIG"])
            workers = config["cluster"]["worker"]
            process_id = int(config["task"]["index"])
        except (ValueError, KeyError, TypeError):
            raise PeerLost(
                'TF_CONFIG: expected JSON such as {"cluster": {"worker": '
                '["host:port", ...]}, "task": {"type": "worker", "index": 0}}'
            ) from None
        processes, address = len(workers), workers[0]
    elif backend == "torch" and "WORLD_SIZE" in environ:
        processes = _integer(environ, "WORLD_SIZE")
        process_id = _integer(environ, "RANK")
        address = f"{environ.get('MASTER_ADDR')}:{environ.get('MASTER_PORT')}"
    else:
        return ALONE
    if processes < 1 or not 0 <= process_id < processes:
        raise PeerLost(
            f"process {process_id} of {processes}: the process number must be "
            f"0 to {processes - 1}"
        )
    if processes == 1:
        return ALONE
    if address is None:
        raise PeerLost(
            "KERAS_DISTRIBUTION_JOB_ADDRESSES: give the coordinator's host:port"
        )
    return Cluster(processes, process_id, address, backend)


def join_timeout():
    """Seconds a process waits for its peers (KERAS_SEQ_JOIN_TIMEOUT)."""
    text = os.environ.get("KERAS_SEQ_JOIN_TIMEOUT")
    if not text:
        return JOIN_TIMEOUT
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise PeerLost(f"KERAS_SEQ_JOIN_TIMEOUT={text!r}: expected seconds, >= 1")
    return value


def _engine(backend):
    if backend == "jax":
        from keras_seq.backend.jax import cluster

        return cluster
    if backend == "tensorflow":
        from keras_seq.backend.tensorflow import multi_worker

        return multi_worker
    from keras_seq.backend.torch import multi_process

    return multi_process


def join(timeout=None):
    """Joins the cluster the launcher described; alone, does nothing.

    Every process blocks until all have joined. If they have not within
    `timeout` seconds, this process ends (its engine could no longer
    leave the half-formed cluster) with a one-line error on stderr and
    exit status 1: it never trains alone.

    Args:
        timeout: seconds to wait for the peers (default: `join_timeout()`).

    Returns:
        The `Cluster` joined (`ALONE` without a launcher).

    Raises:
        PeerLost: when the launcher's variables are malformed.
    """
    global _joined
    backend = keras.backend.backend()
    cluster = launched(backend)
    if cluster.processes == 1 or _joined.processes > 1:
        return _joined if _joined.processes > 1 else cluster
    timeout = timeout or join_timeout()
    watchdog = _Watchdog(
        f"{cluster.describe()}: the other processes did not join {cluster.address} "
        f"within {timeout} s (KERAS_SEQ_JOIN_TIMEOUT); start every process with "
        "the same command and address; nothing was trained or written",
        timeout,
    )
    try:
        _engine(backend).join(cluster, timeout)
    finally:
        watchdog.stop()
    _joined = cluster
    return cluster


class _Watchdog:
    """Ends this process with exit status 1 and `message` after `timeout` s.

    The line comes from a process of its own (`_WATCHDOG`); this process
    then ends from a thread, or, where the engine holds Python's lock,
    from `faulthandler`'s C thread `_BACKSTOP` seconds later, silently.
    """

    def __init__(self, message, timeout):
        import subprocess
        import sys

        self._child = subprocess.Popen(
            [sys.executable, "-S", "-c", _WATCHDOG, str(timeout), _LINE + message],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
        )
        self._alarm = threading.Timer(timeout, self._fired)
        self._alarm.daemon = True
        self._alarm.start()
        self._backstop = open(os.devnull, "w")  # noqa: SIM115 (kept till the end)
        faulthandler.dump_traceback_later(
            timeout + _BACKSTOP, exit=True, file=self._backstop
        )

    def _fired(self):
        import subprocess

        try:
            if self._child.wait(_BACKSTOP) == _FIRED:
                os._exit(1)
        except subprocess.TimeoutExpired:
            pass

    def stop(self):
        """Ends the watchdog once joined, or this process if it has fired."""
        self._alarm.cancel()
        self._child.stdin.close()
        fired = self._child.wait() == _FIRED
        faulthandler.cancel_dump_traceback_later()
        self._backstop.close()
        if fired:
            os._exit(1)


def exit_in_one_line(message):
    """Prints `message` and ends the process now, past the engine's own shutdown.

    A cluster whose peer is gone cannot be left cleanly: the engine's
    exit handlers would wait for it, then abort with pages of logs.
    """
    import sys

    print(_LINE + message, file=sys.stderr, flush=True)
    sys.stdout.flush()
    os._exit(1)


def current():
    """The `Cluster` this process joined (`ALONE` if none)."""
    return _joined


def batch_share():
    """`(index, count)`: the share of each global batch this process reads.

    `(0, 1)` alone, or after `work_alone`.
    """
    return _joined.share if _sharing else (0, 1)


def per_process(dataset, batches):
    """`dataset` of `batches` (this process's shares) as the engine's `fit` takes it.

    Args:
        dataset: what `support.batches_for_keras(batches)` made.
        batches: the `PreprocessedBatches` of this process's shares.
    """
    if _joined.processes == 1 or not _sharing:
        return dataset
    return _engine(_joined.engine).per_process(dataset, batches)


def check_step(captured):
    """Raises where this process's train step would not average over the others.

    Args:
        captured: whether the step is keras-seq's captured one (PyTorch).
    """
    if _joined.processes > 1 and _sharing and _joined.engine == "torch":
        _engine("torch").check_step(captured)


def work_alone():
    """From now on this process reads whole batches (e.g. process 0 measuring
    the trained model on one device, after the run)."""
    global _sharing
    if _sharing and _joined.processes > 1:
        _engine(_joined.engine).work_alone()
    _sharing = False


def check_peers_alive(error):
    """Ends the process in one line if `error` says a peer of the cluster died.

    Called with an exception raised while training; returns when the
    exception is not the engine's word for a lost peer (or this process
    is alone).
    """
    cluster = _joined
    if cluster.processes == 1:
        return
    if _engine(cluster.engine).lost_peer(error):
        exit_in_one_line(
            f"{cluster.describe()}: another process of the run stopped "
            f"({str(error).splitlines()[0][:160]}); its last completed epoch is "
            "saved: relaunch every process with --resume"
        )
