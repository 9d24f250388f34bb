"""`load_series`: one long series in a table, as forecasting windows.

A series table holds one time step a row and one channel a numeric
column (a date or other non-numeric column is left out); one of them,
the target, is forecast (it comes first among the channels). Its steps
are split in time order, not at random: the first steps train, the next
validate, the last test, so no part forecasts from the future. Each part
is a set of windows of `window` steps (every channel), each with its
targets the target's steps one ahead (`y[t] = x[t + 1, 0]`), as a
per-step forecaster (`SequenceTagger` with a preprocessor of
`per_step_targets`) trains;
a validation or test window reads the steps before its part as context,
but its targets all lie in its part. Imports no Keras.

Example:

    data = load_series("temperatures.csv", window=24)
    x, y = data.train                   # (windows, 24, channels), (windows, 24, 1)
"""

import numpy as np

from keras_seq.data import splits
from keras_seq.data import tables
from keras_seq.data.errors import DataError
from keras_seq.data.errors import where

WINDOW = 24


def _numbers(values):
    """The values as float32, or None where one is not a finite number."""
    try:
        array = np.asarray(values, dtype="float32")
    except (TypeError, ValueError):
        return None
    return array if np.isfinite(array).all() else None


def read_series(path, columns=None, target_column=None):
    """`(steps, channels)` float32 of the table's numeric columns, and their names.

    Args:
        path: a table (`.csv`, `.tsv`, `.jsonl`, `.parquet`, `.gz`).
        columns: the channels' columns (default: every numeric column).
        target_column: the channel put first (default: the first).

    Raises:
        DataError: no such file or column, no rows, a column given that is
            not all numbers, or no numeric column.
    """
    names = tables.column_names(path)
    wanted = list(columns or names)
    if target_column is not None:
        wanted = [target_column] + [name for name in wanted if name != target_column]
    tables.check_columns(path, wanted, names)
    channels = {}
    for name, column in tables.read_columns(path, wanted).items():
        numbers = _numbers(column)
        if numbers is None and (columns is not None or name == target_column):
            raise DataError(
                f"{where(path, column=name)}: a series column must hold numbers "
                "in every row (no empty or infinite value)"
            )
        if numbers is not None:
            channels[name] = numbers
    if not channels:
        raise DataError(
            f"{path}: no column holds numbers in every row; its columns: "
            f"{', '.join(names)}"
        )
    return np.stack(list(channels.values()), axis=-1), tuple(channels)


def _windows(series, start, stop, window):
    """Windows whose targets (channel 0, one step ahead) lie in `[start, stop)`."""
    ends = range(max(start, window), stop)  # the step each window's last target is
    x = [series[end - window : end] for end in ends]
    y = [series[end - window + 1 : end + 1, :1] for end in ends]
    if not x:
        empty = np.zeros((0, window, series.shape[-1]), "float32")
        return empty, np.zeros((0, window, 1), "float32")
    return np.stack(x), np.stack(y)


def load_series(
    path,
    columns=None,
    target_column=None,
    window=WINDOW,
    validation_split=0.1,
    test_split=0.1,
):
    """A series table as training, validation and test windows, in time order.

    Args:
        path: the table: one step a row, one channel a numeric column.
        columns: the channels' columns (default: every numeric column).
        target_column: the channel forecast (default: the first).
        window: the steps of each window.
        validation_split, test_split: the fractions of the steps (the
            last ones) whose forecasts validate and test.

    Returns:
        A `keras_seq.data.Data` of `"series"` inputs: each part's `x` the
        windows `(n, window, channels)`, `y` their targets one step ahead
        `(n, window, 1)`; `input_column` the channels' columns,
        comma-separated, `target_column` the target's.

    Raises:
        DataError: as `read_series`, or too few steps for `window`.
        ValueError: a fraction or `window` out of its range.
    """
    from keras_seq.data.loading import Data
    from keras_seq.data.loading import Split

    splits.check_fraction("validation_split", validation_split)
    splits.check_fraction("test_split", test_split)
    if not isinstance(window, int) or window < 2:
        raise ValueError(f"`window` must be an int of 2 or more. Received: {window!r}")
    series, names = read_series(path, columns, target_column)
    steps = len(series)
    test_start = steps - int(steps * test_split)
    validation_start = test_start - int(steps * validation_split)
    if validation_start <= window:
        raise DataError(
            f"{path}: {steps} steps leave {validation_start} to train on; a window "
            f"of {window} steps needs more (give more rows, or a shorter window)"
        )
    bounds = [(0, validation_start), (validation_start, test_start)]
    bounds.append((test_start, steps))
    parts = [Split(*_windows(series, *bound, window)) for bound in bounds]
    return Data(*parts, "series", None, str(path), ",".join(names), names[0])
