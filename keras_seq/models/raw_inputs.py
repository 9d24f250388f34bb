"""Raw inputs (strings, images, clips, series) fed to a model through its preprocessor.

A `Task` with a preprocessor attached takes raw inputs in `fit`,
`evaluate` and `predict`. Arrays and lists of raw items are cut into
batches here, and each batch goes through the preprocessor when Keras asks
for it, so every batch is padded to its own longest sequence (rounded up
to a bucket by the preprocessor), never always to the model's longest.

What is already a stream of batches (a `keras.utils.PyDataset`, a
`tf.data.Dataset`, a generator) is not raw: it must yield model inputs,
and goes to Keras unchanged.
"""

import math

import keras
import numpy as np


def is_batch_stream(x):
    """Whether `x` yields batches itself (a dataset or a generator)."""
    if isinstance(x, keras.utils.PyDataset):
        return True
    module = type(x).__module__ or ""
    return module.startswith("tensorflow") or hasattr(x, "__next__")


def as_items(x, argument="x"):
    """`x` as something indexable by an array of positions: arrays, or a dict of them.

    Lists become NumPy arrays; a list of arrays of different shapes (series
    of different lengths) becomes a 1-D object array holding them.
    """
    if x is None:
        return None
    if isinstance(x, dict):
        return {
            key: as_items(value, f"{argument}[{key!r}]") for key, value in x.items()
        }
    if isinstance(x, (str, bytes)):
        raise TypeError(
            f"`{argument}` must be a batch (a list or array) of inputs, not a "
            f"single one. Received: {argument}={x!r:.80}; pass [{argument}]."
        )
    if isinstance(x, np.ndarray):
        return x
    items = list(x)
    try:
        array = np.asarray(items)
    except ValueError:
        array = None
    if array is None or (array.dtype == object and array.ndim > 1):
        array = np.empty(len(items), dtype=object)
        array[:] = items
    return array


def count(items, argument="x"):
    """The number of items in `items`; a dict's values must agree."""
    if isinstance(items, dict):
        sizes = {key: count(value) for key, value in items.items()}
        if len(set(sizes.values())) > 1:
            raise ValueError(
                f"Every input of `{argument}` must hold as many items. "
                f"Received sizes: {sizes}"
            )
        return next(iter(sizes.values()))
    return len(items)


def take(items, positions):
    """The items at `positions` (an int array), from an array or a dict of them."""
    if items is None:
        return None
    if isinstance(items, dict):
        return {key: take(value, positions) for key, value in items.items()}
    return items[positions]


def split_off_last(fraction, *items):
    """Splits raw items as Keras' `validation_split` does: the last `fraction`.

    Returns:
        `(kept, held)`: tuples of the items before and of the last ones.
    """
    size = count(items[0])
    first = size - int(size * fraction)
    kept = tuple(take(part, np.arange(first)) for part in items)
    held = tuple(take(part, np.arange(first, size)) for part in items)
    return kept, held


class PreprocessedBatches(keras.utils.PyDataset):
    """Batches of raw items, each through `preprocessor` when it is read.

    Args:
        preprocessor: called as `preprocessor(x, y, sample_weight)` on one
            batch of raw items; returns model inputs (and targets).
        x, y, sample_weight: raw items, as `as_items` returns them (`y` and
            `sample_weight` may be None).
        batch_size: items per batch (the last may hold fewer).
        shuffle: reorder the items before every epoch (training).
        seed: seed of that order; None draws one from NumPy's global
            generator, which `keras.utils.set_random_seed` seeds.
        share: `(index, count)`: each batch is the `index`-th of `count`
            equal shares of the global batch of `batch_size` items (a
            process's share in a multi-process run,
            `keras_seq.backend.processes`); `(0, 1)`: all of it.
    """

    def __init__(
        self,
        preprocessor,
        x,
        y=None,
        sample_weight=None,
        batch_size=32,
        shuffle=False,
        seed=None,
        share=(0, 1),
    ):
        super().__init__()
        self.preprocessor = preprocessor
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.share = share
        self.size = count(x)
        for argument, items in (("y", y), ("sample_weight", sample_weight)):
            if items is not None and count(items, argument) != self.size:
                raise ValueError(
                    f"`{argument}` must hold one item for each of the {self.size} "
                    f"inputs of `x`. Received: {count(items, argument)} items"
                )
        if seed is None:
            seed = np.random.randint(2**31)  # noqa: NPY002 (the seeded global)
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(self.size)
        self.on_epoch_begin()

    def __len__(self):
        return math.ceil(self.size / self.batch_size)

    def __getitem__(self, index):
        positions = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        part, parts = self.share
        positions = np.array_split(positions, parts)[part]
        return self.preprocessor(
            take(self.x, positions),
            take(self.y, positions),
            take(self.sample_weight, positions),
        )

    def on_epoch_begin(self):
        if self.shuffle:
            self._order = self._rng.permutation(self.size)


def padded_batch_count(examples, batch_size):
    """How many rows `predict` runs for `examples`: the last batch's rounded up.

    The last, partial batch is padded to a power of two (at most
    `batch_size`), so that calls with any number of examples run a few
    batch shapes only, and a compiled predict function is traced a few
    times, not once per new count.
    """
    remainder = examples % batch_size
    if remainder == 0:
        return examples
    return examples - remainder + min(batch_size, 1 << (remainder - 1).bit_length())


def pad_rows(inputs, rows):
    """Model inputs (an array or a dict of them) with zero rows added up to `rows`."""

    def pad(array):
        extra = rows - len(array)
        return np.pad(array, [(0, extra)] + [(0, 0)] * (array.ndim - 1))

    return keras.tree.map_structure(pad, inputs)
