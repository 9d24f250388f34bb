"""`--data PATH`: the command on a user's own table, class folder or corpus.

`keras-seq train APP --data PATH` reads PATH with `keras_seq.data.load`
(the input and target kinds APP takes; `causal_lm` a corpus, cut into
chunks; `sequence_tagger` a series table, `keras_seq.data.load_series`),
`evaluate` and `predict` read a
file whole with `keras_seq.data.read` against the model's own label list.
A file at fault is a `UsageError` (one line naming the file, row or
column, exit status 2) before anything is written. A bundled data set's
name (no folder, no suffix) is not a path: it goes on as before.

Example:

    keras-seq train text_classifier --data reviews.jsonl --output runs/reviews
    keras-seq predict runs/reviews --data new.csv --output predictions.csv
"""

import os

from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError

# Application -> (what its inputs are, what its targets are).
FORMS = {
    "text_classifier": ("text", "labels"),
    "rnn_classifier": ("series", "labels"),
    "vit": ("image", "labels"),
    "vivit": ("video", "labels"),
    "seq2seq_transformer": ("text", "text"),
    "seq2seq_rnn": ("text", "text"),
    "image_captioner": ("image", "text"),
    "causal_lm": ("text", None),  # a corpus, or a table's texts
    "sequence_tagger": ("series", "numbers"),  # a series table: its next steps
}
# The training options that only a user's file takes.
_FILE_OPTIONS = (
    "input_column",
    "target_column",
    "validation_data",
    "test_data",
    "validation_split",
    "test_split",
)


def is_path(data):
    """Whether `--data` names a file or folder (not a bundled data set's name)."""
    if data is None:
        return False
    return os.path.exists(data) or os.sep in data or "." in os.path.basename(data)


def check_options(args):
    """A UsageError for file options given with a bundled data set."""
    for name in _FILE_OPTIONS:
        if getattr(args, name, None) is not None and not is_path(args.data):
            option = "--" + name.replace("_", "-")
            raise UsageError(
                f"{option} reads a user's file: give --data PATH (a table, a class "
                "folder), not a bundled data set"
            )


def loaded_or_refused(function, *args, **kwargs):
    """`function(*args, **kwargs)`; a bad file's error as the command's one line."""
    from keras_seq.data import DataError

    try:
        return function(*args, **kwargs)
    except DataError as error:
        raise UsageError(str(error)) from None
    except ValueError as error:
        raise UsageError(str(error).replace("`", "")) from None


def _cut(part, limit):
    from keras_seq.data import Split

    if limit is None:
        return part
    if not isinstance(part, Split):
        return part.limited(limit)
    if isinstance(part.x, str):  # a corpus: `limit` chunks of it
        return Split(part.x[: limit * corpus_chunk()], None)
    return Split(part.x[:limit], None if part.y is None else part.y[:limit])


def corpus_chunk():
    """The characters of a language model's training example (`causal_lm`'s)."""
    from keras_seq.cli.setups import _CHUNK

    return _CHUNK


def _one_text(data):
    """A table's texts without targets (for `causal_lm`) as one corpus text."""
    import dataclasses

    from keras_seq.data import Split

    if data.streamed or isinstance(data.train.x, str):
        return data
    parts = {
        name: Split("\n".join(getattr(data, name).x), None)
        for name in ("train", "validation", "test")
    }
    return dataclasses.replace(data, **parts)


def _chunks(part):
    """A corpus part cut into `corpus_chunk()` characters: what `fit` reads."""
    from keras_seq.data import Split

    size = corpus_chunk()
    text = part.x
    return Split([text[i : i + size] for i in range(0, len(text), size)], None)


