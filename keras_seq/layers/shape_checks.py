"""Checks of the shapes a layer receives, made before any kernel sees them.

A tensor of the wrong rank fails deep inside a backend (an IndexError, an
einsum or shape error of the backend) unless it is caught where the layer
first sees its shape: at build time, or when a call is traced. These checks
read static shapes only, so they cost nothing at run time and work under
every backend's jit (an unknown size, None, is never an error by itself).
"""

import numpy as np

from keras_seq.utils.validation import is_int


def static_shape(value):
    """The static shape of a tensor, KerasTensor or array (None if unknown).

    Sizes unknown before run time (None, or symbolic as under `jax.export`)
    are None; the whole shape is None when even the rank is unknown (a
    TensorFlow tensor of unknown rank).
    """
    if value is None:
        return None
    shape = getattr(value, "shape", None)
    if shape is None:
        shape = np.shape(value)
    try:
        return tuple(_static_size(size) for size in shape)
    except (TypeError, ValueError):
        return None


def _static_size(size):
    """An int, or None for a size unknown before run time."""
    if size is None or is_int(size):
        return size if size is None else int(size)
    if type(size).__name__ == "SymInt":
        # torch.export's symbolic size: int() would fix it to the example's.
        return None
    try:
        # A size torch's tracer returns as a 0-d tensor is known.
        return int(size)
    except Exception:
        # A symbolic size (`jax.export` traces with symbolic batch and time
        # axes) raises InconclusiveDimensionOperation when made an int.
        return None


def _describe(axes, sizes):
    parts = []
    for name in axes:
        allowed = sizes.get(name)
        if isinstance(allowed, tuple):
            allowed = " or ".join(str(size) for size in allowed if size is not None)
        parts.append(name if allowed in (None, "") else f"{name}={allowed}")
    return "(" + ", ".join(parts) + ")"


def check_shape(layer, argument, shape, *alternatives, sizes=None, known=()):
    """Raises a ValueError unless `shape` matches one of `alternatives`.

    Args:
        layer: the layer checking; its class name starts the message.
        argument: the name of the argument, as its caller passes it.
        shape: the static shape received, from `static_shape`.
        *alternatives: the accepted shapes, each a tuple of axis names
            such as `("batch", "time", "dim")`; the one of the same rank
            applies.
        sizes: `{axis name: size}` (or a tuple of allowed sizes) for the
            axes that must agree with something already known; None (or
            an unknown received size) skips the axis.
        known: names of the axes whose size must be known.
    """
    if shape is None:
        return
    sizes = sizes or {}
    expected = " or ".join(_describe(axes, sizes) for axes in alternatives)
    message = (
        f"{type(layer).__name__} expects `{argument}` of shape {expected}. "
        f"Received: {argument}.shape={shape}"
    )
    axes = next((axes for axes in alternatives if len(axes) == len(shape)), None)
    if axes is None:
        raise ValueError(message)
    for name, size in zip(axes, shape):
        if size is None:
            if name in known:
                raise ValueError(f"{message}. The size of `{name}` must be known.")
            continue
        allowed = sizes.get(name)
        allowed = allowed if isinstance(allowed, tuple) else (allowed,)
        if None not in allowed and size not in allowed:
            raise ValueError(message)


def check_sequence(layer, shape, dim=None):
    """`inputs` of `layer` must be `(batch, time, dim)`, of size `dim` if given."""
    check_shape(
        layer,
        "inputs",
        shape,
        ("batch", "time", "dim"),
        sizes={"dim": dim},
        known=("dim",),
    )
