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


def check_attention_build(attention, inputs_shape, context_shape=None):
    """Checks the shapes an attention layer is built with.

    `inputs` must be `(batch, time, dim)` and `context` `(batch,
    source_time, context_dim)`, their feature sizes known; without
    `key_dim`, `num_heads` must divide the input size.

    Args:
        attention: the `MultiHeadSelfAttention` being built.
        inputs_shape: the shape of `inputs`, a tuple.
        context_shape: the shape of `context`, a tuple, or None.

    Example:

    >>> from keras_seq.layers import MultiHeadSelfAttention
    >>> attention = MultiHeadSelfAttention(num_heads=3)
    >>> try:
    ...     check_attention_build(attention, (None, None, 8))
    ... except ValueError as error:
    ...     print(str(error).split(". ")[0])
    Without `key_dim`, `num_heads` must divide the input size
    """
    check_sequence(attention, inputs_shape)
    if context_shape is not None:
        check_shape(
            attention,
            "context",
            context_shape,
            ("batch", "source_time", "context_dim"),
            known=("context_dim",),
        )
    if attention.key_dim is None and inputs_shape[-1] % attention.num_heads:
        raise ValueError(
            "Without `key_dim`, `num_heads` must divide the input size. "
            f"Received: num_heads={attention.num_heads}, "
            f"inputs.shape={inputs_shape}. Pass `key_dim` or choose "
            "`num_heads` dividing the input size."
        )


def check_attention_call(
    attention,
    inputs,
    context=None,
    mask=None,
    context_mask=None,
    attention_mask=None,
    cache=None,
    cache_index=None,
    layer=None,
):
    """Checks the arguments of one attention call against each other and the build.

    The shapes a `MultiHeadSelfAttention` call receives must agree with
    the sizes it was built with and with each other: the batch of every
    tensor, the time axis of the masks, a mask over the cache slots when
    there is a cache. A transformer layer checks what it hands on to its
    attention with `layer` set to itself, so the message names the layer
    the user called.

    Args:
        attention: a built `MultiHeadSelfAttention`.
        inputs, context, mask, context_mask, attention_mask, cache,
            cache_index: the arguments of the call, as
            `MultiHeadSelfAttention.call` takes them.
        layer: the layer named in the messages (default: `attention`).

    Example:

    >>> from keras_seq.layers import MultiHeadSelfAttention
    >>> attention = MultiHeadSelfAttention(num_heads=2)
    >>> attention.build((None, None, 8))
    >>> inputs, mask = np.zeros((2, 5, 8)), np.ones((2, 4))
    >>> try:
    ...     check_attention_call(attention, inputs, mask=mask)
    ... except ValueError as error:
    ...     print(str(error).split(". ")[0])
    MultiHeadSelfAttention expects `mask` of shape (batch=2, time=5)
    """
    layer = layer or attention
    inputs_shape = static_shape(inputs)
    check_shape(
        layer,
        "inputs",
        inputs_shape,
        ("batch", "time", "dim"),
        sizes={"dim": attention.input_dim},
    )
    # Unknown ranks (None) leave only what is known to check.
    batch, time = inputs_shape[:2] if inputs_shape else (None, None)
    if context is not None:
        context_shape = static_shape(context)
        check_shape(
            layer,
            "context",
            context_shape,
            ("batch", "source_time", "context_dim"),
            sizes={"batch": batch, "context_dim": attention.source_dim},
        )
        source_time = context_shape[1] if context_shape else None
    elif inputs_shape and inputs_shape[-1] != attention.source_dim:
        raise ValueError(
            f"This {type(layer).__name__} was built with `context` of size "
            f"{attention.source_dim}; without `context` the keys come from "
            f"`inputs`, which must then be of that size. Received: "
            f"inputs.shape={inputs_shape}"
        )
    else:
        source_time = time
    if cache is not None:
        if context is not None:
            raise ValueError(
                "`cache` is only supported for self-attention (no `context`)."
            )
        if cache_index is None:
            raise ValueError("`cache_index` is required with `cache`.")
        check_shape(
            layer,
            "cache",
            static_shape(cache),
            ("batch", "keys_and_values", "num_heads", "cache_length", "key_dim"),
            sizes={
                "batch": batch,
                "keys_and_values": 2,
                "num_heads": attention.num_heads,
                "key_dim": attention.head_key_dim,
            },
        )
        cache_shape = static_shape(cache)
        source_time = cache_shape[3] if cache_shape else None
        if static_shape(cache_index) not in ((), None):
            raise ValueError(
                "`cache_index` must be an int or a scalar tensor. Received: "
                f"cache_index.shape={static_shape(cache_index)}"
            )
    if cache is None:
        padding, padding_sizes = ("batch", "time"), {"batch": batch, "time": time}
    else:
        padding = ("batch", "cache_length")
        padding_sizes = {"batch": batch, "cache_length": source_time}
    check_shape(layer, "mask", static_shape(mask), padding, sizes=padding_sizes)
    check_shape(
        layer,
        "context_mask",
        static_shape(context_mask),
        ("batch", "source_time"),
        sizes={"batch": batch, "source_time": source_time},
    )
    # Any shape that broadcasts, as in Keras' MultiHeadAttention.
    check_shape(
        layer,
        "attention_mask",
        static_shape(attention_mask),
        ("time", "source_time"),
        ("batch", "time", "source_time"),
        ("batch", "heads", "time", "source_time"),
        sizes={
            "batch": _or_one(batch),
            "heads": (1, attention.num_heads),
            "time": _or_one(time),
            "source_time": _or_one(source_time),
        },
    )


