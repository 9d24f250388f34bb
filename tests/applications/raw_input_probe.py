"""Loads the saved models of `raw_input_cases` under this process's backend.

Run as `python -m tests.applications.raw_input_probe DIR OUT.npz CASE...`
with `KERAS_BACKEND` set: for each case it loads `DIR/<case>.keras` with
`safe_mode=True` and saves what the model computes from the case's raw
inputs into `OUT.npz`, for the test that saved them to compare; and the
same of `DIR/<case>_bare.keras`, saved without its preprocessor, on the
model inputs the first one's preprocessor makes (as `<case>_bare`).
"""

import sys

import numpy as np


def main(directory, output, *cases):
    import keras

    import keras_seq.applications  # noqa: F401 (registers the classes to load)
    from tests.applications.raw_input_cases import RAW_INPUTS
    from tests.applications.raw_input_cases import bare_outputs
    from tests.applications.raw_input_cases import model_inputs
    from tests.applications.raw_input_cases import outputs

    results = {}
    for case in cases:
        x, y = RAW_INPUTS[case]()
        model = keras.saving.load_model(f"{directory}/{case}.keras", safe_mode=True)
        results[case] = outputs(model, case, x, y)
        bare = keras.saving.load_model(f"{directory}/{case}_bare.keras", safe_mode=True)
        inputs = model_inputs(model.preprocessor, case, x, y)
        results[f"{case}_bare"] = bare_outputs(bare, inputs)
    np.savez(output, **results)


if __name__ == "__main__":
    main(*sys.argv[1:])
