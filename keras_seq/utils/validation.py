"""Argument checks shared by every keras_seq package.

Each check fails with a `ValueError` that names the argument, the value
received and what is allowed, before any backend kernel sees the value.
Sizes accept every integer type (Python and NumPy ints), never `bool`.
"""

import numbers

import numpy as np


def is_int(value):
    """Whether `value` is an integer of any type (NumPy's too), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(
        value, (bool, np.bool_)
    )


def check_positive_int(name, value, allow_none=False):
    """Returns `value` as an `int` if it is a positive integer."""
    if value is None and allow_none:
        return None
    if not is_int(value) or value < 1:
        allowed = "a positive int" + (" or None" if allow_none else "")
        raise ValueError(f"`{name}` must be {allowed}. Received: {name}={value!r}")
    return int(value)


def check_vocabulary_size(name, value):
    """Returns `value` as an `int` if it is a vocabulary size: 2 or more ids.

    Id 0 is padding, so a vocabulary needs at least one other token.
    """
    if not is_int(value) or value < 2:
        raise ValueError(
            f"`{name}` must be an int of at least 2 (id 0 is padding, so one "
            f"real token needs 2 ids). Received: {name}={value!r}"
        )
    return int(value)


def check_rate(name, value):
    """Returns `value` if it is a rate in [0, 1), such as a dropout rate."""
    if (
        not isinstance(value, numbers.Real)
        or isinstance(value, (bool, np.bool_))
        or not 0.0 <= value < 1.0
    ):
        raise ValueError(
            f"`{name}` must be a float in [0, 1). Received: {name}={value!r}"
        )
    return float(value)


def check_choice(name, value, choices):
    """Returns `value` if it is one of `choices`."""
    if not isinstance(value, (str, type(None))) or value not in choices:
        raise ValueError(
            f"`{name}` must be one of {choices}. Received: {name}={value!r}"
        )
    return value


def check_size_tuple(name, value, rank):
    """`value` as a tuple of `rank` positive ints (an int repeats)."""
    if is_int(value):
        value = (value,) * rank
    sizes = tuple(value) if isinstance(value, (list, tuple)) else None
    if (
        sizes is None
        or len(sizes) != rank
        or not all(is_int(size) and size > 0 for size in sizes)
    ):
        raise ValueError(
            f"`{name}` must be a positive int or a tuple of {rank} positive ints."
            f" Received: {name}={value!r}"
        )
    return tuple(int(size) for size in sizes)


def check_input_shape(input_shape, rank, allow_unknown_first=False):
    """`input_shape` as a tuple of `rank` positive ints (the first may be None)."""
    shape = tuple(input_shape) if isinstance(input_shape, (list, tuple)) else None
    valid = shape is not None and len(shape) == rank
    if valid:
        for index, size in enumerate(shape):
            if size is None and index == 0 and allow_unknown_first:
                continue
            if not is_int(size) or size < 1:
                valid = False
    if not valid:
        first = "None or a positive int, then " if allow_unknown_first else ""
        raise ValueError(
            f"`input_shape` must be a tuple of {rank} sizes ({first}positive ints), "
            f"without the batch axis. Received: input_shape={input_shape!r}"
        )
    return tuple(None if size is None else int(size) for size in shape)


def check_transformer_sizes(num_layers, num_heads, hidden_dim, intermediate_dim):
    """Checks the sizes of a transformer stack; `num_heads` divides `hidden_dim`."""
    for name, value in (
        ("num_layers", num_layers),
        ("num_heads", num_heads),
        ("hidden_dim", hidden_dim),
        ("intermediate_dim", intermediate_dim),
    ):
        check_positive_int(name, value)
    if hidden_dim % num_heads:
        raise ValueError(
            f"`num_heads` must divide `hidden_dim`. Received: num_heads={num_heads}, "
            f"hidden_dim={hidden_dim}"
        )


def check_head(classes, include_top, classifier_activation):
    """Checks the classification head of an application."""
    if not include_top:
        return
    check_positive_int("classes", classes)
    if classifier_activation is not None:
        import keras

        try:
            keras.activations.get(classifier_activation)
        except ValueError:
            raise ValueError(
                "`classifier_activation` must be None (logits) or a Keras "
                "activation, such as 'softmax', 'sigmoid' or 'linear'. "
                f"Received: classifier_activation={classifier_activation!r}"
            ) from None
    if classes == 1 and classifier_activation == "softmax":
        # A softmax over one class is the constant 1: nothing can be learned.
        raise ValueError(
            "`classes=1` with `classifier_activation='softmax'` always outputs 1. "
            "Use classifier_activation=None for regression or 'sigmoid' for a "
            "binary classifier."
        )


def check_token_id(name, value, vocabulary_size):
    """Returns `value` if it is a non-padding id below `vocabulary_size`."""
    if not is_int(value) or not 1 <= value < vocabulary_size:
        raise ValueError(
            f"`{name}` must be an int in [1, {vocabulary_size}) (0 is padding). "
            f"Received: {name}={value!r}"
        )
    return int(value)


def check_token_ids(name, value, vocabulary_size, right_padded=False, padding_id=0):
    """Returns `value` as a `(batch, time)` int32 NumPy array of token ids.

    Ids must lie in `[0, vocabulary_size)`, or be `padding_id` (0, or -1
    for a model whose every id is a token). With `right_padded`, every row
    starts with a real token and has no real token after padding.
    """
    array = np.asarray(value)
    if (
        array.ndim != 2
        or 0 in array.shape
        or not np.issubdtype(array.dtype, np.integer)
    ):
        raise ValueError(
            f"`{name}` must be a non-empty (batch, time) array of int token ids. "
            f"Received: {name} of shape {array.shape} and dtype {array.dtype}"
        )
    if array.min() < min(padding_id, 0) or array.max() >= vocabulary_size:
        padding = f" ({padding_id} pads)" if padding_id < 0 else ""
        raise ValueError(
            f"`{name}` must hold ids in [{min(padding_id, 0)}, {vocabulary_size})"
            f"{padding}. Received ids from {array.min()} to {array.max()}."
        )
    if right_padded:
        real = array != padding_id
        if not real[:, 0].all():
            raise ValueError(
                f"Every row of `{name}` must start with a real token (not the "
                f"padding id {padding_id})."
            )
        if (real[:, 1:] & ~real[:, :-1]).any():
            raise ValueError(
                f"`{name}` must be padded with {padding_id} on the right only: a "
                f"row has a real token after a {padding_id}."
            )
    return array.astype("int32")
