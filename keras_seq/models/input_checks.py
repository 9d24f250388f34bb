"""Checks of the arrays a `Task`'s `fit`, `evaluate` and `predict` receive.

Keras hands arrays to the backend as they are, and the backends disagree
on what a bad one does: an id past the vocabulary is a NaN row on JAX (its
gather fills out-of-range rows), an `InvalidArgumentError` deep in a graph
on TensorFlow and an `IndexError` on PyTorch; a label past the classes
trains silently on JAX; an image of another size fails in a reshape. These
checks run on the host before any of that, once per call, and fail with a
`ValueError` that names the input, what it must be and what it was.

Shapes are checked for every array-like (anything with a `shape`); dtypes,
id and label ranges for NumPy arrays and lists, on which the check is a
pass over the data (`min` and `max`). Tensors of a backend, datasets and
generators are passed through unchecked: their values live on a device or
arrive batch by batch.
"""

import inspect

import keras
import numpy as np

from keras_seq.utils.validation import check_token_ids
from keras_seq.utils.validation import is_int


def named_arrays(model, x):
    """`[(input name, value)]` of `x` against `model.inputs`, or None.

    None when `x` does not have the structure of the model's inputs (Keras
    then reports it as it would).
    """
    names = [tensor.name for tensor in model.inputs]
    if isinstance(x, dict):
        if sorted(x) != sorted(names):
            return None
        return [(name, x[name]) for name in names]
    if isinstance(x, (list, tuple)) and len(names) > 1:
        if len(x) != len(names):
            return None
        return list(zip(names, x))
    return [(names[0], x)] if len(names) == 1 else None


def check_inputs(model, x, vocabularies, limits=None, note=""):
    """Checks `x`, the model inputs given to `fit`, `evaluate` or `predict`.

    Args:
        model: the functional model.
        x: an array, a list or tuple of arrays (one per input, in order) or
            a dict by input name.
        vocabularies: `{input name: vocabulary size}` of its token inputs.
        limits: `{input name: (argument, limit)}`: the most time steps an
            input may have, and the constructor argument that sets it.
        note: a sentence added to a length error (how raw inputs became
            these).
    """
    limits = limits or {}
    pairs = named_arrays(model, x)
    if pairs is None:
        return
    for tensor, (name, value) in zip(model.inputs, pairs):
        if isinstance(value, (list, tuple)):
            value = np.asarray(value)
        shape = getattr(value, "shape", None)
        if shape is None:
            continue
        _check_shape(model, name, tuple(shape), tuple(tensor.shape))
        if name in limits:
            check_length(model, name, tuple(shape), *limits[name], note=note)
        if isinstance(value, np.ndarray) and name in vocabularies:
            check_token_ids(
                name, value, vocabularies[name], padding_id=_padding_id(model)
            )


def check_length(model, name, shape, argument, limit, note=""):
    """Checks that the time axis (axis 1) of input `name` holds at most `limit` steps.

    A longer sequence would reach past a learned position table, and fail
    deep inside the model (or, where a length is unknown until run time,
    give NaN); this fails before, naming the limit and where it comes from.
    """
    if len(shape) < 2 or not is_int(shape[1]) or shape[1] <= limit:
        return
    raise ValueError(
        f"{type(model).__name__} takes `{name}` of at most {limit} time steps "
        f"(its `{argument}={limit}`; padding counts). Received: {name} of shape "
        f"{shape}, {shape[1]} steps.{note} Cut the sequences to {limit} steps, "
        f"or build the model with a larger `{argument}`."
    )


def check_loss(model, loss, kind):
    """Refuses a loss that reads probabilities from logits, or the reverse.

    A cross-entropy whose `from_logits` disagrees with what the model
    outputs would train silently wrong.

    Args:
        model: the model compiled; its class name starts the message.
        loss: the loss passed to `compile()`: a name, a function, a
            `keras.losses.Loss`, or a structure of them.
        kind: what the model outputs: `"logits"`, `"probabilities"`, or
            None (nothing is checked).

    Example:

    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    >>> loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    >>> check_loss(model, loss, "logits")
    >>> try:
    ...     check_loss(model, "sparse_categorical_crossentropy", "logits")
    ... except ValueError as error:
    ...     print(str(error).split(" (")[0])
    Sequential outputs logits, but `loss`
    """
    if kind is None or loss is None:
        return
    for item in keras.tree.flatten(loss):
        from_logits = _loss_from_logits(item)
        if from_logits is None or from_logits == (kind == "logits"):
            continue
        name = item if isinstance(item, str) else type(item).__name__
        if callable(item) and not isinstance(item, keras.losses.Loss):
            name = getattr(item, "__name__", name)
        wanted = "True" if kind == "logits" else "False"
        raise ValueError(
            f"{type(model).__name__} outputs {kind}, but `loss` ({name}) "
            f"reads {'probabilities' if kind == 'logits' else 'logits'} "
            f"(from_logits={from_logits}): it would train silently wrong. "
            f"Pass a loss with from_logits={wanted}, e.g. "
            f"keras.losses.SparseCategoricalCrossentropy(from_logits={wanted}), "
            f"or loss='auto' for the model's default. Received: loss={item!r}"
        )


