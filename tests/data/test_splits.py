"""The seeded, stratified split of one file."""

import numpy as np
import pytest

from keras_seq.data import splits


def test_the_parts_partition_the_examples_and_are_seeded():
    parts = splits.split_indices(100, 0.1, 0.2, seed=3)
    assert [len(part) for part in parts] == [70, 10, 20]
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), np.arange(100))
    again = splits.split_indices(100, 0.1, 0.2, seed=3)
    other = splits.split_indices(100, 0.1, 0.2, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again))
    assert not np.array_equal(parts[1], other[1])


def test_each_class_keeps_its_proportion():
    labels = np.array([0] * 80 + [1] * 20)
    train, validation, test = splits.split_indices(100, 0.1, 0.1, strata=labels)
    assert np.bincount(labels[validation]).tolist() == [8, 2]
    assert np.bincount(labels[test]).tolist() == [8, 2]
    assert np.bincount(labels[train]).tolist() == [64, 16]


def test_a_class_of_one_example_trains():
    labels = np.array([0] * 10 + [1])
    train, _, _ = splits.split_indices(11, 0.2, 0.2, strata=labels)
    assert 10 in train


@pytest.mark.parametrize("validation, test", [(-0.1, 0.1), (1.0, 0.0), (0.6, 0.5)])
def test_fractions_out_of_range_are_refused(validation, test):
    with pytest.raises(ValueError, match="split"):
        splits.split_indices(10, validation, test)
