"""keras-seq: Keras 3 sequence models for every backend.

Subpackages load on first use, so `import keras_seq` costs no more than
importing Keras.
"""

import importlib

from keras_seq.version import __version__

_SUBPACKAGES = (
    "applications",
    "callbacks",
    "data",
    "datasets",
    "evaluation",
    "generation",
    "layers",
    "models",
    "preprocessing",
)

__all__ = ["__version__", *_SUBPACKAGES]


def __getattr__(name):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"keras_seq.{name}")
    raise AttributeError(f"module 'keras_seq' has no attribute {name!r}")
