import numpy as np
import pytest

from keras_seq.datasets import sunspots
from tests.datasets import loader_checks

SIZES = {"train": 193, "validation": 46, "test": 46}


@pytest.fixture(scope="module")
def splits():
    return sunspots.load_data()


def test_series():
    years, numbers = sunspots.load_series()
    assert years.dtype == np.int32 and numbers.dtype == np.float32
    np.testing.assert_array_equal(years, np.arange(1700, 2009))
    # Known values: 1700, the record year 1957, 2008.
    assert numbers[0] == 5.0 and numbers[-1] == np.float32(2.9)
    assert years[numbers.argmax()] == 1957 and numbers.max() == np.float32(190.2)
    years[:] = 0
    assert sunspots.load_series()[0][0] == 1700


def test_shapes_dtypes_and_sizes(splits):
    assert sunspots.WINDOW == 24
    for split, size in SIZES.items():
        x, y = splits[split]
        assert x.shape == y.shape == (size, 24, 1)
        assert x.dtype == y.dtype == np.float32


def test_targets_are_the_next_years(splits):
    years, numbers = sunspots.load_series()
    for split, (x, y) in splits.items():
        targets = sunspots.target_years(split)
        assert targets.dtype == np.int32 and len(targets) == len(x)
        for window, next_values, year in zip(x[..., 0], y[..., 0], targets):
            t = int(year) - 1700
            np.testing.assert_array_equal(window, numbers[t - 24 : t])
            np.testing.assert_array_equal(next_values, numbers[t - 23 : t + 1])


def test_split_by_time_with_no_future_in_training(splits):
    targets = {split: sunspots.target_years(split) for split in SIZES}
    np.testing.assert_array_equal(targets["train"], np.arange(1724, 1917))
    np.testing.assert_array_equal(targets["validation"], np.arange(1917, 1963))
    np.testing.assert_array_equal(targets["test"], np.arange(1963, 2009))
    # Test and validation are the last 15% of the 309 years and the 15%
    # before; every value in a training window (input or target) predates
    # the first validation year.
    assert 2009 - 1963 == 1963 - 1917 == round(0.15 * 309)
    assert targets["train"].max() < targets["validation"].min()
    loader_checks.check_disjoint({s: t.tolist() for s, t in targets.items()})
    with pytest.raises(ValueError, match="split"):
        sunspots.target_years(None)


def test_split_argument():
    loader_checks.check_split_argument(sunspots)


def test_results_are_copies():
    loader_checks.check_results_are_copies(sunspots)


def test_same_in_every_process_and_fast():
    loader_checks.check_same_in_every_process(sunspots)
    loader_checks.check_cached_reload_is_fast(sunspots)


def test_missing_package(monkeypatch):
    loader_checks.check_missing_package(
        sunspots, "statsmodels", "statsmodels", monkeypatch
    )
