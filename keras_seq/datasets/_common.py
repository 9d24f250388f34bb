"""What the data set modules share: locating files, checking splits, splitting.

Imports no Keras and no model code: a loader costs NumPy and the standard
library only.
"""

import importlib.util
import pathlib

import numpy as np

from keras_seq.utils.validation import check_choice

SPLITS = ("train", "validation", "test")


def package_file(package, relative, install):
    """The path of `relative` inside the installed `package`, not imported.

    Located with `importlib.util.find_spec`, so a package whose import is
    slow (or needs dependencies we do not install) is never imported.
    `install` is what to `pip install` when the package is missing.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ImportError(
            f"This data set ships in the `{package}` package, which is not "
            f"installed. Install it with `pip install {install}`."
        )
    path = pathlib.Path(spec.origin).parent / relative
    if not path.is_file():
        raise FileNotFoundError(
            f"`{package}` is installed but has no `{relative}` (looked for "
            f"{path}). Reinstall it with `pip install --force-reinstall {install}`."
        )
    return path


def check_split(split):
    """Returns `split` if it is one of `SPLITS` or None, else a ValueError."""
    return check_choice("split", split, (*SPLITS, None))


def select(splits, split):
    """Copies of the arrays of `splits[split]`, or a dict of all for None.

    `splits` maps each split's name to a tuple of (cached) arrays.
    """
    check_split(split)
    if split is None:
        return {name: copy_arrays(arrays) for name, arrays in splits.items()}
    return copy_arrays(splits[split])


def take_splits(arrays, parts):
    """`{split: tuple(array[index] for array in arrays)}`, read-only, to cache.

    `parts` holds one index array per name of `SPLITS`, in that order.
    """
    splits = {}
    for name, index in zip(SPLITS, parts, strict=True):
        taken = tuple(array[index] for array in arrays)
        for array in taken:
            array.setflags(write=False)
        splits[name] = taken
    return splits


def copy_arrays(arrays):
    """Copies of a tuple of arrays, so a caller cannot change a cached one.

    An object array of arrays (variable-length series) is copied deeply.
    """
    copies = []
    for array in arrays:
        if array.dtype == object and len(array) and isinstance(array[0], np.ndarray):
            copies.append(object_array([item.copy() for item in array]))
        else:
            copies.append(array.copy())
    return tuple(copies)


def object_array(items):
    """A 1-D object array of `items` (arrays), even if their shapes agree.

    `np.array(items, dtype=object)` would stack arrays of one shape into a
    multi-dimensional array instead.
    """
    array = np.empty(len(items), dtype=object)
    for index, item in enumerate(items):
        array[index] = item
    return array


def stratified_split(labels, sizes, seed):
    """Index arrays of fixed sizes whose label proportions match the whole.

    Every item goes to exactly one part; each part holds as close to its
    share of every label as whole numbers allow (exactly its share where the
    counts divide), and its indices come in a seeded random order.

    Args:
        labels: the `(n,)` integer labels to stratify by.
        sizes: the size of each part but the last, which takes the rest.
        seed: the seed of the only random numbers used.

    Returns:
        A list of `len(sizes) + 1` index arrays.
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(labels))
    # Each item's rank among the shuffled items of its label, as a fraction
    # of that label's count: sorting by it interleaves the labels evenly, so
    # every prefix of `spread` holds each label in proportion.
    shuffled = labels[order]
    by_label = np.argsort(shuffled, kind="stable")
    counts = np.bincount(shuffled)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(len(labels))
    rank[by_label] = np.arange(len(labels)) - np.repeat(starts, counts)
    position = (rank + 0.5) / counts[shuffled]
    spread = order[np.argsort(position, kind="stable")]
    parts = np.split(spread, np.cumsum(sizes))
    # Back into the seeded random order, so no part is sorted by label.
    rank_in_order = np.empty(len(labels), dtype=np.int64)
    rank_in_order[order] = np.arange(len(labels))
    return [part[np.argsort(rank_in_order[part])] for part in parts]
