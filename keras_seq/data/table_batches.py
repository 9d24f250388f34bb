"""`TableBatches`: a streamed table part as a `keras.utils.PyDataset` for `fit`.

Batches are read in order (pyarrow's record batches, each shuffled
within itself when asked), so `fit` must not reorder them: Keras asks
for batch 0, 1, 2... of an epoch, and batch 0 starts the file again.
Imports Keras (the `PyDataset` base), unlike the rest of `keras_seq.data`.
"""

import math

import keras
import numpy as np


class TableBatches(keras.utils.PyDataset):
    """Batches of a `TableStream`, read as they come, through a preprocessor.

    Args:
        stream: the `TableStream` (one part of a table).
        batch_size: examples a batch (the last may hold fewer).
        preprocessor: called as `preprocessor(x, y)` on each raw batch;
            None yields raw `(x, y)`.
        shuffle: reorder the examples within each record batch, anew
            every epoch.
        seed: the seed of that order.
    """

    def __init__(self, stream, batch_size, preprocessor=None, shuffle=False, seed=0):
        super().__init__()
        self.stream, self.batch_size = stream, batch_size
        self.preprocessor, self.shuffle, self.seed = preprocessor, shuffle, seed
        self._epoch, self._next, self._batches = 0, 0, None

    def __len__(self):
        return math.ceil(len(self.stream) / self.batch_size)

    def _read(self):
        """Raw `(x, y)` batches of `batch_size` across the stream's chunks."""
        rng = np.random.default_rng([self.seed, self._epoch])
        held_x, held_y = [], []
        for x, y in self.stream.chunks():
            order = rng.permutation(len(x)) if self.shuffle else np.arange(len(x))
            held_x += [x[i] for i in order]
            held_y += [] if y is None else [y[i] for i in order]
            while len(held_x) >= self.batch_size:
                yield self._batch(held_x, held_y, self.batch_size)
                held_x, held_y = held_x[self.batch_size :], held_y[self.batch_size :]
        if held_x:
            yield self._batch(held_x, held_y, len(held_x))

    def _batch(self, x, y, size):
        from keras_seq.data.loading import stacked

        return stacked(x[:size], self.stream.kind), (
            np.asarray(y[:size]) if y else None
        )

    def __getitem__(self, index):
        if index == 0 or self._batches is None:
            self._batches, self._next = self._read(), 0
        if index != self._next:
            raise IndexError(
                f"TableBatches reads in order: batch {self._next} is next, not "
                f"{index} (pass shuffle=False to fit; the batches shuffle themselves)"
            )
        x, y = next(self._batches)
        self._next += 1
        if self.preprocessor is None:
            return x if y is None else (x, y)
        return self.preprocessor(x) if y is None else self.preprocessor(x, y)

    def on_epoch_end(self):
        self._epoch += 1
        self._batches = None