def read_training(setup, args):
    """The user's data that `setup` trains on: a `keras_seq.data.Data`.

    Raises:
        UsageError: the application does not train on a user's files yet,
            or a file is at fault.
    """
    if setup.name not in FORMS:
        raise UsageError(
            f"{setup.name} trains on its bundled data set only; a user's file "
            f"trains {', '.join(FORMS)}"
        )
    import dataclasses

    from keras_seq import data as user_data

    inputs, targets = FORMS[setup.name]
    options = {"validation_split": args.validation_split, "test_split": args.test_split}
    options = {key: value for key, value in options.items() if value is not None}
    if setup.name == "sequence_tagger":
        return _series_table(args, options)
    data = loaded_or_refused(
        user_data.load,
        args.data,
        input_column=args.input_column,
        target_column=args.target_column,
        targets=targets,
        validation_data=args.validation_data,
        test_data=args.test_data,
        seed=args.seed,
        stream=getattr(args, "stream", None),
        **options,
    )
    if targets is None:
        data = _one_text(data)
    if data.inputs != inputs:
        raise UsageError(
            f"{args.data}: holds {data.inputs} inputs; {setup.name} reads {inputs} "
            f"(the applications: {', '.join(FORMS)})"
        )
    if data.streamed and targets is None:
        raise UsageError(
            f"{args.data} is streamed (larger than memory should hold): "
            f"{setup.name} reads a corpus whole; give a .txt file or a smaller table"
        )
    for name, part in zip(
        ("training", "validation", "test"), (data.train, data.validation, data.test)
    ):
        if not len(part if data.streamed else part.x):
            remedy = "" if name == "training" else f" or give --{name}-data"
            raise UsageError(
                f"{args.data}: too few examples for a {name} part; add examples{remedy}"
            )
    parts = {
        name: _cut(getattr(data, name), args.limit)
        for name in ("train", "validation", "test")
    }
    return dataclasses.replace(data, **parts)


def _series_table(args, options):
    """A series table's windows (`keras_seq.data.load_series`) to forecast."""
    from keras_seq import data as user_data

    for option in ("validation_data", "test_data"):
        if getattr(args, option) is not None:
            name = "--" + option.replace("_", "-")
            raise UsageError(
                f"{name}: sequence_tagger reads one series table, split in time "
                "order (--validation-split, --test-split)"
            )
    columns = args.input_column.split(",") if args.input_column else None
    data = loaded_or_refused(
        user_data.load_series, args.data, columns, args.target_column, **options
    )
    for name in ("validation", "test"):
        if not len(getattr(data, name).x):
            raise UsageError(
                f"{args.data}: too few steps for a {name} part; add rows or raise "
                f"--{name}-split"
            )
    if args.limit is not None:
        import dataclasses

        parts = ("train", "validation", "test")
        data = dataclasses.replace(
            data, **{name: _cut(getattr(data, name), args.limit) for name in parts}
        )
    return data


def in_memory(data):
    """The training and validation `Split`s; of a streamed table, their first rows.

    A corpus's parts are cut into chunks of `corpus_chunk()` characters.

    A streamed table's training sample (`SAMPLE_ROWS`) is what the model
    and its vocabulary are built from; its validation sample what every
    epoch is validated on.
    """
    if not data.streamed and isinstance(data.train.x, str):  # a corpus: chunks
        return _chunks(data.train), _chunks(data.validation)
    if not data.streamed:
        return data.train, data.validation
    from keras_seq.data.streaming import SAMPLE_ROWS

    say(
        f"{data.source} streams: the vocabulary (or scaling) is fitted on the "
        f"first {SAMPLE_ROWS:,} training rows, validation reads the first "
        f"{SAMPLE_ROWS:,} validation rows"
    )
    return data.train.take(SAMPLE_ROWS), data.validation.take(SAMPLE_ROWS)


def streamed_fit(model, data, batch_size, seed):
    """`fit`'s `x` (and how to read it) for a streamed table's training part.

    On many devices or processes, only whole global batches (a last,
    partial one cannot be split), of which this process reads its share.
    """
    import keras

    from keras_seq.backend import processes
    from keras_seq.backend import support

    share = processes.batch_share()
    whole = share[1] > 1 or keras.distribution.distribution() is not None
    batches = data.train.batches(
        batch_size, model.preprocessor, True, seed, share, drop_remainder=whole
    )
    fitted = processes.per_process(support.batches_for_keras(batches), batches)
    # The batches shuffle within each record batch themselves, in order.
    return {"x": fitted, "shuffle": False}


