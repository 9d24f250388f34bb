"""Class labels: any strings or integers, as class ids, and back.

The label list is fitted on the training part only (sorted: integers by
value, names alphabetically, as Keras orders class folders); a label of
the validation or test part that training never saw is refused. Imports
no Keras.

Example:

    names = class_names(["pos", "neg", "pos"], "reviews.csv", "label")
    ids = encode(["neg", "pos"], names, "test.csv", "label")  # [0, 1]
"""

import numpy as np

from keras_seq.data.errors import DataError
from keras_seq.data.errors import where


def label_text(value):
    """A label's name: `3` and `3.0` are `"3"`, a string is stripped."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_labels(values, source, column, first=1):
    """The labels' names; a DataError at the first missing or empty label.

    `first`: the row number of `values[0]` (1-based), for the message.
    """
    names = []
    for row, value in enumerate(values, first):
        name = None if value is None else label_text(value)
        if not name:
            raise DataError(f"{where(source, row, column)}: the label is missing")
        names.append(name)
    return names


def _order(name):
    try:
        return (0, float(name), name)
    except ValueError:
        return (1, 0.0, name)


def class_names(values, source, column):
    """The sorted class names of the training labels `values`.

    Raises:
        DataError: a missing or empty label, or one class only.
    """
    names = sorted(set(check_labels(values, source, column)), key=_order)
    if len(names) < 2:
        shown = f" ({names[0]!r})" if names else ""
        raise DataError(
            f"{where(source, column=column)}: one class only{shown}; a classifier "
            "needs examples of two classes or more"
        )
    return tuple(names)


def encode(values, names, source, column, first=1):
    """The class ids (`int32`) of the labels `values` in the list `names`.

    Raises:
        DataError: a missing label, or one that is not in `names`.
    """
    index = {name: i for i, name in enumerate(names)}
    ids = []
    for row, name in enumerate(check_labels(values, source, column, first), first):
        if name not in index:
            raise DataError(
                f"{where(source, row, column)}: the label {name!r} is not one "
                f"training saw ({', '.join(names)})"
            )
        ids.append(index[name])
    return np.asarray(ids, dtype="int32")
