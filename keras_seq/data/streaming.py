"""A table larger than memory, read as it comes: parts, samples and batches.

A streamed table is never held whole. One pass over its target column
(pyarrow reads that column only) counts the rows of each part and fits
the label list on the training part; each row's part is a seeded hash of
its position, so the split needs no shuffle of the file (it is random,
not stratified). `TableStream.take` reads the first examples of a part
(the sample a vocabulary is learned from, the examples a figure is
measured on), and `TableStream.batches` a `keras.utils.PyDataset` that
reads one record batch (about `tables.BLOCK_BYTES` of the file) at a
time, shuffled within it, through a model's preprocessor, for `fit` on
every backend (in a run of several processes, each reads the input files
of its own share of each batch only).

Example:

    data = keras_seq.data.load("big.csv", stream=True)
    model.fit(data.train.batches(64, model.preprocessor), epochs=1)
"""

import os

import numpy as np

from keras_seq.data import inputs as input_files
from keras_seq.data import labels as label_lists
from keras_seq.data import tables
from keras_seq.data.errors import DataError

PARTS = ("train", "validation", "test")
# A table larger than this streams unless `load(stream=False)`.
STREAM_BYTES = 256 * 2**20
# Training rows a vocabulary is learned from (the first of the part).
SAMPLE_ROWS = 20_000

_MASK = np.uint64(2**64 - 1)


