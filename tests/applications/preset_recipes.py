"""The recipes of the shipped presets, as modules the tests can call.

Each `recipes/<name>/train.py` defines, next to its `main`:

- `FIGURE`: its data set's `keras_seq.evaluation.held_out` figure, the
  code that measured its card's figure (and that the tests measure with);
- `SUBSET`: how many test examples the default test run measures;
- `probe_outputs(model, inputs)`: a float array compared across backends.
"""

import functools
import importlib.util
import pathlib

import numpy as np

import keras_seq.applications

REPO = pathlib.Path(__file__).resolve().parents[2]


@functools.cache
def recipe(name):
    """The module `recipes/<name>/train.py` (imported, not run)."""
    path = REPO / "recipes" / name / "train.py"
    spec = importlib.util.spec_from_file_location(f"recipe_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def builder(metadata):
    """The application class a preset's metadata names."""
    return getattr(keras_seq.applications, metadata["builder"])


def probe_outputs(model, name, count=16):
    """What the preset `name`'s recipe compares across backends, as float32."""
    module = recipe(name)
    inputs, _ = module.FIGURE.examples("test", count)
    return np.asarray(module.probe_outputs(model, inputs), "float32")
