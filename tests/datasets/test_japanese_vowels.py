import numpy as np
import pytest

from keras_seq.datasets import japanese_vowels
from tests.datasets import loader_checks

SIZES = {"train": 216, "validation": 54, "test": 370}
# The UCI description: how many test utterances each speaker has.
TEST_PER_SPEAKER = [31, 35, 88, 44, 29, 24, 40, 50, 29]


@pytest.fixture(scope="module")
def splits():
    return japanese_vowels.load_data()


def test_shapes_dtypes_and_sizes(splits):
    for split, size in SIZES.items():
        series, speakers = splits[split]
        assert series.shape == (size,) and series.dtype == object
        assert speakers.shape == (size,) and speakers.dtype == np.int32
        for item in series:
            assert item.dtype == np.float32 and item.ndim == 2
            assert item.shape[1] == 12 and 7 <= item.shape[0] <= 29
            assert np.isfinite(item).all()
    lengths = {len(item) for series, _ in splits.values() for item in series}
    assert min(lengths) == 7 and max(lengths) == 29
    assert japanese_vowels.LABELS[0] == "speaker 1" and len(japanese_vowels.LABELS) == 9


def test_speakers_per_split(splits):
    counts = {
        split: np.bincount(speakers, minlength=9).tolist()
        for split, (_, speakers) in splits.items()
    }
    assert counts == {
        "train": [24] * 9,
        "validation": [6] * 9,
        "test": TEST_PER_SPEAKER,
    }


def test_no_utterance_in_two_splits(splits):
    keys = {
        split: [item.tobytes() for item in series]
        for split, (series, _) in splits.items()
    }
    loader_checks.check_disjoint(keys)
    assert sum(len(set(k)) for k in keys.values()) == 640


def test_first_training_utterance_of_the_archive_is_in_train_or_validation(splits):
    """The first line of the TRAIN file, speaker 1: channels by frame."""
    found = [
        item
        for split in ("train", "validation")
        for item, speaker in zip(*splits[split])
        if speaker == 0 and item[0, 0] == np.float32(1.860936)
    ]
    assert len(found) == 1
    item = found[0]
    assert item.shape == (20, 12)
    np.testing.assert_array_equal(item[:2, 0], np.float32([1.860936, 1.891651]))
    np.testing.assert_array_equal(item[:2, 1], np.float32([-0.207383, -0.193249]))
    assert item[0, 2] == np.float32(0.261557)


def test_split_argument():
    loader_checks.check_split_argument(japanese_vowels)


def test_results_are_copies():
    loader_checks.check_results_are_copies(japanese_vowels)


def test_same_in_every_process_and_fast():
    loader_checks.check_same_in_every_process(japanese_vowels)
    loader_checks.check_cached_reload_is_fast(japanese_vowels)


def test_missing_package(monkeypatch):
    loader_checks.check_missing_package(
        japanese_vowels, "sktime", "sktime", monkeypatch
    )