def figure(data, builder):
    """The held-out figure of the model on the user's data (its test part).

    A streamed table's figure reads the first `SAMPLE_ROWS` of each part.
    """
    import dataclasses

    from keras_seq.evaluation import held_out

    if data.streamed:
        from keras_seq.data.streaming import SAMPLE_ROWS

        parts = ("train", "validation", "test")
        data = dataclasses.replace(
            data, **{name: getattr(data, name).take(SAMPLE_ROWS) for name in parts}
        )
    return held_out.for_data(data, builder)


def record(data):
    """What history.json keeps of the user's data: its columns and inputs."""
    return {
        "path": data.source,
        "inputs": data.inputs,
        "input_column": data.input_column,
        "target_column": data.target_column,
    }


def read_file(loaded, path, input_column=None, target_column=None, targets=True):
    """A user's file whole, in order, for a trained model: `(split, data)`.

    The columns default to those training read (history.json); labels are
    coded with the model's own list, so one it never saw is refused.
    """
    from keras_seq import data as user_data
    from keras_seq.serving.predictions import input_kind

    trained = trained_data(loaded)
    preprocessor = loaded.model.preprocessor
    kind = input_kind(preprocessor)
    image = getattr(preprocessor, "image_preprocessor", preprocessor)
    columns = user_data.table_columns if os.path.isfile(path) else None
    input_column = input_column or _column(columns, path, trained.get("input_column"))
    target = None
    if targets:
        target = "labels" if loaded.labels else "text"
        target_column = target_column or _column(
            columns, path, trained.get("target_column")
        )
    return loaded_or_refused(
        user_data.read,
        path,
        labels=loaded.labels if targets else None,
        input_column=input_column,
        target_column=target_column,
        inputs=kind,
        targets=target,
        image_size=getattr(image, "image_shape", None),
    )


def trained_data(loaded):
    """What training recorded of the user's data (history.json), or {}."""
    from keras_seq.cli.files import HISTORY_FILE
    from keras_seq.cli.files import read_json

    if not os.path.isfile(loaded.source):
        return {}
    history = os.path.join(os.path.dirname(loaded.source), HISTORY_FILE)
    return (read_json(history) or {}).get("data") or {}


def _column(columns, path, trained):
    """The column training read, where the file has it (else the defaults)."""
    if columns is None or trained is None:
        return None
    from keras_seq.data import column_names

    return trained if trained in loaded_or_refused(column_names, path) else None


def rows(path):
    """The columns of the user's file as read, to write beside the predictions.

    A table's own columns (`{name: values}`), or a class folder's `path`
    (relative to it) and `folder` of each file.
    """
    from keras_seq import data as user_data
    from keras_seq.data import folders
    from keras_seq.data import tables

    if os.path.isdir(path):
        files, names = loaded_or_refused(folders.folder_files, path)
        return {
            "path": [os.path.relpath(file, path) for file in files],
            "folder": names,
        }
    return loaded_or_refused(
        tables.read_columns, path, loaded_or_refused(user_data.column_names, path)
    )


def write_rows(columns, path=None):
    """Writes `{name: values}` as a CSV (or JSONL, by `path`'s suffix) atomically.

    Without `path`, as CSV on stdout.
    """
    import sys

    from keras_seq.callbacks import atomic_path

    if path is None:
        _write(columns, sys.stdout, jsonl=False)
        return
    if not path.lower().endswith((".csv", ".jsonl")):
        raise UsageError(f"--output {path}: give a .csv or .jsonl file")
    with atomic_path(path) as temporary:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            _write(columns, handle, jsonl=path.lower().endswith(".jsonl"))


def _write(columns, handle, jsonl):
    import csv
    import json

    names = list(columns)
    records = [dict(zip(names, values)) for values in zip(*columns.values())]
    if jsonl:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    # Lines end "\r\n" (RFC 4180): a cell holding "\r" or "\n" is then quoted.
    writer = csv.DictWriter(handle, names, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
