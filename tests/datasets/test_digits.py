import numpy as np
import pytest

from keras_seq.datasets import digits
from tests.datasets import loader_checks

SIZES = {"train": 1437, "validation": 180, "test": 180}


@pytest.fixture(scope="module")
def splits():
    return digits.load_data()


def test_shapes_dtypes_and_sizes(splits):
    for split, size in SIZES.items():
        images, labels = splits[split]
        assert images.shape == (size, 8, 8, 1) and images.dtype == np.uint8
        assert labels.shape == (size,) and labels.dtype == np.int32
        assert set(labels.tolist()) == set(range(10))
    assert digits.SIZES == SIZES


def test_pixels_are_the_16ths_rescaled_to_0_255(splits):
    images = np.concatenate([images for images, _ in splits.values()])
    allowed = {round(v * 255 / 16 + 1e-9) for v in range(17)}  # halves up
    assert set(np.unique(images).tolist()) <= allowed
    assert images.min() == 0 and images.max() == 255


def test_same_images_as_scikit_learn(splits):
    """The 1,797 (image, label) pairs of `load_digits`, each in one split."""
    from sklearn.datasets import load_digits

    reference = load_digits()
    rescaled = np.floor(reference.images * 255 / 16 + 0.5).astype(np.uint8)
    expected = sorted(
        zip(loader_checks.fingerprints(rescaled), reference.target.tolist())
    )
    ours = sorted(
        (image[..., 0].tobytes(), int(label))
        for images, labels in splits.values()
        for image, label in zip(images, labels)
    )
    assert ours == expected
    keys = {split: loader_checks.fingerprints(x) for split, (x, _) in splits.items()}
    loader_checks.check_disjoint(keys)


def test_stratified(splits):
    everything = np.concatenate([labels for _, labels in splits.values()])
    share = np.bincount(everything) / len(everything)
    for _, labels in splits.values():
        expected = share * len(labels)
        assert np.abs(np.bincount(labels, minlength=10) - expected).max() <= 1.5


def test_split_argument():
    loader_checks.check_split_argument(digits)


def test_results_are_copies():
    loader_checks.check_results_are_copies(digits)


def test_same_in_every_process_and_fast():
    loader_checks.check_same_in_every_process(digits)
    loader_checks.check_cached_reload_is_fast(digits)


def test_missing_package(monkeypatch):
    loader_checks.check_missing_package(digits, "sklearn", "scikit-learn", monkeypatch)
