"""JAX only: the platform its kernels run on, and its devices."""


def default_platform():
    """Returns the platform JAX runs on: `"cpu"`, `"gpu"` or `"tpu"`.

    Example:

    >>> if keras.backend.backend() == "jax":
    ...     print(default_platform() in ("cpu", "gpu", "tpu"))
    ... else:
    ...     print(True)
    True
    """
    import jax

    return jax.default_backend()


def find_devices():
    """Finds JAX's devices now, with the logs of a failed probe, not on first use.

    Not in a process launched as one of several (`keras_seq.backend.
    processes`): `jax.distributed.initialize` must come before JAX starts
    its backends, and JAX then finds every process's devices.

    Returns:
        The list of `jax.Device`s, or None in such a process.
    """
    import jax

    from keras_seq.backend import processes

    try:
        launched = processes.launched("jax").processes > 1
    except processes.PeerLost:
        launched = True  # `keras-seq train` says what is wrong in the variables
    if launched and processes.current().processes == 1:
        return None
    return jax.devices()
