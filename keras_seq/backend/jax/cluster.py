"""JAX only: joining a multi-process run (`jax.distributed`).

What `keras.distribution.initialize()` does with the same variables,
with keras-seq's timeouts: `jax.distributed.initialize` on the
coordinator's address, then one random seed for every process (Keras'
`initialize_rng`: a model built before the run's own seed is set, as a
resumed run's is loaded, starts alike everywhere). On CPU, JAX's
collectives between processes need gloo
(`jax_cpu_collectives_implementation`), set before JAX starts its
backends.
"""

import threading
import time

import keras
import numpy as np

# Seconds a process may go unheard (no beat of its `_Listener`) before
# the others end in one line: a machine gone without closing its
# connections. JAX's own heartbeat, which would end them with pages of
# logs, waits longer.
SILENCE_TIMEOUT = 60
# JAX's: seconds without a heartbeat after which it aborts the process.
HEARTBEAT_TIMEOUT = SILENCE_TIMEOUT + 60
# Seconds between two beats.
_BEAT = 2
# Seconds a finished process waits for the others to finish (process 0
# measures and saves the model after the run).
SHUTDOWN_TIMEOUT = 1800

# What gloo says when the peer at the other end of a collective is gone.
_LOST = ("Connection reset by peer", "Connection closed by peer", "Gloo", "heartbeat")


def join(cluster, timeout):
    """Joins `cluster` (a `keras_seq.backend.processes.Cluster`).

    Args:
        cluster: the processes, this one's id and the coordinator's address.
        timeout: seconds to wait for every process; JAX's own deadline is
            set past it, so that `processes.join`'s one-line error comes
            first.
    """
    import jax

    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(
        coordinator_address=cluster.address,
        num_processes=cluster.processes,
        process_id=cluster.process_id,
        initialization_timeout=timeout + 30,
        heartbeat_timeout_seconds=HEARTBEAT_TIMEOUT,
        shutdown_timeout_seconds=SHUTDOWN_TIMEOUT,
    )
    from keras.src.backend.jax import distribution_lib

    distribution_lib.initialize_rng()
    _Listener(cluster).start()


class _Listener:
    """Ends this process in one line when another goes silent (until `work_alone`).

    Silent: nothing heard for `SILENCE_TIMEOUT` seconds. Every `_BEAT`
    seconds a thread counts this process's beats in the coordinator's
    key-value store (`jax.distributed`'s) and reads every other's;
    another thread watches that the counts move and that the store
    answers (the coordinator itself may be the one gone).
    """

    def __init__(self, cluster):
        from jax._src import distributed

        self.cluster = cluster
        self.client = distributed.global_state.client
        self.heard = time.monotonic()  # when every count last moved
        self.counts = {}

    def start(self):
        for loop in (self._beat, self._watch):
            threading.Thread(target=loop, daemon=True).start()

    def _beat(self):
        key = f"keras_seq/beats/{self.cluster.process_id}"
        while _listening:
            try:
                self.client.key_value_increment(key, 1)
                counts = dict(self.client.key_value_dir_get("keras_seq/beats/"))
            except Exception:  # the coordinator is gone: silence, then `_watch`
                return
            if len(counts) == self.cluster.processes and all(
                counts[name] != self.counts.get(name) for name in counts
            ):
                self.heard = time.monotonic()
                self.counts = counts
            time.sleep(_BEAT)

    def _watch(self):
        from keras_seq.backend import processes

        while _listening:
            time.sleep(_BEAT)
            silent = time.monotonic() - self.heard
            if _listening and silent > SILENCE_TIMEOUT:
                processes.exit_in_one_line(
                    f"{self.cluster.describe()}: a process of the run went silent "
                    f"(nothing heard for {SILENCE_TIMEOUT} s); its last completed "
                    "epoch is saved: relaunch every process with --resume"
                )


_listening = True


def lost_peer(error):
    """Whether `error`, raised in a step, says another process is gone."""
    text = str(error)
    return any(word in text for word in _LOST)


def per_process(dataset, batches):
    """`dataset`, its shares all of one shape where the preprocessor pads.

    Keras' JAX trainer assembles each global batch from every process's
    share, which must all have the same shape. Images and clips do; a
    preprocessor that pads each batch to its own longest sequence (text,
    series: it has a `sequence_length` or `source_length`) would pad the
    shares to different widths. There every process preprocesses the
    whole global batch and keeps its share of the rows (`SameWidths`).

    Args:
        dataset: the batches as `fit` takes them (`batches` itself).
        batches: the `PreprocessedBatches` of this process's shares.
    """
    task = getattr(batches.preprocessor, "__self__", None)  # a Task's method
    preprocessor = getattr(task, "preprocessor", batches.preprocessor)
    if any(
        hasattr(preprocessor, name) for name in ("sequence_length", "source_length")
    ):
        return SameWidths(batches)
    return dataset


class SameWidths(keras.utils.PyDataset):
    """This process's share of each global batch, padded as the whole batch is.

    Args:
        batches: a `PreprocessedBatches` whose `share` is this process's.
    """

    def __init__(self, batches):
        super().__init__()
        self.batches = batches

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, index):
        share = self.batches.share
        self.batches.share = (0, 1)
        try:
            whole = self.batches[index]
        finally:
            self.batches.share = share
        part, parts = share
        rows = len(keras.tree.flatten(whole)[0])
        kept = np.array_split(np.arange(rows), parts)[part]
        return keras.tree.map_structure(lambda array: array[kept], whole)

    def on_epoch_begin(self):
        self.batches.on_epoch_begin()

    def on_epoch_end(self):
        self.batches.on_epoch_end()


def work_alone():
    """Stops listening to the others, which may end now.

    The rest, `keras.distribution.set_distribution(None)` does under JAX.
    """
    global _listening
    _listening = False
