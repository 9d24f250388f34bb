"""A user's own data: tables, class folders and corpora, ready for `fit`.

`load` reads a table (`.csv`, `.tsv`, `.jsonl`, `.parquet`, `.gz` of
them: one example a row, a text or a file name in the input column), a
folder of one subfolder per class, or a `.txt` corpus, and splits it into
training, validation and test parts (seeded, stratified), the label list
fitted on the training part. A table too large for memory is read in
batches (`TableBatches`, a `keras.utils.PyDataset`). `load_series` reads
one long series (a table of numeric columns) as forecasting windows.
Errors name the file, the row or the column at fault (`DataError`).
Imports no Keras until a stream is made.

Example:

    data = keras_seq.data.load("reviews.csv")
    model = keras_seq.applications.TextClassifier.from_data(data)
    model.fit(*data.train, validation_data=data.validation)
    model.predict_labels(data.test.x)       # the table's own label names
"""

from keras_seq.data.errors import DataError
from keras_seq.data.loading import Data
from keras_seq.data.loading import Split
from keras_seq.data.loading import load
from keras_seq.data.loading import read
from keras_seq.data.loading import table_columns
from keras_seq.data.series_tables import load_series
from keras_seq.data.tables import column_names
from keras_seq.data.tables import table_format

__all__ = [
    "Data",
    "DataError",
    "Split",
    "column_names",
    "load",
    "load_series",
    "read",
    "table_columns",
    "table_format",
]
