"""The files a table's rows or a class folder name: images, clips and series.

An image is a PNG or JPEG file (read with Pillow), a clip a `.npy` array
of frames (`(frames, height, width[, channels])`) or a video file
(`keras_seq.data.videos`), a series a `.npy`
array (`(steps[, channels])`) or a `.csv` file (one row a time step, one
column a channel, a header row). Every reader returns a NumPy array or
raises a `DataError` naming the file. Imports no Keras.

Example:

    image = read_image("cats/1.png", size=(32, 32), channels=3)
    series = read_series("runs/7.csv")
"""

import os

import numpy as np

from keras_seq.data import videos
from keras_seq.data.errors import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
SERIES_SUFFIXES = (".npy", ".csv")
CLIP_SUFFIXES = (".npy",)
# Video files: clips too, read with PyAV (`keras_seq.data.videos`).
VIDEO_SUFFIXES = videos.SUFFIXES


def _check(path, suffixes, what):
    if not str(path).lower().endswith(suffixes):
        raise DataError(f"{path}: not {what} (give a {', '.join(suffixes)} file)")
    if not os.path.isfile(path):
        raise DataError(f"{path}: no such file")


def image_channels(path):
    """1 for a greyscale image at `path`, 3 for any other."""
    from PIL import Image

    with Image.open(path) as opened:
        return 1 if opened.mode in ("1", "L", "I", "I;16", "F") else 3


def read_image(path, size=None, channels=3):
    """The image at `path` as a `uint8` array `(height, width, channels)`.

    Args:
        path: a PNG or JPEG file.
        size: `(height, width)` to resize to, or None (as it is).
        channels: 1 (greyscale) or 3 (RGB).

    Raises:
        DataError: not an image file, or one Pillow cannot read.
    """
    _check(path, IMAGE_SUFFIXES, "an image")
    from PIL import Image
    from PIL import UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            image = opened.convert("L" if channels == 1 else "RGB")
            if size is not None and image.size != (size[1], size[0]):
                image = image.resize((size[1], size[0]), Image.Resampling.BILINEAR)
            array = np.asarray(image, dtype="uint8")
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise DataError(f"{path}: cannot read the image: {error}") from None
    return array[..., None] if array.ndim == 2 else array


def _read_npy(path, what):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise DataError(f"{path}: cannot read the {what} (.npy): {error}") from None


def read_clip(path):
    """The clip at `path` (`.npy`) as an array `(frames, height, width, channels)`.

    Raises:
        DataError: not a `.npy` file, unreadable, or not 3-D or 4-D.
    """
    _check(path, CLIP_SUFFIXES, "a clip")
    clip = _read_npy(path, "clip")
    if clip.ndim == 3:
        clip = clip[..., None]
    if clip.ndim != 4 or not np.issubdtype(clip.dtype, np.number):
        raise DataError(
            f"{path}: cannot read the clip: a {clip.dtype} array of shape "
            f"{clip.shape}; a clip is numbers (frames, height, width[, channels])"
        )
    return clip


def read_series(path):
    """The series at `path` as a `float32` array `(steps, channels)`.

    A `.npy` file holds `(steps,)` or `(steps, channels)`; a `.csv` file
    one row a step, one column a channel, under a header row.

    Raises:
        DataError: not a `.npy` or `.csv` file, unreadable, empty or not numbers.
    """
    _check(path, SERIES_SUFFIXES, "a series")
    if str(path).lower().endswith(".csv"):
        from keras_seq.data import tables

        values = tables.read_columns(path, tables.column_names(path))
        try:
            series = np.asarray(list(values.values()), dtype="float32").T
        except (TypeError, ValueError):
            raise DataError(
                f"{path}: cannot read the series: every column must hold numbers"
            ) from None
    else:
        series = _read_npy(path, "series")
        if series.ndim == 1:
            series = series[:, None]
        if series.ndim != 2 or not np.issubdtype(series.dtype, np.number):
            raise DataError(
                f"{path}: cannot read the series: a {series.dtype} array of shape "
                f"{series.shape}; a series is numbers (steps[, channels])"
            )
        series = series.astype("float32")
    if not len(series):
        raise DataError(f"{path}: the series holds no steps")
    if not np.all(np.isfinite(series)):
        raise DataError(f"{path}: the series holds a missing or infinite value")
    return series


def kind_of(path):
    """`"image"`, `"video"` (a video file), `"series"` (`.npy`, `.csv`) or None.

    By `path`'s suffix; None: not a file name.
    """
    name = str(path).lower()
    if name.endswith(VIDEO_SUFFIXES):
        return "video"
    if name.endswith(IMAGE_SUFFIXES):
        return "image"
    if name.endswith(SERIES_SUFFIXES):
        return "series"
    return None
