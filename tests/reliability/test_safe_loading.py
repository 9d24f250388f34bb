"""Loading never runs code from a file: a lambda inside is refused.

`keras.saving.load_model` and `from_preset` deserialize with Keras'
`safe_mode` (the default, never turned off in keras_seq), so a `.keras`
file or a preset folder whose preprocessor is a `Lambda` layer (Python
bytecode) is refused with Keras' error naming `safe_mode`, before the
code could run.
"""

import keras
import numpy as np
import pytest

from keras_seq.applications import ViT


def _with_lambda_preprocessor():
    scale = keras.layers.Lambda(lambda images: images / 255.0)
    return ViT((8, 8, 1), 4, classes=2, num_layers=1, hidden_dim=8, preprocessor=scale)


def test_a_keras_file_with_a_lambda_is_refused(tmp_path):
    model = _with_lambda_preprocessor()
    assert model.predict(np.zeros((1, 8, 8, 1)), verbose=0).shape == (1, 2)
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode"):
        keras.saving.load_model(path)


def test_a_preset_with_a_lambda_is_refused(tmp_path):
    folder = _with_lambda_preprocessor().save_to_preset(tmp_path / "lambda_preset")
    with pytest.raises(ValueError, match="safe_mode"):
        ViT.from_preset(folder)
