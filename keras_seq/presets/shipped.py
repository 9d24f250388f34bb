"""The registry of the presets that ship with keras-seq, read without Keras.

Each shipped preset is a folder under `keras_seq/presets/files/` (package
data: a wheel carries it, so it loads with no network), written by its
recipe `recipes/<name>/train.py` at the top of the repository with
`Task.save_to_preset`. `shipped.json`, beside this module, maps each name to
the SHA-256 digest of the folder's `metadata.json`, which in turn holds the
digest and size of every other file: loading checks them all before reading
anything (see `keras_seq.presets.format`). A recipe that ships a preset
rewrites `shipped.json` (`recipes/tools.py`).

This module imports nothing but the standard library, so the command can
list and check names before it imports a backend.

Example:

>>> from keras_seq.presets import shipped
>>> "mnist_vit" in shipped.SHIPPED_PRESETS
True
>>> len(shipped.SHIPPED_PRESETS["mnist_vit"])  # a SHA-256 hex digest
64
>>> import os
>>> os.path.isdir(shipped.preset_directory("mnist_vit"))
True
"""

import json
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
# The preset folders.
PRESETS_DIR = os.path.join(_HERE, "files")
# `{name: SHA-256 of its metadata.json}`, written by the recipes.
REGISTRY_FILE = os.path.join(_HERE, "shipped.json")

with open(REGISTRY_FILE, encoding="utf-8") as _file:
    SHIPPED_PRESETS = json.load(_file)


def preset_directory(name):
    """The folder of the shipped preset `name` (it may not exist yet).

    Args:
        name: the preset's name, e.g. `"mnist_vit"`.
    """
    return os.path.join(PRESETS_DIR, name)


def recipe(name):
    """The recipe that writes the shipped preset `name`, relative to the repository.

    Args:
        name: the preset's name.
    """
    return f"recipes/{name}/train.py"
