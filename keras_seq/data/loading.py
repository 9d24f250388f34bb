"""`load`: a user's table, class folder or corpus, in training, validation, test.

One reader for the command, the recipes and Python users. What a path
holds is told by its form:

- a table (`.csv`, `.tsv`, `.jsonl`, `.parquet`, or one of them `.gz`),
  one example a row: an input column (a text, or an image, clip or
  series file relative to the table's folder) and a target column (a
  class label, a target text or a number);
- a folder with one subfolder per class (Keras'
  `text_dataset_from_directory` layout): `.txt` texts, images, clips or
  series; the class names are the subfolders' names;
- a corpus: a `.txt` file, or a folder of them, for a language model.

Without `validation_data` / `test_data`, the parts are a seeded split of
the one file (stratified by class). The label list is fitted on the
training part only. Imports no Keras.

Example:

    data = load("reviews.csv")                  # columns text, label
    data.labels                                 # ('neg', 'pos')
    x, y = data.train                           # texts, class ids
"""

import dataclasses
import os
import typing

import numpy as np

from keras_seq.data import folders
from keras_seq.data import inputs as input_files
from keras_seq.data import labels as label_lists
from keras_seq.data import splits
from keras_seq.data import streaming
from keras_seq.data import tables
from keras_seq.data.errors import DataError

TARGETS = ("labels", "text", "numbers", None)
INPUT_COLUMNS = ("text", "input", "inputs", "source", "path", "file", "image")
INPUT_COLUMNS += ("clip", "video", "series", "sentence", "x")
TARGET_COLUMNS = ("label", "labels", "target", "class", "category", "caption", "y")
VALIDATION_SPLIT = 0.1
TEST_SPLIT = 0.1


class Split(typing.NamedTuple):
    """One part of the data: `x` the model's raw inputs, `y` the targets (or None).

    A tuple, so `model.fit(*data.train, validation_data=data.validation)`.
    """

    x: object
    y: object


@dataclasses.dataclass
class Data:
    """A user's data, in training, validation and test parts.

    Attributes:
        train, validation, test: `Split`s of raw inputs and targets:
            texts (a list of str), images (`uint8` `(n, height, width,
            channels)`), clips (stacked), series (a list of `(steps,
            channels)` arrays) or a corpus (one str); class ids (`int32`),
            texts or numbers (`float32`), or None. A streamed table's
            parts are `keras_seq.data.streaming.TableStream`s instead.
        inputs: `"text"`, `"image"`, `"video"` or `"series"`.
        labels: the class names, id order (None: targets are not labels).
        source: the path the data came from.
        input_column, target_column: the table's columns (None: a folder).
    """

    train: Split
    validation: Split
    test: Split
    inputs: str
    labels: tuple = None
    source: str = None
    input_column: str = None
    target_column: str = None

    @property
    def streamed(self):
        """Whether the parts are `TableStream`s (read as they come), not in memory."""
        return isinstance(self.train, streaming.TableStream)

    def training_sample(self):
        """The training part in memory (`Split`): a streamed table's first rows.

        What a model's preprocessor is fitted on: the whole training part,
        or of a streamed table its first `streaming.SAMPLE_ROWS` rows.
        """
        if self.streamed:
            return self.train.take(streaming.SAMPLE_ROWS)
        return self.train

    def label_names(self, ids):
        """The class names of class ids (a list of str)."""
        return [self.labels[int(i)] for i in np.asarray(ids).reshape(-1)]


def form(path):
    """`"table"`, `"folders"` (one subfolder a class) or `"corpus"` of `path`.

    Raises:
        DataError: no such path, or none of these forms.
    """
    path = str(path)
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file or folder")
    if os.path.isdir(path):
        entries = folders.visible(path)
        if any(os.path.isdir(os.path.join(path, name)) for name in entries):
            return "folders"
        if any(name.lower().endswith(".txt") for name in entries):
            return "corpus"
        raise DataError(f"{path}: a folder of neither class subfolders nor .txt files")
    if tables.table_format(path) is not None:
        return "table"
    if path.lower().endswith(".txt"):
        return "corpus"
    raise DataError(
        f"{path}: not a table (.csv, .tsv, .jsonl, .parquet, or .gz of them), "
        "a class folder or a .txt corpus"
    )


def pick_column(path, names, given, defaults, role, option, exclude=None):
    """The column of `role` in `names`: `given`, a default name, or by position.

    Raises:
        DataError: `given` is not a column, or no column can be told.
    """
    if given is not None:
        tables.check_columns(path, [given], names)
        return given
    for name in names:
        if name.lower() in defaults and name != exclude:
            return name
    others = [name for name in names if name != exclude]
    if len(names) <= 2 and others:
        return others[0] if role == "input" or exclude else others[-1]
    raise DataError(
        f"{path}: which column is the {role}? its columns: {', '.join(names)}; "
        f"name it with {option}"
    )