def check_projected_context_call(
    attention, inputs, context, context_mask, cache, context_key_value
):
    """Checks an attention call given `context_key_value` in place of `context`.

    The keys and values come already projected (`project_context`), so
    neither `context` nor a `cache` may come with them, and `context_mask`
    must cover their source steps.

    Args:
        attention: a built `MultiHeadSelfAttention`.
        inputs, context, context_mask, cache, context_key_value: the
            arguments of the call.

    Example:

    >>> from keras_seq.layers import MultiHeadSelfAttention
    >>> attention = MultiHeadSelfAttention(num_heads=2)
    >>> attention.build((None, None, 8))
    >>> projected = np.zeros((2, 2, 2, 7, 4))
    >>> check_projected_context_call(
    ...     attention, np.zeros((2, 5, 8)), None, None, None, projected
    ... )
    """
    if context is not None or cache is not None:
        raise ValueError(
            "`context_key_value` takes the place of `context` and comes "
            "without `cache`. Received: "
            f"context={'a tensor' if context is not None else None}, "
            f"cache={'a tensor' if cache is not None else None}"
        )
    inputs_shape = static_shape(inputs)
    check_shape(
        attention,
        "inputs",
        inputs_shape,
        ("batch", "time", "dim"),
        sizes={"dim": attention.input_dim},
    )
    projected_shape = static_shape(context_key_value)
    check_shape(
        attention,
        "context_key_value",
        projected_shape,
        ("batch", "keys_and_values", "num_heads", "source_time", "key_dim"),
        sizes={
            "batch": inputs_shape[0] if inputs_shape else None,
            "keys_and_values": 2,
            "num_heads": attention.num_heads,
            "key_dim": attention.head_key_dim,
        },
    )
    check_shape(
        attention,
        "context_mask",
        static_shape(context_mask),
        ("batch", "source_time"),
        sizes={
            "batch": inputs_shape[0] if inputs_shape else None,
            "source_time": projected_shape[3] if projected_shape else None,
        },
    )


def _or_one(size):
    """The sizes a mask axis may have against an axis of `size`: it or 1."""
    return None if size is None else (1, size)
