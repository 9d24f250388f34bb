"""Loads preset folders under this process's backend and records predictions.

Run as `python -m tests.applications.preset_probe OUT.npz DIR [DIR ...]`
with `KERAS_BACKEND` set: each folder (written by `save_to_preset` under
another backend) is loaded with `Task.from_preset`, every file checked,
and what it predicts from the raw inputs of its case (`raw_inputs`, keyed
by the preset's name in its metadata) is saved into `OUT.npz` under that
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


def raw_inputs(name):
    """The raw inputs the preset `name` (or a test's tiny preset) predicts from."""
    if name == "mnist_vit":
        from keras_seq.datasets import mnist

        return mnist.load_data("test")[0][:16]
    if name == "japanese_vowels_lstm":
        from keras_seq.datasets import japanese_vowels

        return list(japanese_vowels.load_data("test")[0][:16])
    if name == "tiny_text_classifier":
        return SENTENCES
    raise KeyError(f"No raw inputs for the preset {name!r}")


def predictions(model, name):
    return np.asarray(model.predict(raw_inputs(name), verbose=0), "float32")


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
