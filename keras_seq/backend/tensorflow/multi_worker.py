"""TensorFlow only: joining a multi-process run (`MultiWorkerMirroredStrategy`).

The strategy reads `TF_CONFIG`; it is made the default strategy of the
process (`tf.distribute.experimental_set_strategy`), so the model that
Keras builds, compiles and fits afterwards is the strategy's without a
`scope()` in the caller. Its collectives time out after
`COLLECTIVE_TIMEOUT` seconds, so a worker whose peer is gone ends with
an error instead of waiting for ever.
"""

import keras

# Seconds a collective (a gradient all-reduce) may wait for the others.
COLLECTIVE_TIMEOUT = 120

# What TensorFlow says when a peer of a collective is gone.
_LOST = (
    "Connection reset by peer",
    "Socket closed",
    "failed to connect",
    "Collective ops is aborted",
    "Deadline Exceeded",
    "heartbeat",
    "UNAVAILABLE",
    "unavailable",
)


def join(cluster, timeout):
    """Joins `cluster` (a `keras_seq.backend.processes.Cluster`): the strategy.

    Args:
        cluster: the processes, as `TF_CONFIG` names them.
        timeout: seconds to wait for every worker (`processes.join` ends a
            worker whose peers never come).
    """
    import tensorflow as tf

    options = tf.distribute.experimental.CommunicationOptions(
        timeout_seconds=COLLECTIVE_TIMEOUT
    )
    strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    tf.distribute.experimental_set_strategy(strategy)
    _build_from_one_replica()


def _build_from_one_replica():
    """Keras builds the model before `fit` from this worker's first batch.

    Keras' TensorFlow trainer reads the first batch of a distributed
    dataset and averages its per-replica values with `strategy.reduce`,
    which fails across workers for a batch's structure ("Attempt to
    convert a value (PerReplica...) to a Tensor"); reading it would also
    start one more pass over the batches, which draws their next order.
    The build needs shapes only: it reads the first batch of the batches
    `per_process` kept.
    """
    from keras.src.backend.tensorflow import trainer

    def maybe_symbolic_build(self, iterator=None, data_batch=None):
        if self._distribute_strategy is None:
            return
        if iterator is not None:
            dataset = getattr(iterator, "_distributed_dataset", None)
            batches = getattr(dataset, "keras_seq_batches", None)
            data_batch = None if batches is None else batches[0]
        with self.distribute_strategy.scope():
            self._symbolic_build(iterator=iterator, data_batch=data_batch)

    trainer.TensorFlowTrainer._maybe_symbolic_build = maybe_symbolic_build
    _mean_over_workers()


def _mean_over_workers():
    """The step's logs averaged over the workers, scalars included.

    Keras' TensorFlow trainer averages them across workers with
    `strategy.reduce("MEAN", value, axis=0)`, which fails for a scalar
    ("Invalid reduction dimension 0 for input with 0 dimensions"); here
    each value is averaged over the replicas (`axis=None`).
    """
    import tensorflow as tf
    from keras.src.backend.tensorflow import trainer

    keras_reduce = trainer.reduce_per_replica

    def reduce_per_replica(values, strategy, reduction):
        if reduction not in ("auto", "mean"):
            return keras_reduce(values, strategy, reduction)

        def mean(value):
            if isinstance(value, tf.distribute.DistributedValues):
                return strategy.reduce("MEAN", value, axis=None)
            return value

        return keras.tree.map_structure(mean, values)

    trainer.reduce_per_replica = reduce_per_replica


def per_process(dataset, batches):
    """`dataset`, this worker's share of every batch, as the strategy's input.

    Each worker reads its own share already (one replica a worker), so
    the strategy neither shards nor rebatches it
    (`distribute_datasets_from_function`).

    Args:
        dataset: the `tf.data.Dataset` of `batches`.
        batches: the `keras.utils.PyDataset` of this worker's shares.
    """
    import tensorflow as tf

    if not isinstance(dataset, tf.data.Dataset):
        return dataset
    strategy = tf.distribute.get_strategy()
    distributed = strategy.distribute_datasets_from_function(lambda context: dataset)
    # Keras builds the model from their first (`_build_from_one_replica`).
    distributed.keras_seq_batches = batches
    return distributed


def work_alone():
    """Leaves the strategy: models loaded from now on are this worker's alone."""
    import tensorflow as tf

    tf.distribute.experimental_set_strategy(None)


def lost_peer(error):
    """Whether `error`, raised in a step, says another worker is gone."""
    text = str(error)
    return any(word in text for word in _LOST)
