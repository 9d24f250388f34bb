"""Padded batch widths: a few buckets, so compiled functions are seldom retraced.

A batch is padded to its longest sequence rounded up to a power of two
(at least `MIN_PADDED_LENGTH`) and capped at the longest sequence the
model takes: every batch of a data set has one of a handful of widths,
and a `jit`-compiled train or predict step is traced once per width
instead of once per length. Padding every batch to the cap would waste
the compute of short batches.
"""

import numpy as np

from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import is_int

MIN_PADDED_LENGTH = 8


def padded_length(length, sequence_length=None, min_length=MIN_PADDED_LENGTH):
    """The width of a batch whose longest sequence has `length` steps.

    The next power of two from `length`, at least `min_length` and at most
    `sequence_length` (None: no cap).

    Args:
        length: the longest sequence of the batch (an int, 0 or more).
        sequence_length: the most steps the model takes, or None.
        min_length: the smallest width.

    Example:

    >>> [padded_length(n) for n in (0, 5, 8, 9, 100)]
    [8, 8, 8, 16, 128]
    >>> padded_length(100, sequence_length=64)
    64
    """
    if not is_int(length) or length < 0:
        raise ValueError(
            f"`length` must be an int, 0 or more. Received: length={length!r}"
        )
    check_positive_int("sequence_length", sequence_length, allow_none=True)
    check_positive_int("min_length", min_length)
    width = max(min_length, 1 << max(int(length) - 1, 0).bit_length())
    return width if sequence_length is None else min(width, sequence_length)


def pad_rows(rows, width, pad_value=0, dtype="int32"):
    """Right-pads (or cuts) sequences to one `(len(rows), width, ...)` array.

    Args:
        rows: sequences (lists or arrays) whose first axis is time; any
            further axes must agree.
        width: the padded length.
        pad_value: the value of padded steps.
        dtype: the dtype of the array.

    Example:

    >>> pad_rows([[5, 6, 7], [8]], 4)
    array([[5, 6, 7, 0],
           [8, 0, 0, 0]], dtype=int32)
    """
    rows = [np.asarray(row, dtype=dtype) for row in rows]
    feature_shape = rows[0].shape[1:] if rows else ()
    batch = np.full((len(rows), width, *feature_shape), pad_value, dtype=dtype)
    for index, row in enumerate(rows):
        length = min(len(row), width)
        batch[index, :length] = row[:length]
    return batch
