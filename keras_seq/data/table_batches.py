"""`TableBatches`: a streamed table part as a `keras.utils.PyDataset` for `fit`.

Batches are read in order (pyarrow's record batches, each shuffled
within itself when asked), so `fit` must not reorder them: Keras asks
for batch 0, 1, 2... of an epoch, and batch 0 starts the file again.
In a run of several processes each one forms the same global batches
from the table's cells (a text, or a file's path) and reads the inputs
of its own share of their rows only, as `PreprocessedBatches` shares a
table in memory (`keras_seq.models.raw_inputs`).
Imports Keras (the `PyDataset` base), unlike the rest of `keras_seq.data`.
"""

import keras
import numpy as np


class TableBatches(keras.utils.PyDataset):
    """Batches of a `TableStream`, read as they come, through a preprocessor.

    Args:
        stream: the `TableStream` (one part of a table).
        batch_size: examples a global batch (the last may hold fewer).
        preprocessor: called as `preprocessor(x, y)` on each raw batch;
            None yields raw `(x, y)`.
        shuffle: reorder the examples within each record batch, anew
            every epoch (at each `on_epoch_begin`).
        seed: the seed of that order.
        share: `(index, count)`: each batch is the `index`-th of `count`
            equal shares of the global batch (`np.array_split`'s);
            `(0, 1)`: all of it.
        drop_remainder: leave out a last batch of fewer than `batch_size`
            examples.
    """

    def __init__(
        self,
        stream,
        batch_size,
        preprocessor=None,
        shuffle=False,
        seed=0,
        share=(0, 1),
        drop_remainder=False,
    ):
        super().__init__()
        self.stream, self.batch_size = stream, batch_size
        self.preprocessor, self.shuffle, self.seed = preprocessor, shuffle, seed
        self.share, self.drop_remainder = share, drop_remainder
        # Epochs begun: read before the first (a batch to learn shapes
        # from), the batches are those of epoch 0.
        self._epoch, self._next, self._batches = -1, 0, None

    def __len__(self):
        whole, rest = divmod(len(self.stream), self.batch_size)
        return whole + bool(rest and not self.drop_remainder)

    def _read(self):
        """Global batches of raw `(cells, targets)`, across the stream's chunks."""
        rng = np.random.default_rng([self.seed, max(self._epoch, 0)])
        size = self.batch_size
        held_x, held_y, start = [], [], 0
        for cells, y in self.stream.cells():
            order = rng.permutation(len(cells)) if self.shuffle else range(len(cells))
            held_x = held_x[start:] + [cells[i] for i in order]
            held_y = held_y[start:] + ([] if y is None else [y[i] for i in order])
            start = 0
            while len(held_x) - start >= size:
                yield held_x[start : start + size], held_y[start : start + size]
                start += size
        if len(held_x) > start and not self.drop_remainder:
            yield held_x[start:], held_y[start:]

    def _batch(self, cells, y):
        """This process's share of a global batch: its inputs read, `(x, y)`."""
        part, parts = self.share
        kept = np.array_split(np.arange(len(cells)), parts)[part]
        x = self.stream.inputs([cells[i] for i in kept])
        return x, (np.asarray([y[i] for i in kept]) if y else None)

    def __getitem__(self, index):
        if index == 0 or self._batches is None:
            self._batches, self._next = self._read(), 0
        if index != self._next:
            raise IndexError(
                f"TableBatches reads in order: batch {self._next} is next, not "
                f"{index} (pass shuffle=False to fit; the batches shuffle themselves)"
            )
        x, y = self._batch(*next(self._batches))
        self._next += 1
        if self.preprocessor is None:
            return x if y is None else (x, y)
        return self.preprocessor(x) if y is None else self.preprocessor(x, y)

    def on_epoch_begin(self):
        # Counted where an epoch begins: a `tf.data` pipeline over the
        # batches may stop at its last batch, before `on_epoch_end`.
        self._epoch += 1
        self._batches = None

    def on_epoch_end(self):
        self._batches = None
