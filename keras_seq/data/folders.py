"""Class folders (one subfolder per class) and corpora (`.txt` files).

A class folder holds `.txt` texts, images, clips or series; its class
names are the subfolders' names, in sorted order, as Keras'
`text_dataset_from_directory` reads them. A corpus is a `.txt` file or a
folder of them, joined. Imports no Keras.

Example:

    x, classes, kind = read_folders("photos")
"""

import os

from keras_seq.data import files
from keras_seq.data import inputs as input_files
from keras_seq.data import tables
from keras_seq.data.errors import DataError


def visible(folder):
    return sorted(name for name in os.listdir(folder) if not name.startswith("."))


def folder_files(path):
    """`(file paths, class names)` of a class folder, files of known suffixes."""
    known = (".txt",) + files.IMAGE_SUFFIXES + files.SERIES_SUFFIXES
    known += files.VIDEO_SUFFIXES
    classes = [
        name for name in visible(path) if os.path.isdir(os.path.join(path, name))
    ]
    paths, names = [], []
    for name in classes:
        folder = os.path.join(path, name)
        for entry in visible(folder):
            if entry.lower().endswith(known):
                paths.append(os.path.join(folder, entry))
                names.append(name)
    if not paths:
        raise DataError(
            f"{path}: its class folders hold no .txt, image (.png, .jpg), "
            ".npy, .csv or video file"
        )
    return paths, names


def read_folders(path, kind=None, image_size=None):
    """`(x, class names of the examples, kind)` of a class folder."""
    paths, names = folder_files(path)
    if kind is None:
        first = paths[0]
        kind = "text" if first.lower().endswith(".txt") else None
        kind = kind or input_files.guess_kind(
            [os.path.basename(first)], os.path.dirname(first)
        )
    if kind == "text":
        x = []
        for file in paths:
            with open(file, encoding="utf-8", errors="replace") as handle:
                x.append(handle.read().strip())
    else:
        x = input_files.read_inputs(paths, kind, ".", None, None, image_size)
    return x, names, kind


def read_corpus(path):
    """The text of a `.txt` file, or of a folder's `.txt` files joined by newlines."""
    if os.path.isdir(path):
        paths = [
            os.path.join(path, name)
            for name in visible(path)
            if name.lower().endswith(".txt")
        ]
    else:
        paths = [tables.check_file(path)]
    texts = []
    for file in paths:
        with open(file, encoding="utf-8", errors="replace") as handle:
            texts.append(handle.read())
    text = "\n".join(texts)
    if not text.strip():
        raise DataError(f"{path}: the corpus holds no text")
    return text
