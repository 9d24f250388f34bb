"""Loads preset folders under this process's backend and records predictions.

Run as `python -m tests.presets.preset_probe OUT.npz DIR [DIR ...]`
with `KERAS_BACKEND` set: each folder (written by `save_to_preset` under
another backend) is loaded with `Task.from_preset`, every file checked,
and what it predicts from the raw inputs of its case (a shipped preset's
recipe says which, see preset_recipes.py; keyed by the preset's name in
its metadata) is saved into `OUT.npz` under that
name, for test_presets.py to compare.
"""

import json
import os
import sys

import numpy as np

SENTENCES = [
    "a gripping, funny film",
    "dull and far too long",
    "the best film of the year",
    "a tedious mess",
    "funny, warm and wise",
    "i wanted to leave early",
]


def predictions(model, name):
    """What `model` predicts from its case's raw inputs, as float32."""
    if name == "tiny_text_classifier":
        return np.asarray(model.predict(SENTENCES, verbose=0), "float32")
    from tests.applications import preset_recipes

    return preset_recipes.probe_outputs(model, name)


def main(output, *directories):
    import keras_seq.applications  # noqa: F401  (registers the builders)
    from keras_seq.models import Task

    results = {}
    for directory in directories:
        with open(os.path.join(directory, "metadata.json"), encoding="utf-8") as file:
            name = json.load(file)["name"]
        results[name] = predictions(Task.from_preset(directory), name)
    np.savez(output, **results)


if __name__ == "__main__":
    main(*sys.argv[1:])
