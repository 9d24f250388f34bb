"""A table's input cells (or a folder's files) as the inputs a model reads.

A cell holds a text, or the name of an image, a clip (`.npy`, or a
video file: `keras_seq.data.videos`) or a series file, relative to the
table's own folder. `read_inputs` turns a column of cells
into a list of texts, a stacked `uint8` array of images (all of one size:
the first image's, or `image_size`), a stacked array of clips (all of one
shape) or a list of `(steps, channels)` series (one channel count).
Imports no Keras.

Example:

    images = read_inputs(["a.png", "b.png"], "image", base="photos")
"""

import os

import numpy as np

from keras_seq.data import files
from keras_seq.data import videos
from keras_seq.data.errors import DataError
from keras_seq.data.errors import where

KINDS = ("text", "image", "video", "series")


def check_kind(kind):
    """`kind` if it is None or one of `KINDS`; else a ValueError."""
    if kind is not None and kind not in KINDS:
        raise ValueError(
            f"`inputs` must be None (guessed from the data) or one of "
            f"{', '.join(KINDS)}. Received: inputs={kind!r}"
        )
    return kind


def guess_kind(cells, base="."):
    """What the cells hold: `"image"`, `"video"` or `"series"` files, else `"text"`.

    A video file is a clip; a `.npy` file of 3 or more dimensions is a clip,
    of fewer a series.
    """
    first = next((cell for cell in cells if cell not in (None, "")), None)
    path = os.path.join(base, str(first))
    kind = files.kind_of(path) if isinstance(first, str) else None
    if kind is None:
        return "text"
    if kind == "series" and str(first).lower().endswith(".npy"):
        if os.path.isfile(path):
            array = np.load(path, mmap_mode="r", allow_pickle=False)
            return "video" if array.ndim >= 3 else "series"
    return kind


def _paths(cells, base, source, column):
    paths = []
    for row, cell in enumerate(cells, 1):
        if cell is None or not str(cell).strip():
            raise DataError(f"{where(source, row, column)}: the input is empty")
        paths.append(os.path.normpath(os.path.join(base, str(cell).strip())))
    return paths


def _texts(cells, source, column):
    texts = []
    for row, cell in enumerate(cells, 1):
        if cell is None:
            raise DataError(f"{where(source, row, column)}: the input is empty")
        texts.append(str(cell))
    return texts


def _in(path, source, row):
    """A file's error, told with the table row that names it."""
    return "" if source is None or path == source else f" (row {row} of {source})"


def _images(paths, source, image_size):
    first = paths[0]
    if image_size is not None and len(image_size) == 3:
        image_size, channels = tuple(image_size[:2]), image_size[2]
    else:
        try:
            channels = files.image_channels(first) if os.path.isfile(first) else 3
        except OSError:
            channels = 3
    images = []
    for row, path in enumerate(paths, 1):
        try:
            image = files.read_image(path, image_size, channels)
        except DataError as error:
            raise DataError(f"{error}{_in(path, source, row)}") from None
        image_size = image_size or image.shape[:2]
        images.append(image)
    return np.stack(images)


def _clips(paths, source):
    clips = []
    for row, path in enumerate(paths, 1):
        try:
            read = videos.read_video if videos.is_video(path) else files.read_clip
            clip = read(path)
        except DataError as error:
            raise DataError(f"{error}{_in(path, source, row)}") from None
        if clips and clip.shape != clips[0].shape:
            raise DataError(
                f"{path}{_in(path, source, row)}: a clip of shape {clip.shape}; "
                f"the clips before it are {clips[0].shape} (frames, height, "
                "width, channels): give clips of one shape"
            )
        clips.append(clip)
    return np.stack(clips)


def _series(paths, source):
    series = []
    for row, path in enumerate(paths, 1):
        try:
            steps = files.read_series(path)
        except DataError as error:
            raise DataError(f"{error}{_in(path, source, row)}") from None
        check_channels(steps, series[0] if series else None, path)
        series.append(steps)
    return series


def check_channels(series, first, path):
    """A DataError if `series` has other channels than `first` (None: the first)."""
    if first is not None and series.shape[-1] != first.shape[-1]:
        raise DataError(
            f"{path}: a series of {series.shape[-1]} channels; the series before "
            f"it have {first.shape[-1]}: give series of one channel count"
        )


def read_inputs(cells, kind, base=".", source=None, column=None, image_size=None):
    """The model inputs of `cells` (a table column, or a folder's file names).

    Args:
        cells: the raw values, one an example.
        kind: `"text"`, `"image"`, `"video"` or `"series"`.
        base: the folder relative file names are read from.
        source, column: the table and column, named in errors.
        image_size: `(height, width[, channels])` images are resized to;
            None: the first image's size (and channels).

    Returns:
        A list of str (texts), a `uint8` array `(n, height, width,
        channels)` (images), a stacked array of clips, or a list of
        `float32` `(steps, channels)` arrays (series).

    Raises:
        DataError: an empty input, or a file missing or unreadable, of
            another channel count or clip shape.
    """
    if kind == "text":
        return _texts(cells, source, column)
    paths = _paths(cells, base, source, column)
    if not paths:
        return []
    if kind == "image":
        return _images(paths, source, image_size)
    if kind == "video":
        return _clips(paths, source)
    return _series(paths, source)
