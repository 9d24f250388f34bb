"""1,797 handwritten digits of 8x8 pixels, labelled 0-9 (scikit-learn's).

scikit-learn's `load_digits` data (`sklearn/datasets/data/digits.csv.gz`,
one image a row: 64 pixels, then the label), read directly: scikit-learn
is not imported. The digits are the test part of UCI's "Optical
Recognition of Handwritten Digits" (E. Alpaydin, C. Kaynak, 1998; CC BY
4.0). Install scikit-learn with `pip install scikit-learn`.

Each pixel counts the set pixels of a 4x4 block of a 32x32 bitmap, 0-16;
here it is rescaled to `uint8` 0-255 as `round(16ths * 255 / 16)` (halves
up: 0 -> 0, 8 -> 128, 16 -> 255), so the images scale to [0, 1] by 1/255
like every other image set of `keras_seq.datasets`.

The split is fixed, seeded and stratified: 1,437 training, 180 validation
and 180 test images, each class in proportion; every image (all 1,797
are distinct) is in exactly one split.
"""

import functools

import numpy as np

from keras_seq.datasets import _common

LABELS = tuple(str(digit) for digit in range(10))
SPLITS = _common.SPLITS
SIZES = {"train": 1437, "validation": 180, "test": 180}
_SEED = 20260502


@functools.lru_cache(maxsize=1)
def _read():
    path = _common.package_file(
        "sklearn", "datasets/data/digits.csv.gz", install="scikit-learn"
    )
    table = np.loadtxt(path, delimiter=",", dtype=np.int32)
    # round(v * 255 / 16) with halves up, in integers: exact.
    pixels = (table[:, :-1] * 255 + 8) // 16
    return pixels.astype(np.uint8).reshape(-1, 8, 8, 1), table[:, -1]


@functools.lru_cache(maxsize=1)
def _splits():
    """The cached, read-only `{split: (images, labels)}`; never hand it out."""
    images, labels = _read()
    parts = _common.stratified_split(
        labels, [SIZES["train"], SIZES["validation"]], _SEED
    )
    return _common.take_splits((images, labels), parts)


def load_data(split=None):
    """Loads the 8x8 digits with the fixed 1,437/180/180 stratified split.

    Args:
        split: `"train"`, `"validation"`, `"test"`, or None for all three.

    Returns:
        For one split, `(images, labels)`: `(n, 8, 8, 1)` `uint8` pixels in
        [0, 255] (the 0-16 counts rescaled) and `(n,)` `int32` labels 0-9.
        For `split=None`, a dict of the three. The arrays are fresh copies.

    Example:

    >>> images, labels = load_data("test")
    >>> images.shape, images.dtype, labels.dtype
    ((180, 8, 8, 1), dtype('uint8'), dtype('int32'))
    >>> int(images.max())
    255
    """
    _common.check_split(split)
    return _common.select(_splits(), split)
