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

# Seconds without a heartbeat after which JAX declares a process dead.
HEARTBEAT_TIMEOUT = 60
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


def lost_peer(error):
    """Whether `error`, raised in a step, says another process is gone."""
    text = str(error)
    return any(word in text for word in _LOST)


def per_process(dataset, batches):
    """`dataset` as it is: Keras' JAX trainer assembles the global batch."""
    return dataset


def work_alone():
    """Nothing: `keras.distribution.set_distribution(None)` does it under JAX."""
