"""`initialize()`: join the multi-process run the engine's launcher started.

See the guide docs/many_machines.md and `keras_seq.backend.processes`.
"""

import keras

from keras_seq.backend import processes


def initialize(timeout=None):
    """Joins the processes of one training run, as its launcher described them.

    Call it first, before Keras touches a device: under JAX the launch
    variables of `keras.distribution.initialize` (`KERAS_DISTRIBUTION_*`),
    under TensorFlow `TF_CONFIG`, under PyTorch `torchrun`'s. Afterwards a
    `Task` trains as one over every process: each reads its share of
    every batch given to `fit` as raw examples, and the gradients are
    averaged over all of them. Under JAX, the distribution set here is
    data-parallel over every process's devices
    (`keras.distribution.DataParallel(auto_shard_dataset=False)`: the
    processes read their shares already; set another one, a
    `ModelParallel`, the same way); under TensorFlow, the model is built
    in the multi-worker strategy made here; under PyTorch, keras-seq's
    train step averages the gradients. Without those variables it does
    nothing. `keras-seq train` joins the same way.

    Args:
        timeout: seconds to wait for the other processes (default: the
            `KERAS_SEQ_JOIN_TIMEOUT` variable, or 300). A process whose
            peers have not joined by then ends with a one-line error.

    Returns:
        The `keras_seq.backend.processes.Cluster` joined: `processes`,
        `process_id`, `is_writer` (write files only where it is True).

    Raises:
        ValueError: for malformed launch variables.

    Example:

    >>> initialize().processes  # launched alone
    1
    """
    try:
        cluster = processes.join(timeout)
    except processes.PeerLost as error:
        raise ValueError(str(error)) from None
    if cluster.processes > 1 and keras.backend.backend() == "jax":
        keras.distribution.set_distribution(
            keras.distribution.DataParallel(auto_shard_dataset=False)
        )
    return cluster
