"""Seeded splits of one file into training, validation and test parts.

Labelled examples split stratified (each class in the same proportions in
every part); others, and corpora, at random, with a seed. Imports no Keras.

Example:

    train, validation, test = split_indices(100, 0.1, 0.1, seed=0, strata=labels)
"""

import numpy as np


def check_fraction(name, value):
    """`value` if it is a fraction in [0, 1); else a ValueError naming `name`."""
    if not 0 <= value < 1:
        raise ValueError(
            f"`{name}` must be a fraction from 0 (none) up to, not including, 1. "
            f"Received: {name}={value!r}"
        )
    return value


def split_indices(size, validation, test, seed=0, strata=None):
    """The positions of the training, validation and test parts of `size` examples.

    Args:
        size: the number of examples.
        validation, test: the fractions held out for each (0: none).
        seed: the seed of the order.
        strata: None, or a class id per example: each class is split in
            the same proportions (a class of one example trains).

    Returns:
        Three sorted int arrays of positions, which partition `range(size)`.
    """
    check_fraction("validation_split", validation)
    check_fraction("test_split", test)
    if validation + test >= 1:
        raise ValueError(
            "`validation_split` + `test_split` must leave examples to train on. "
            f"Received: {validation} + {test}"
        )
    rng = np.random.default_rng(seed)
    groups = [np.arange(size)] if strata is None else _groups(np.asarray(strata))
    parts = ([], [], [])
    for group in groups:
        group = rng.permutation(group)
        held_val = int(round(len(group) * validation)) if len(group) > 1 else 0
        held_test = int(round(len(group) * test)) if len(group) > 2 else 0
        held_test = min(held_test, len(group) - held_val - 1)
        parts[1].append(group[:held_val])
        parts[2].append(group[held_val : held_val + held_test])
        parts[0].append(group[held_val + held_test :])
    return tuple(np.sort(np.concatenate(part)).astype("int64") for part in parts)


def _groups(strata):
    return [np.flatnonzero(strata == value) for value in np.unique(strata)]
