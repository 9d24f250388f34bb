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

    Returns:
        The list of `jax.Device`s.
    """
    import jax

    return jax.devices()