def table_columns(path, input_column=None, target_column=None, targets="labels"):
    """`(input column, target column or None)` of the table at `path`.

    The input column defaults to `text`, `input`, `path`, `image`... (or
    the first of two columns), the target to `label`, `target`, `class`...
    (or the other of two).
    """
    names = tables.column_names(path)
    option = "input_column (--input-column)"
    if targets is None:
        if input_column is None and len(names) == 1:
            return names[0], None
        return pick_column(
            path, names, input_column, INPUT_COLUMNS, "input", option
        ), None
    target = pick_column(
        path,
        names,
        target_column,
        TARGET_COLUMNS,
        "target",
        "target_column (--target-column)",
        exclude=input_column,
    )
    source = pick_column(
        path, names, input_column, INPUT_COLUMNS, "input", option, exclude=target
    )
    return source, target


def read_table(path, input_column, target_column, kind=None, image_size=None):
    """`(x, raw targets or None, kind)` of a whole table.

    Raises:
        DataError: no such file or column, no rows, or an unreadable input.
    """
    columns = [input_column] + ([target_column] if target_column else [])
    values = tables.read_columns(path, columns)
    cells = values[input_column]
    base = os.path.dirname(path)
    kind = kind or input_files.guess_kind(cells, base)
    x = input_files.read_inputs(cells, kind, base, path, input_column, image_size)
    return x, values.get(target_column), kind


def encode_targets(raw, targets, path, column, names=None, first=1):
    """Raw target cells as class ids (`targets="labels"`), texts or numbers.

    `first`: the row number of `raw[0]`, for messages.
    """
    if targets == "labels":
        return label_lists.encode(raw, names, path, column, first)
    checked = label_lists.check_labels(raw, path, column, first)
    if targets == "text":
        return [str(value) for value in raw]
    try:
        return np.asarray([float(value) for value in checked], "float32")
    except ValueError:
        raise DataError(
            f"{path}, column {column!r}: the targets must be numbers"
        ) from None


def concatenate(chunks):
    """`(x, y)` chunks (a stream's) joined into one `(x, y)`."""
    xs, ys, kind = [], [], None
    for x, y in chunks:
        kind = kind or ("stacked" if isinstance(x, np.ndarray) else "list")
        xs.extend(list(x))
        ys.append(y)
    x = np.stack(xs) if kind == "stacked" else xs
    if not ys or ys[0] is None:
        return x, None
    if isinstance(ys[0], np.ndarray):
        return x, np.concatenate(ys)
    return x, [value for y in ys for value in y]


def _take(x, positions):
    if isinstance(x, np.ndarray):
        return x[positions]
    return [x[i] for i in positions]


def _read(path, kind, input_column, target_column, targets, image_size):
    """`(x, raw targets, kind, input column, target column)` of a table or folder."""
    if form(path) == "folders":
        x, raw, kind = folders.read_folders(path, kind, image_size)
        return x, raw, kind, None, None
    if form(path) == "corpus":
        raise DataError(f"{path}: a corpus (.txt); give a table or a class folder")
    input_column, target_column = table_columns(
        path, input_column, target_column, targets
    )
    x, raw, kind = read_table(path, input_column, target_column, kind, image_size)
    return x, raw, kind, input_column, target_column


