"""Runs a fixed set of preprocessors on fixed raw inputs; saves what they return.

`python -m tests.preprocessing.cross_backend_probe MODEL OUT` loads the
`Holder` of preprocessors saved in `MODEL` (a `.keras` file, in safe mode)
under whichever `KERAS_BACKEND` is set, and writes their outputs to the
`.npz` file `OUT`; `test_cross_backend.py` compares them across backends.
"""

import sys

import numpy as np

from tests.preprocessing.checks import ENGLISH
from tests.preprocessing.checks import FRENCH
from tests.preprocessing.checks import HAMLET


def raw_inputs():
    rng = np.random.default_rng(0)
    series = [rng.normal(3.0, 2.0, (length, 3)) for length in (5, 12, 1)]
    series[0][2] = 0.0  # a real step that looks like padding
    return {
        "images": rng.integers(0, 256, (3, 8, 8, 1), dtype="uint8"),
        "videos": rng.integers(0, 256, (2, 4, 8, 8, 3), dtype="uint8"),
        "series": series,
        "captions": ["a seven", "a one above a four", ""],
    }


def run(preprocessors):
    """Name -> output array of every preprocessor on the fixed inputs."""
    raw = raw_inputs()
    outputs = {}

    def add(name, structure):
        if isinstance(structure, dict):
            for key in sorted(structure):
                add(f"{name}.{key}", structure[key])
        elif isinstance(structure, (tuple, list)):
            for index, item in enumerate(structure):
                add(f"{name}.{index}", item)
        else:
            outputs[name] = np.asarray(structure)

    lm = preprocessors["causal_lm"]
    add("causal_lm", lm(HAMLET + FRENCH))
    add("causal_lm.prompts", lm.generate_preprocess(HAMLET[:3]))
    add("causal_lm.texts", lm.generate_postprocess(lm(HAMLET)[0]))
    add("classifier", preprocessors["classifier"](FRENCH, np.arange(len(FRENCH))))
    translate = preprocessors["seq2seq"]
    add("seq2seq", translate(ENGLISH, FRENCH))
    add("seq2seq.texts", translate.generate_postprocess(translate(ENGLISH, FRENCH)[1]))
    captioner = preprocessors["captioner"]
    add("captioner", captioner(raw["images"], raw["captions"]))
    add("videos", preprocessors["videos"](raw["videos"], [0, 1]))
    add("series", preprocessors["series"](raw["series"], [1, 0, 1]))
    return outputs


def main(model_path, out_path):
    import keras

    # Keras imports only its own packages on load: registering the classes
    # is the importer's part, as `keras_seq.applications` does for a model.
    import keras_seq.preprocessing  # noqa: F401
    import tests.preprocessing.checks  # noqa: F401  (registers Holder)

    holder = keras.saving.load_model(model_path, safe_mode=True)
    outputs = run({name: getattr(holder, name) for name in holder.names})
    np.savez(out_path, backend=keras.backend.backend(), **outputs)


if __name__ == "__main__":
    main(*sys.argv[1:])
