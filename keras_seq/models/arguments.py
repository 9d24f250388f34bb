"""Argument checks shared by the task models and the applications.

The checks of sizes and choices are the layers' own, re-exported; the
checks of token ids are added here. Each check fails with a `ValueError`
that names the argument, the value received and what is allowed, before
any backend kernel sees the value.
"""

import numpy as np

from keras_seq.layers.validation import check_choice
from keras_seq.layers.validation import check_positive_int

__all__ = ["check_choice", "check_positive_int", "check_token_id", "check_token_ids"]


def check_token_id(name, value, vocabulary_size):
    """Returns `value` if it is a non-padding id below `vocabulary_size`."""
    if (
        not isinstance(value, (int, np.integer))
        or isinstance(value, bool)
        or not 1 <= value < vocabulary_size
    ):
        raise ValueError(
            f"`{name}` must be an int in [1, {vocabulary_size}) (0 is padding). "
            f"Received: {name}={value!r}"
        )
    return int(value)


def check_token_ids(name, value, vocabulary_size, right_padded=False):
    """Returns `value` as a `(batch, time)` int32 NumPy array of token ids.

    Ids must lie in `[0, vocabulary_size)`. With `right_padded`, every row
    starts with a real (nonzero) token and has no real token after padding.
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
    if array.size and (array.min() < 0 or array.max() >= vocabulary_size):
        raise ValueError(
            f"`{name}` must hold ids in [0, {vocabulary_size}). Received ids from "
            f"{array.min()} to {array.max()}."
        )
    if right_padded:
        real = array != 0
        if not real[:, 0].all():
            raise ValueError(
                f"Every row of `{name}` must start with a real (nonzero) token."
            )
        if (real[:, 1:] & ~real[:, :-1]).any():
            raise ValueError(
                f"`{name}` must be padded with 0 on the right only: a row has a "
                "nonzero token after a 0."
            )
    return array.astype("int32")