def load(
    path,
    input_column=None,
    target_column=None,
    inputs=None,
    targets="labels",
    validation_data=None,
    test_data=None,
    validation_split=VALIDATION_SPLIT,
    test_split=TEST_SPLIT,
    seed=0,
    image_size=None,
    labels=None,
    stream=None,
):
    """Reads a user's data: a table, a class folder or a corpus, in three parts.

    Args:
        path: a table file, a folder of class subfolders, or a `.txt`
            corpus (a file or a folder of them).
        input_column, target_column: the table's columns (default: the
            obvious names, `text`/`label`, `input`/`target`..., or the only
            two columns).
        inputs: `"text"`, `"image"`, `"video"`, `"series"`, or None to
            tell from the data (file names by their suffix).
        targets: `"labels"` (class labels, any strings or integers, as
            class ids), `"text"`, `"numbers"`, or None (no targets).
        validation_data, test_data: files of the same form for those
            parts; without, they are split off `path`.
        validation_split, test_split: the fractions split off (each one
            unused where its file is given).
        seed: the seed of the split.
        image_size: `(height, width)` every image is resized to, or
            `(height, width, channels)` (default: the first image's).
        labels: the class names to code labels with, in id order (a
            model's); default: those of the training part.
        stream: read a table as it comes (its parts are `TableStream`s,
            split at random, not stratified); None: when the file is
            larger than `streaming.STREAM_BYTES`.

    Returns:
        A `Data`: `train`, `validation` and `test` `Split`s, `labels`,
        `inputs`.

    Raises:
        DataError: a file at fault, with the file (and row or column).
        ValueError: an argument out of its range.
    """
    if targets not in TARGETS:
        raise ValueError(
            f"`targets` must be one of {TARGETS}. Received: targets={targets!r}"
        )
    input_files.check_kind(inputs)
    path = str(path)
    if form(path) == "corpus":
        return _corpus(path, validation_data, test_data, validation_split, test_split)
    if form(path) == "table" and streaming.should_stream(path, stream):
        fractions = (
            0 if validation_data else validation_split,
            0 if test_data else test_split,
        )
        splits.split_indices(0, *fractions)  # checks the fractions
        columns = table_columns(path, input_column, target_column, targets)
        others = (validation_data, test_data)
        options = (inputs, targets, seed, image_size, labels)
        return _streamed(path, columns, fractions, others, *options)
    x, raw, kind, input_column, target_column = _read(
        path, inputs, input_column, target_column, targets, image_size
    )
    size = len(x)
    if raw is not None and targets == "labels":
        label_lists.check_labels(raw, path, target_column)
    strata = None
    if raw is not None and targets == "labels":
        strata = [label_lists.label_text(value) for value in raw]
    fractions = (
        0 if validation_data else validation_split,
        0 if test_data else test_split,
    )
    parts = splits.split_indices(size, *fractions, seed=seed, strata=strata)
    names = None
    if targets == "labels" and raw is not None:
        names = labels and tuple(labels)
        names = names or label_lists.class_names(
            _take(raw, parts[0]), path, target_column
        )
    image_size = image_size or (x.shape[1:] if kind == "image" else None)
    result = []
    for positions, other in zip(parts, (None, validation_data, test_data)):
        if other is None:
            y = None if raw is None else _take(raw, positions)
            result.append((_take(x, positions), y, path))
            continue
        other = str(other)
        ox, oraw, _, _, _ = _read(
            other, kind, input_column, target_column, targets, image_size
        )
        result.append((ox, oraw, other))
    data = []
    for x_part, raw_part, source in result:
        y = None
        if raw_part is not None and targets is not None:
            y = encode_targets(raw_part, targets, source, target_column, names)
        data.append(Split(x_part, y))
    _check_shapes(data, kind, validation_data, test_data)
    return Data(*data, kind, names, path, input_column, target_column)


def read(path, labels=None, **options):
    """One file whole, in its order, as one `Split` (to evaluate or predict on).

    Args:
        path: a table or a class folder.
        labels: the class names of the model (its ids); a label not among
            them is refused.
        **options: `input_column`, `target_column`, `inputs`, `targets`,
            `image_size`, as for `load`.

    Returns:
        `(split, data)`: the `Split`, and the `Data` it is the training part of.
    """
    data = load(path, validation_split=0, test_split=0, labels=labels, **options)
    return data.train, data


def _streamed(
    path, columns, fractions, others, kind, targets, seed, image_size, labels
):
    """A table's parts as `TableStream`s (see `keras_seq.data.streaming`)."""
    counts, names = streaming.scan(path, *columns, fractions, seed, targets, labels)
    first = next(iter(tables.batches(path, columns[:1]))).column(0).to_pylist()[:1]
    base = os.path.dirname(path)
    kind = kind or input_files.guess_kind(first, base)
    if kind == "image" and image_size is None:
        image_size = input_files.read_inputs(first, kind, base, path).shape[1:]
    parts = []
    for index, (part, other) in enumerate(zip(streaming.PARTS, (None, *others))):
        source, rows, where = path, counts[index], fractions
        if other is not None:
            source, where = str(other), (0, 0)
            rows = streaming.scan(source, *columns, where, seed, targets, names)[0][0]
            part = "train"
        parts.append(
            streaming.TableStream(
                source,
                *columns,
                part,
                where,
                seed,
                kind,
                targets,
                names,
                int(rows),
                image_size,
            )
        )
    return Data(*parts, kind, names, path, *columns)


def _check_shapes(parts, kind, *sources):
    """Series of one channel count, clips of one shape, across the parts."""
    if kind not in ("series", "video"):
        return
    first = parts[0].x
    for part, source in zip(parts[1:], sources):
        if source is None or not len(part.x) or not len(first):
            continue
        if kind == "series":
            input_files.check_channels(part.x[0], first[0], source)
        elif part.x.shape[1:] != first.shape[1:]:
            raise DataError(
                f"{source}: clips of shape {part.x.shape[1:]}; the training "
                f"clips are {first.shape[1:]}"
            )


def _corpus(path, validation_data, test_data, validation_split, test_split):
    """A corpus's parts: the text's last fractions, or the files given."""
    text = folders.read_corpus(path)
    fractions = (
        0
        if validation_data
        else splits.check_fraction("validation_split", validation_split),
        0 if test_data else splits.check_fraction("test_split", test_split),
    )
    end = len(text)
    test_start = end - int(end * fractions[1])
    validation_start = test_start - int(end * fractions[0])
    parts = [
        text[:validation_start],
        folders.read_corpus(str(validation_data))
        if validation_data
        else text[validation_start:test_start],
        folders.read_corpus(str(test_data)) if test_data else text[test_start:],
    ]
    return Data(*(Split(part, None) for part in parts), "text", None, path)
