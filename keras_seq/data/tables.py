"""Tables of examples, one a row: `.csv`, `.tsv`, `.jsonl`, `.parquet`, and `.gz`.

Read with pyarrow, whole (`read_table`) or in record batches of bounded
size (`batches`: pyarrow's streaming CSV and JSON readers, Parquet's row
groups), so a table larger than memory is never held at once. Imports no
Keras.

Example:

    columns = column_names("reviews.csv")
    for batch in batches("reviews.csv", ["text", "label"]):
        texts = batch.column("text").to_pylist()
"""

import gzip
import os

from keras_seq.data.errors import DataError

FORMATS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".parquet": "parquet"}
# Bytes pyarrow reads at a time from a CSV or JSON file: a record batch.
BLOCK_BYTES = 1 << 20


def table_format(path):
    """The format of `path` by its suffix (`.gz` too): `"csv"`, `"tsv"`..., or None."""
    name = str(path).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return FORMATS.get(os.path.splitext(name)[1])


def _compressed(path):
    return str(path).lower().endswith(".gz")


def _csv_options(kind, columns):
    from pyarrow import csv

    parse = csv.ParseOptions(delimiter="\t" if kind == "tsv" else ",")
    read = csv.ReadOptions(block_size=BLOCK_BYTES, use_threads=False)
    convert = csv.ConvertOptions(include_columns=columns)
    return {"read_options": read, "parse_options": parse, "convert_options": convert}


def _reader(path, columns=None):
    """A pyarrow stream of record batches over `path`, `columns` only (None: all)."""
    import pyarrow as pa

    kind = table_format(path)
    try:
        if kind in ("csv", "tsv"):
            from pyarrow import csv

            return csv.open_csv(str(path), **_csv_options(kind, columns))
        if kind == "jsonl":
            from pyarrow import json

            reader = json.open_json(
                str(path), read_options=json.ReadOptions(block_size=BLOCK_BYTES)
            )
            return _Selected(reader, columns)
        from pyarrow import parquet

        source = str(path)
        if _compressed(path):
            with gzip.open(path, "rb") as handle:
                source = pa.BufferReader(handle.read())
        parquet_file = parquet.ParquetFile(source)
        return _Selected(_ParquetBatches(parquet_file), columns)
    except (pa.ArrowInvalid, OSError, EOFError) as error:
        if "Empty CSV file" in str(error) or "Empty JSON file" in str(error):
            raise DataError(
                f"{path}: the table is empty (no header, no rows)"
            ) from None
        raise DataError(f"{path}: cannot read it as a table: {_first(error)}") from None


def _first(error):
    return (str(error).strip() or type(error).__name__).splitlines()[0]


class _ParquetBatches:
    """A Parquet file's record batches and schema, as the CSV reader gives them."""

    def __init__(self, parquet_file):
        self.schema = parquet_file.schema_arrow
        self._batches = parquet_file.iter_batches(batch_size=65_536)

    def __iter__(self):
        return iter(self._batches)


class _Selected:
    """A reader's batches with `columns` only (checked against the schema)."""

    def __init__(self, reader, columns):
        self.schema = reader.schema
        self._reader, self._columns = reader, columns

    def __iter__(self):
        for batch in self._reader:
            yield batch if self._columns is None else batch.select(self._columns)


def column_names(path):
    """The columns of the table at `path`, in order.

    Raises:
        DataError: no such file, or not a table pyarrow can read.
    """
    check_file(path)
    return list(_reader(path).schema.names)


def check_file(path):
    """`path` if it is a file; else a DataError naming it."""
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file or folder")
    if not os.path.isfile(path):
        raise DataError(f"{path}: not a file")
    return path


def check_columns(path, wanted, names=None):
    """A DataError naming the first of `wanted` that `path` lacks, with its columns."""
    names = column_names(path) if names is None else names
    for column in wanted:
        if column not in names:
            raise DataError(
                f"{path}: no column {column!r}; its columns: {', '.join(names)}"
            )


def batches(path, columns=None):
    """The record batches (pyarrow) of `path`'s `columns`, read as they come.

    Memory holds one batch (about `BLOCK_BYTES` of the file) at a time.

    Args:
        path: a table file (see `table_format`).
        columns: the columns to read (None: all).

    Raises:
        DataError: the file, or a column of `columns`, cannot be read.
    """
    check_file(path)
    if columns is not None:
        check_columns(path, columns)
    import pyarrow as pa

    try:
        yield from _reader(path, columns)
    except pa.ArrowInvalid as error:
        raise DataError(f"{path}: cannot read it as a table: {_first(error)}") from None


def read_columns(path, columns):
    """`{column: list of values}` of the whole table at `path`.

    Raises:
        DataError: no such file or column, or the table holds no rows.
    """
    values = {column: [] for column in columns}
    for batch in batches(path, columns):
        for column in columns:
            values[column].extend(batch.column(column).to_pylist())
    if not values[columns[0]]:
        raise DataError(f"{path}: the table holds no rows")
    return values
