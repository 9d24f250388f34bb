"""A `.keras` file in a process that has not imported keras_seq.

Keras imports the module of a saved class by itself only for its own
packages (`keras`, `keras_hub`, `keras_cv`, `keras_nlp`), so in a fresh
process `keras.saving.load_model` of a keras_seq model fails until
keras_seq is imported. Its error must tell the user so: it asks for the
classes to be imported, and the saved config it quotes opens with the
module to import. After `import keras_seq.applications` the same call
loads the model.
"""

import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np

from keras_seq.applications import TextClassifier

ROOT = pathlib.Path(__file__).parents[2]

LOAD_TWICE = textwrap.dedent(
    """
    import sys
    import keras
    import numpy as np

    path, ids = sys.argv[1], np.load(sys.argv[2])
    assert not any(name.startswith("keras_seq") for name in sys.modules)
    try:
        keras.saving.load_model(path)
    except TypeError as error:
        print("ERROR:", str(error)[:400])
    else:
        raise SystemExit("loaded without keras_seq")
    import keras_seq.applications
    model = keras.saving.load_model(path)
    np.save(sys.argv[3], model.predict(ids, verbose=0))
    print("CLASS:", type(model).__name__)
    """
)


def test_the_error_says_what_to_import_and_then_the_file_loads(tmp_path):
    model = TextClassifier(30, max_length=6, classes=2, num_layers=1, hidden_dim=8)
    ids = np.array([[4, 7, 9, 0, 0, 0]], dtype="int32")
    model.save(tmp_path / "model.keras")
    np.save(tmp_path / "ids.npy", ids)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            LOAD_TWICE,
            str(tmp_path / "model.keras"),
            str(tmp_path / "ids.npy"),
            str(tmp_path / "loaded.npy"),
        ],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    error = result.stdout.split("ERROR: ", 1)[1]
    assert error.startswith("Could not locate class 'TextClassifier'")
    assert "make sure they are all imported" in error
    assert "'module': 'keras_seq.applications.text_classifier'" in error
    assert "CLASS: TextClassifier" in result.stdout
    np.testing.assert_allclose(
        np.load(tmp_path / "loaded.npy"), model.predict(ids, verbose=0), atol=1e-6
    )