def _loss_from_logits(loss):
    """The `from_logits` a loss reads its predictions with, or None if it has none.

    A Keras loss object keeps it as an attribute (or in the keyword
    arguments it passes its function); a loss function or name has it as
    the default of its `from_logits` argument (False for every Keras
    cross-entropy).
    """
    if isinstance(loss, str):
        try:
            loss = keras.losses.get(loss)
        except (ValueError, TypeError):
            return None
    value = getattr(loss, "from_logits", None)
    if value is None:
        value = (getattr(loss, "_fn_kwargs", None) or {}).get("from_logits")
    if value is None and inspect.isfunction(loss):
        parameter = inspect.signature(loss).parameters.get("from_logits")
        if parameter is not None and isinstance(parameter.default, bool):
            value = parameter.default
    return None if value is None else bool(value)


def check_rectangular(name, value):
    """Refuses a list of rows of different lengths (NumPy's "inhomogeneous shape").

    Token ids are one `(batch, time)` array: shorter rows are padded with 0
    on the right.
    """
    if not isinstance(value, (list, tuple)):
        return
    lengths = [
        len(row) if isinstance(row, (list, tuple, np.ndarray)) else None
        for row in value
    ]
    if None in lengths or len(set(lengths)) <= 1:
        return
    raise ValueError(
        f"`{name}` must be a (batch, time) array: every row as long, shorter "
        "ones padded with 0 on the right (e.g. [[5, 9, 2], [7, 0, 0]]). "
        f"Received rows of lengths {lengths[:10]}{' ...' if len(lengths) > 10 else ''}"
    )


def check_targets(model, y, upper, what):
    """Checks that integer targets `y` (a NumPy array or list) lie in `[0, upper)`.

    `what` says what the targets are, e.g. "class labels of `y`". A model
    whose padding id is -1 (`model.padding_id`) takes -1 too.
    """
    if isinstance(y, (list, tuple)):
        y = np.asarray(y)
    if isinstance(y, np.ndarray) and np.issubdtype(y.dtype, np.integer) and y.size:
        low, high = y.min(), y.max()
        lowest = min(_padding_id(model), 0)
        if low < lowest or high >= upper:
            raise ValueError(
                f"{type(model).__name__} takes {what} in [{lowest}, {upper}). "
                f"Received values from {low} to {high}."
            )


def _padding_id(model):
    """The id that pads the model's token inputs: 0, or -1 (`CausalLM`)."""
    return getattr(model, "padding_id", 0)


def _check_shape(model, name, shape, expected):
    sizes = ["any" if size is None else str(size) for size in expected[1:]]
    wanted = "(" + ", ".join(["batch", *sizes]) + ")"
    if len(shape) != len(expected):
        raise ValueError(
            f"{type(model).__name__} takes `{name}` of shape {wanted}: "
            f"{len(expected)} axes. Received shape {shape}."
        )
    if shape[0] == 0:
        raise ValueError(
            f"`{name}` holds no examples: its batch axis is empty. "
            f"Received shape {shape}."
        )
    for axis, (size, want) in enumerate(zip(shape[1:], expected[1:]), start=1):
        if want is not None and is_int(size) and size != want:
            raise ValueError(
                f"{type(model).__name__} takes `{name}` of shape {wanted}: axis "
                f"{axis} must be {want}. Received shape {shape}."
            )


def preprocessor_note(preprocessor):
    """Says how `preprocessor` cuts raw inputs (for a length error).

    Args:
        preprocessor: the model's preprocessor.

    Example:

    >>> preprocessor_note(None)[:40]
    ' The raw inputs were made into these by '
    """
    lengths = [
        f"{attribute}={getattr(preprocessor, attribute)}"
        for attribute in ("sequence_length", "source_length", "target_length")
        if getattr(preprocessor, attribute, None) is not None
    ]
    truncate = getattr(preprocessor, "truncate", None)
    name = type(preprocessor).__name__
    if not lengths:
        how = "cuts no raw input"
    elif truncate:
        how = f"cuts raw inputs at {', '.join(lengths)} (truncate=True)"
    else:
        how = (
            f"refuses raw inputs only past {', '.join(lengths)} (truncate={truncate!r})"
        )
    return (
        f" The raw inputs were made into these by the model's {name}, "
        f"which {how}: longer than the model takes. Attach a preprocessor "
        "whose lengths are at most the model's."
    )
