"""The shipped presets' names and metadata, read without importing Keras.

The registry (`keras_seq.presets.shipped`) and the metadata checks
(`keras_seq.presets.format`) import only the standard library, so
`keras-seq list` and the check of a preset's name run before a backend is
imported.

Example:

>>> from keras_seq.cli import shipped
>>> "mnist_vit" in shipped.names()
True
>>> shipped.closest("mnist_vti", shipped.names())
" (did you mean 'mnist_vit'?)"
"""

import difflib
import os

from keras_seq.cli.errors import UsageError
from keras_seq.cli.errors import one_line
from keras_seq.presets import format as preset_format
from keras_seq.presets import shipped as registry


def names():
    """The shipped presets' names, sorted."""
    return sorted(registry.SHIPPED_PRESETS)


def folder(name):
    """The folder of the shipped preset `name`."""
    return registry.preset_directory(name)


def metadata(name):
    """The `metadata.json` of the shipped preset `name`, its digest checked."""
    try:
        return preset_format.read_metadata(name)
    except (ValueError, OSError) as error:
        raise UsageError(one_line(error)) from None


def size_bytes(name, data):
    """The size of a preset's files together, `metadata.json` included."""
    listed = sum(entry["size"] for entry in data.get("files", {}).values())
    path = os.path.join(folder(name), preset_format.METADATA_FILE)
    return listed + os.path.getsize(path)


def closest(name, choices):
    """`" (did you mean 'x'?)"` for the choice closest to `name`, or `""`."""
    matches = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""
