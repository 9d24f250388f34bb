import numbers

import keras
import numpy as np

from keras_seq.preprocessing.padding import pad_rows
from keras_seq.preprocessing.padding import padded_length
from keras_seq.preprocessing.preprocessor import Preprocessor
from keras_seq.preprocessing.preprocessor import check_bool
from keras_seq.preprocessing.preprocessor import pack_outputs
from keras_seq.utils.validation import check_positive_int


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _check_statistic(name, value, channels, positive=False):
    """None, or `value` (a float or one per channel) as a list of floats."""
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        value = value.tolist()
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if len(values) == 1:
        values = values * channels
    if (
        len(values) != channels
        or not all(_is_real(v) and np.isfinite(v) for v in values)
        or (positive and not all(v > 0 for v in values))
    ):
        kind = "positive " if positive else ""
        raise ValueError(
            f"`{name}` must be None, a {kind}float or a list of {channels} {kind}"
            f"floats (one per channel). Received: {name}={value!r}"
        )
    return [float(v) for v in values]


@keras.saving.register_keras_serializable(package="keras_seq")
class SeriesPreprocessor(Preprocessor):
    """Variable-length numeric series to one padded float32 batch `values`.

    For `RNNClassifier` and `SequenceTagger` on numeric inputs. A batch of
    series, each `(time_i, channels)` (or `(time_i,)` with one channel),
    is standardized per channel (`(series - mean) / std`, when given or
    learned by `adapt`), cut to `sequence_length` steps (its first ones),
    and right-padded with `mask_value` to the longest series rounded up to
    a power of two (see `padded_length`). The models read a step whose
    features all equal their `mask_value` (0.0 by default) as padding: so
    that no real step is, a real step whose features all equal it gets
    its first feature moved by the smallest normal float32 step (1e-38
    for 0.0), a change no model can see. A series of no steps is padding
    only. With `mask_value=None` padding is 0.0 and nothing is nudged.

    Labels `y` pass through as a NumPy array; with `per_step_targets=True`
    they are one `(time_i,)` or `(time_i, k)` array per series (a
    `SequenceTagger`'s), cut and padded like the series (with 0, which the
    tagger's masked loss ignores).

    Args:
        channels: the number of features of each step.
        sequence_length: the most steps kept, or None for no limit.
        mean: None, or the per-channel mean to subtract (a float or a list).
        std: None, or the per-channel standard deviation to divide by.
        mask_value: the padding value, the model's `mask_value`.
        truncate: whether to cut longer series (else they raise a
            ValueError).
        per_step_targets: whether `y` holds one target per step.
        **kwargs: `keras.layers.Layer` arguments (`name`).

    Example:

    >>> from keras_seq.preprocessing import SeriesPreprocessor
    >>> preprocessor = SeriesPreprocessor(channels=2)
    >>> preprocessor.adapt([np.array([[1.0, 10.0], [3.0, 30.0]])])
    >>> preprocessor.mean, preprocessor.std
    ([2.0, 20.0], [1.0, 10.0])
    >>> values = preprocessor([np.array([[3.0, 30.0]]), np.zeros((3, 2))])
    >>> values.shape, values.dtype
    ((2, 8, 2), dtype('float32'))
    >>> values[0, :2]
    array([[1., 1.],
           [0., 0.]], dtype=float32)
    """

    def __init__(
        self,
        channels,
        sequence_length=None,
        mean=None,
        std=None,
        mask_value=0.0,
        truncate=True,
        per_step_targets=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.channels = check_positive_int("channels", channels)
        self.sequence_length = check_positive_int(
            "sequence_length", sequence_length, allow_none=True
        )
        self.mean = _check_statistic("mean", mean, self.channels)
        self.std = _check_statistic("std", std, self.channels, positive=True)
        if mask_value is not None and not (
            _is_real(mask_value) and np.isfinite(mask_value)
        ):
            raise ValueError(
                "`mask_value` must be a finite float or None. Received: "
                f"mask_value={mask_value!r}"
            )
        self.mask_value = None if mask_value is None else float(mask_value)
        self.truncate = check_bool("truncate", truncate)
        self.per_step_targets = check_bool("per_step_targets", per_step_targets)

    def _series(self, name, x):
        """`x` as a list of float64 `(time_i, channels)` arrays, checked."""
        if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
            x = x.numpy()
        if isinstance(x, np.ndarray) and x.dtype != object:
            if x.ndim == 2 and self.channels == 1:
                x = x[..., None]
            if x.ndim != 3:
                raise ValueError(
                    f"`{name}` must be a batch of series: a list of (time, "
                    f"channels={self.channels}) arrays or a (batch, time, "
                    f"channels) array. Received: {name} of shape {x.shape}"
                )
        if not isinstance(x, (list, tuple, np.ndarray)):
            raise TypeError(
                f"`{name}` must be a batch of series: a list of (time, "
                f"channels={self.channels}) arrays or a (batch, time, channels) "
                f"array. Received: {name} of type {type(x).__name__}"
            )
        if not len(x):
            raise ValueError(
                f"`{name}` must be a non-empty batch of series. Received: {name}={x!r}"
            )
        batch = []
        for index, series in enumerate(x):
            try:
                array = np.asarray(series, dtype="float64")
            except (TypeError, ValueError):
                raise TypeError(
                    f"`{name}[{index}]` must be a numeric (time, channels) array. "
                    f"Received: {name}[{index}] of type {type(series).__name__}"
                ) from None
            if array.ndim == 1 and self.channels == 1:
                array = array[:, None]
            if array.ndim != 2 or array.shape[1] != self.channels:
                raise ValueError(
                    f"`{name}[{index}]` must be a (time, channels) series with "
                    f"channels={self.channels}. Received: {name}[{index}] of "
                    f"shape {array.shape}"
                )
            if not np.isfinite(array).all():
                raise ValueError(
                    f"`{name}[{index}]` must hold finite values only. Received "
                    "NaN or infinity."
                )
            batch.append(array)
        return batch

    def adapt(self, series):
        """Learns `mean` and `std` per channel from (training) series.

        Every step of every series counts once. A channel that never
        varies gets `std` 1.0. Both are saved in the config.

        Args:
            series: a batch of series, as `call` takes.
        """
        steps = np.concatenate(self._series("series", series), axis=0)
        if not len(steps):
            raise ValueError("`series` must hold at least one step. Received none.")
        std = steps.std(axis=0)
        self.mean = steps.mean(axis=0).tolist()
        self.std = np.where(std > 0, std, 1.0).tolist()

    def _fit(self, name, rows, width):
        for index, row in enumerate(rows):
            if len(row) > width and not self.truncate:
                raise ValueError(
                    f"`{name}[{index}]` has {len(row)} steps, more than "
                    f"`sequence_length={self.sequence_length}`, and "
                    "`truncate=False`. Pass truncate=True to keep its first "
                    "steps, or a longer sequence_length."
                )
        return rows

    def call(self, x, y=None, sample_weight=None):
        batch = self._series("x", x)
        if self.mean is not None:
            batch = [series - np.asarray(self.mean) for series in batch]
        if self.std is not None:
            batch = [series / np.asarray(self.std) for series in batch]
        batch = [series.astype("float32") for series in batch]
        if self.sequence_length is not None:
            self._fit("x", batch, self.sequence_length)
        mask_value = self.mask_value
        if mask_value is not None:
            batch = [_unmask_real_steps(series, mask_value) for series in batch]
        width = padded_length(max(map(len, batch)), self.sequence_length)
        pad_value = 0.0 if mask_value is None else mask_value
        values = pad_rows(batch, width, pad_value=pad_value, dtype="float32")
        if y is not None and self.per_step_targets:
            y = self._step_targets(y, batch, width)
        return pack_outputs(values, y, sample_weight)

    def _step_targets(self, y, batch, width):
        if len(y) != len(batch):
            raise ValueError(
                "`y` must hold one target sequence per series. Received: "
                f"{len(batch)} series and {len(y)} target sequences"
            )
        targets = []
        for index, (target, series) in enumerate(zip(y, batch)):
            target = np.asarray(target)
            length = min(len(series), width)
            if target.ndim < 1 or len(target) < length:
                raise ValueError(
                    f"`y[{index}]` must hold a target for each of the {length} "
                    f"steps of its series. Received: y[{index}] of shape "
                    f"{target.shape}"
                )
            targets.append(target[:length])
        return pad_rows(targets, width, dtype=targets[0].dtype)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "channels": self.channels,
                "sequence_length": self.sequence_length,
                "mean": self.mean,
                "std": self.std,
                "mask_value": self.mask_value,
                "truncate": self.truncate,
                "per_step_targets": self.per_step_targets,
            }
        )
        return config


def _unmask_real_steps(series, mask_value):
    """`series` with no step whose features all equal `mask_value` (see the class)."""
    padding_like = np.all(series == np.float32(mask_value), axis=-1)
    if not padding_like.any():
        return series
    series = series.copy()
    value = np.float32(mask_value)
    # The next float32 up; for 0.0 the smallest normal one, since a
    # subnormal may be flushed to zero (and so masked) on accelerators.
    moved = np.finfo("float32").tiny if value == 0 else np.nextafter(value, np.inf)
    series[padding_like, 0] = moved
    return series
