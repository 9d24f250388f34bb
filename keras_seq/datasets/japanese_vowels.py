"""Japanese Vowels: which of 9 speakers said "ae"? Variable-length 12-channel series.

Nine male speakers each uttered the Japanese vowels /ae/ in a row; each
utterance is a series of 7 to 29 frames of 12 LPC cepstrum coefficients
(M. Kudo, J. Toyama, M. Shimbo, "Multidimensional curve classification
using passing-through regions", Pattern Recognition Letters 20, 1999; UCI
Machine Learning Repository, CC BY 4.0). The UCR/UEA archive's files ship in
the `sktime` wheel (`sktime/datasets/data/JapaneseVowels/JapaneseVowels_
{TRAIN,TEST}.ts`); they are parsed here, sktime is not imported. Install it
with `pip install sktime`.

The split keeps the archive's: its 370 test series are the test split;
its 270 training series (30 a speaker) give 216 for training and 54 (6 a
speaker, seeded) for validation.
"""

import functools

import numpy as np

from keras_seq.datasets import _common

LABELS = tuple(f"speaker {speaker}" for speaker in range(1, 10))
SPLITS = _common.SPLITS
SIZES = {"train": 216, "validation": 54, "test": 370}
CHANNELS = 12
_FOLDER = "datasets/data/JapaneseVowels"
_SEED = 20260505


def _read_ts(path):
    """The series and labels of a `.ts` file of the UCR/UEA archive.

    After the `@data` line each line is one series: its channels separated
    by `:`, each a comma-separated list of values, then the class label.
    """
    series, labels = [], []
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if line.strip().lower() == "@data":
            break
    for line in lines:
        if not line.strip():
            continue
        *channels, label = line.split(":")
        values = np.array([channel.split(",") for channel in channels], np.float32)
        series.append(np.ascontiguousarray(values.T))  # (frames, channels)
        labels.append(int(label) - 1)  # speakers 1-9 -> 0-8
    return _common.object_array(series), np.array(labels, dtype=np.int32)


@functools.lru_cache(maxsize=1)
def _splits():
    """The cached `{split: (series, speakers)}`; never hand it out."""
    train = _common.package_file(
        "sktime", f"{_FOLDER}/JapaneseVowels_TRAIN.ts", install="sktime"
    )
    test = _common.package_file(
        "sktime", f"{_FOLDER}/JapaneseVowels_TEST.ts", install="sktime"
    )
    x, y = _read_ts(train)
    train_index, validation_index = _common.stratified_split(y, [SIZES["train"]], _SEED)
    test_x, test_y = _read_ts(test)
    splits = {
        "train": (x[train_index], y[train_index]),
        "validation": (x[validation_index], y[validation_index]),
        "test": (test_x, test_y),
    }
    for arrays in splits.values():
        for array in (*arrays[0], *arrays):
            array.setflags(write=False)
    return splits


def load_data(split=None):
    """Loads the series: the archive's test split, its train split cut 216/54.

    Args:
        split: `"train"`, `"validation"`, `"test"`, or None for all three.

    Returns:
        For one split, `(series, speakers)`: an `(n,)` object array whose
        items are `float32` arrays of shape `(frames, 12)`, frames from 7 to
        29 (pad them, e.g. with `keras.utils.pad_sequences(...,
        dtype="float32", padding="post")`, to batch them), and `(n,)`
        `int32` speakers 0-8. For `split=None`, a dict of the three. The
        arrays, down to each series, are fresh copies.

    Example:

    >>> series, speakers = load_data("train")
    >>> len(series), series[0].dtype, series[0].shape[1], speakers.dtype
    (216, dtype('float32'), 12, dtype('int32'))
    >>> np.bincount(speakers).tolist() == [24] * 9
    True
    """
    _common.check_split(split)
    return _common.select(_splits(), split)
