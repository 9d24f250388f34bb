"""Yearly sunspot numbers 1700-2008, as windows for one-step-ahead forecasting.

The yearly means of the sunspot number, 309 years from 1700 to 2008
(public domain, from NOAA's National Geophysical Data Center), ship in
the `statsmodels` wheel as `statsmodels/datasets/sunspots/sunspots.csv`;
the file is read directly, statsmodels is not imported. Install it with
`pip install statsmodels`.

The series is cut into windows of `WINDOW` (24) years; at every step the
target is the next year's value, so a window holds `WINDOW` one-step-ahead
forecasts. The split is by time, so nothing from the future leaks into
training: the last 15% of the years (1963-2008) are the test years, the
15% before them (1917-1962) the validation years, the rest (1700-1916) the
training years. Training windows lie wholly within the training years
(inputs and targets; one per target year from 1724, 193 windows); each
validation or test window ends in one of its split's years, one window per
year (46 each), and its inputs reach back into the years before. Score a
held-out window on its last step only: that is the held-out forecast.
`target_years(split)` gives the year each window's last step forecasts.
"""

import functools

import numpy as np

from keras_seq.datasets import _common
from keras_seq.utils.validation import check_choice

SPLITS = _common.SPLITS
WINDOW = 24  # a little over two 11-year solar cycles
# The share of the years in each of the validation and test splits.
HELD_OUT = 0.15


@functools.lru_cache(maxsize=1)
def _read():
    path = _common.package_file(
        "statsmodels", "datasets/sunspots/sunspots.csv", install="statsmodels"
    )
    table = np.loadtxt(path, delimiter=",", skiprows=1)  # "YEAR","SUNACTIVITY"
    years, numbers = table[:, 0].astype(np.int32), table[:, 1].astype(np.float32)
    years.setflags(write=False)
    numbers.setflags(write=False)
    return years, numbers


def _target_ranges(length):
    """The `range` of the indices each split's windows end in (forecast)."""
    held_out = round(HELD_OUT * length)
    test_start = length - held_out
    validation_start = test_start - held_out
    return {
        "train": range(WINDOW, validation_start),
        "validation": range(validation_start, test_start),
        "test": range(test_start, length),
    }


@functools.lru_cache(maxsize=1)
def _splits():
    """The cached, read-only `{split: (x, y)}`; never hand it out."""
    _, numbers = _read()
    splits = {}
    for name, ends in _target_ranges(len(numbers)).items():
        # For target index t the inputs are the WINDOW values before it and
        # the targets the same steps moved on by one: the last step is t.
        x = np.stack([numbers[t - WINDOW : t] for t in ends])[..., None]
        y = np.stack([numbers[t - WINDOW + 1 : t + 1] for t in ends])[..., None]
        x.setflags(write=False)
        y.setflags(write=False)
        splits[name] = (x, y)
    return splits


def load_series():
    """Loads the whole series: `(years, numbers)`, oldest first.

    Returns:
        `(309,)` `int32` years 1700-2008 and `(309,)` `float32` yearly mean
        sunspot numbers. Fresh copies.

    Example:

    >>> years, numbers = load_series()
    >>> int(years[0]), int(years[-1]), float(numbers[0])
    (1700, 2008, 5.0)
    """
    return _common.copy_arrays(_read())


def target_years(split):
    """The year the last step of each of `split`'s windows forecasts.

    Args:
        split: `"train"`, `"validation"` or `"test"`.

    Returns:
        An `int32` array, one year a window, in the windows' order.

    Example:

    >>> years = target_years("test")
    >>> len(years), int(years[0]), int(years[-1])
    (46, 1963, 2008)
    """
    check_choice("split", split, SPLITS)
    years, _ = _read()
    return years[list(_target_ranges(len(years))[split])].copy()


def load_data(split=None):
    """Loads `WINDOW`-year windows and their next-year targets, split by time.

    Args:
        split: `"train"`, `"validation"`, `"test"`, or None for all three.

    Returns:
        For one split, `(x, y)`: both `(n, WINDOW, 1)` `float32` sunspot
        numbers (raw, not normalised), `y[:, t]` the year after `x[:, t]`;
        193 training, 46 validation and 46 test windows. For `split=None`, a
        dict of the three. The arrays are fresh copies.

    Example:

    >>> x, y = load_data("train")
    >>> x.shape, y.dtype
    ((193, 24, 1), dtype('float32'))
    >>> bool((x[:, 1:] == y[:, :-1]).all())  # y is x one year on
    True
    """
    _common.check_split(split)
    return _common.select(_splits(), split)
