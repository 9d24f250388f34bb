"""A forecaster on a user's series table: `predict --data` and `evaluate --data`.

A `sequence_tagger` trained on a series table (`keras-seq train
sequence_tagger --data river.csv`) forecasts the next step of its target
channel from a window of steps of every channel. A series table read for
it holds the columns training read (history.json; else every numeric
column, the target first; `--input-column A,B` names them, the target
first):

- `predict --data` gives each row the forecast of the target's next step
  (the next row's value; the last row's is the step after the table),
  from the window of the model's steps ending at that row (the first
  rows, with fewer steps before them, from the steps so far);
- `evaluate --data` scores the forecast of every row with a whole window
  ending at it and a row after it, by training's figure (the mean
  absolute error, against persistence).

Example:

    keras-seq predict runs/river --data river_2025.csv --output forecasts.csv
"""

from keras_seq.cli import own_data
from keras_seq.cli.errors import UsageError

# Windows the model reads at a time.
BATCH_SIZE = 256


def is_forecaster(loaded):
    """Whether `loaded` is a tagger of series (a forecaster), not of texts."""
    from keras_seq.serving.predictions import input_kind

    preprocessor = loaded.model.preprocessor
    return loaded.builder == "SequenceTagger" and input_kind(preprocessor) == "series"


def window_of(model):
    """The steps of the windows `model` was built for."""
    return model.input_shape[1] or model.preprocessor.sequence_length


def read(loaded, path, input_column=None, target_column=None):
    """`(series, names)`: the table's channels `(steps, channels)`, the target first.

    Args:
        loaded: the forecaster (`keras_seq.cli.models.load`'s).
        path: the series table.
        input_column: the channels' columns, comma-separated, the target
            first (default: training's, else every numeric column).
        target_column: the target's column (default: training's, else
            the first channel).

    Raises:
        UsageError: the file or a column is at fault, or the table has
            another number of channels than the model reads.
    """
    from keras_seq.data import column_names
    from keras_seq.data import series_tables

    trained = own_data.trained_data(loaded)
    names = own_data.loaded_or_refused(column_names, path)
    known = [name for name in (trained.get("input_column") or "").split(",") if name]
    columns = input_column or (",".join(known) if set(known) <= set(names) else None)
    columns = columns.split(",") if columns else None
    target = target_column or (columns[0] if columns else None)
    if target is None and trained.get("target_column") in names:
        target = trained["target_column"]
    series, names = own_data.loaded_or_refused(
        series_tables.read_series, path, columns, target
    )
    channels = loaded.model.preprocessor.channels
    if series.shape[-1] != channels:
        raise UsageError(
            f"{path}: {series.shape[-1]} numeric columns ({', '.join(names)}); "
            f"{loaded.source} forecasts from {channels}: name them with "
            "--input-column A,B (the target first)"
        )
    return series, names


def forecasts(model, series):
    """Each step's forecast of the target's next step: a float32 array `(steps,)`.

    Step `t`'s forecast reads the window of `window_of(model)` steps
    ending at `t` (fewer at the start: steps 0 to `t`).
    """
    import numpy as np

    from keras_seq.serving.predictions import series_outputs

    window = window_of(model)
    ends = range(1, len(series) + 1)
    windows = [series[max(0, end - window) : end] for end in ends]
    values = []
    for start in range(0, len(windows), BATCH_SIZE):
        batch = windows[start : start + BATCH_SIZE]
        outputs = series_outputs(model, batch)
        values.extend(outputs[i, len(steps) - 1, 0] for i, steps in enumerate(batch))
    return np.asarray(values, "float32")


def evaluation_data(loaded, path, input_column=None, target_column=None):
    """The table's whole windows and their targets, as training's figure reads them.

    Returns:
        A `keras_seq.data.Data` whose every part holds the windows `(n,
        window, channels)` and their targets one step ahead `(n, window,
        1)`, `n` the table's steps less the window.

    Raises:
        UsageError: as `read`, or no more steps than one window.
    """
    import numpy as np

    from keras_seq.data import Data
    from keras_seq.data import Split

    series, names = read(loaded, path, input_column, target_column)
    window = window_of(loaded.model)
    if len(series) <= window:
        raise UsageError(
            f"{path}: {len(series)} steps; {loaded.source} forecasts from windows "
            f"of {window}: give {window + 1} rows or more"
        )
    view = np.lib.stride_tricks.sliding_window_view
    x = view(series[:-1], window, axis=0).transpose(0, 2, 1)
    y = view(series[1:, :1], window, axis=0).transpose(0, 2, 1)
    part = Split(x, y)
    return Data(part, part, part, "series", None, path, ",".join(names), names[0])