def _mix(values):
    """splitmix64 of uint64 `values`: well-spread 64-bit hashes."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return (z ^ (z >> np.uint64(31))) & _MASK


def row_parts(start, count, validation, test, seed=0):
    """The part (0 train, 1 validation, 2 test) of rows `start`...`start + count`."""
    rows = np.arange(start, start + count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        keys = rows + np.uint64(seed) * np.uint64(0xD1B54A32D192ED03)
    uniform = _mix(keys).astype(np.float64) / 2.0**64
    return np.where(
        uniform < validation, 1, np.where(uniform < validation + test, 2, 0)
    )


class TableStream:
    """One part of a table, read as it comes.

    Args:
        path: the table.
        input_column, target_column: its columns (`target_column` None:
            no targets).
        part: `"train"`, `"validation"` or `"test"`.
        fractions: `(validation, test)` of the seeded split.
        seed: the seed of the split.
        kind: `"text"`, `"image"`, `"video"` or `"series"`.
        targets: `"labels"`, `"text"`, `"numbers"` or None.
        labels: the class names (targets `"labels"`).
        rows: the number of rows of the part.
        image_size: the size images are read at.
    """

    def __init__(
        self,
        path,
        input_column,
        target_column,
        part,
        fractions,
        seed,
        kind,
        targets,
        labels,
        rows,
        image_size=None,
    ):
        self.path, self.part, self.seed = path, PARTS.index(part), seed
        self.columns = [input_column] + ([target_column] if target_column else [])
        self.fractions, self.kind, self.targets = fractions, kind, targets
        self.labels, self.rows, self.image_size = labels, rows, image_size

    def __len__(self):
        return self.rows

    def limited(self, rows):
        """This part cut to its first `rows` rows (a smoke run)."""
        import copy

        cut = copy.copy(self)
        cut.rows = min(self.rows, rows)
        return cut

    def inputs(self, cells):
        """The model inputs of input `cells` (as `cells` yields them), read."""
        return input_files.read_inputs(
            cells,
            self.kind,
            os.path.dirname(self.path),
            self.path,
            self.columns[0],
            self.image_size,
        )

    def cells(self):
        """`(cells, y)` of this part, a record batch at a time, in file order.

        `cells` are the input column's values as the table holds them (a
        text, or the path of a file not read yet: `inputs` reads them);
        `y` the targets, coded (None without targets).
        """
        from keras_seq.data import loading

        start, left = 0, self.rows
        for batch in tables.batches(self.path, self.columns):
            if left <= 0:
                return
            keep = row_parts(start, batch.num_rows, *self.fractions, self.seed)
            keep = np.flatnonzero(keep == self.part)[:left]
            start += batch.num_rows
            if not len(keep):
                continue
            # Python lists, not `batch.take`: pyarrow.compute would import pandas.
            cells = _select(batch.column(0).to_pylist(), keep)
            left -= len(keep)
            if len(self.columns) == 1 or self.targets is None:
                yield cells, None
                continue
            raw = _select(batch.column(1).to_pylist(), keep)
            first = start - batch.num_rows + 1
            yield (
                cells,
                loading.encode_targets(
                    raw, self.targets, self.path, self.columns[1], self.labels, first
                ),
            )

    def chunks(self):
        """`(x, y)` of this part, a record batch at a time, in file order."""
        for cells, y in self.cells():
            yield self.inputs(cells), y

    def take(self, count):
        """The first `count` examples of this part, in memory: a `Split`."""
        from keras_seq.data.loading import Split
        from keras_seq.data.loading import concatenate

        return Split(*concatenate(self.limited(count).chunks()))

    def batches(
        self,
        batch_size,
        preprocessor=None,
        shuffle=False,
        seed=0,
        share=(0, 1),
        drop_remainder=False,
    ):
        """A `keras.utils.PyDataset` of this part's batches, through `preprocessor`.

        Args:
            batch_size: examples a (global) batch.
            preprocessor: called as `preprocessor(x, y)` on each raw batch
                (a model's preprocessor); None yields raw `(x, y)`.
            shuffle: reorder the examples within each record batch, anew
                every epoch.
            seed: the seed of that order.
            share: `(index, count)`: read only the `index`-th of `count`
                equal shares of each batch (a process's, in a run of
                several: `keras_seq.backend.processes.batch_share()`).
            drop_remainder: leave out a last batch of fewer than
                `batch_size` examples (one that devices cannot split).
        """
        from keras_seq.data.table_batches import TableBatches

        return TableBatches(
            self, batch_size, preprocessor, shuffle, seed, share, drop_remainder
        )


def _select(values, positions):
    return [values[i] for i in positions]


def scan(path, input_column, target_column, fractions, seed, targets, labels=None):
    """One pass over the target column: the rows of each part, the training labels.

    With `labels` (a file of validation or test examples), each label
    must be one of them.

    Returns:
        `(rows per part, class names or None)`.

    Raises:
        DataError: a missing label, one class only, no rows.
    """
    counts = np.zeros(3, dtype=np.int64)
    first_rows, start = {}, 0  # (label, part) -> the first row it is on
    column = target_column or input_column
    for batch in tables.batches(path, [column]):
        parts = row_parts(start, batch.num_rows, *fractions, seed)
        counts += np.bincount(parts, minlength=3)
        if targets == "labels":
            values = batch.column(0).to_pylist()
            if labels is not None:
                label_lists.encode(values, labels, path, column, start + 1)
            checked = label_lists.check_labels(values, path, column, start + 1)
            for row, (name, part) in enumerate(zip(checked, parts), start + 1):
                first_rows.setdefault((name, part), row)
        start += batch.num_rows
    if not start:
        raise DataError(f"{path}: the table holds no rows")
    if targets == "labels" and labels is None:
        trained = sorted(name for name, part in first_rows if part == 0)
        labels = label_lists.class_names(trained, path, column)
        for (name, part), row in sorted(first_rows.items(), key=lambda x: x[1]):
            if name not in labels:
                raise DataError(
                    f"{path}, row {row}, column {column!r}: the label {name!r} "
                    f"(split off to {PARTS[part]}) is not one training saw "
                    f"({', '.join(labels)})"
                )
    return counts, labels


def should_stream(path, stream):
    """Whether a table is streamed: `stream`, or (None) larger than `STREAM_BYTES`."""
    if stream is not None:
        return bool(stream)
    return os.path.getsize(path) > STREAM_BYTES
