"""A quantized preset loaded with another `dtype`, and given to a builder's `weights`.

`from_preset(int8_preset, dtype=...)` keeps every quantized layer in int8
with the requested float policy (`keras_seq/presets/quantized_dtype.py`),
and `TextClassifier(..., weights=int8_preset)` builds the int8 model the
preset holds.
"""

import keras
import numpy as np
import pytest

from keras_seq.applications import TextClassifier
from keras_seq.presets.quantized_dtype import with_float_policy

IDS = np.array([[5, 9, 3, 0], [7, 2, 0, 0], [4, 4, 8, 1]], dtype="int32")
SIZES = {"vocabulary_size": 20, "max_length": 8, "classes": 2, "num_layers": 1}
SIZES.update(hidden_dim=16, intermediate_dim=32, dropout=0.0)


@pytest.fixture(scope="module")
def int8_preset(tmp_path_factory):
    keras.utils.set_random_seed(0)
    model = TextClassifier(**SIZES)
    model.quantize("int8")
    folder = model.save_to_preset(tmp_path_factory.mktemp("presets") / "int8")
    return str(folder), model.predict(IDS, verbose=0)


def _policies(model):
    return {
        layer.path: layer.dtype_policy.name
        for layer in model._flatten_layers(include_self=False)
        if layer.quantization_mode
    }


@pytest.mark.parametrize(
    "dtype, tolerance", [("float32", 1e-6), ("mixed_bfloat16", 0.02)]
)
def test_from_preset_with_a_dtype_keeps_the_layers_quantized(
    int8_preset, dtype, tolerance
):
    folder, int8_outputs = int8_preset
    model = TextClassifier.from_preset(folder, dtype=dtype)
    policies = _policies(model)
    assert "encoder/layer_0/self_attention/query" in policies
    assert set(policies.values()) == {f"int8_from_{dtype}"}
    assert model.dtype_policy.name == dtype
    np.testing.assert_allclose(
        model.predict(IDS, verbose=0), int8_outputs, atol=tolerance
    )


@pytest.mark.parametrize("dtype", [None, "float32"])
def test_builder_weights_take_an_int8_preset(int8_preset, dtype):
    folder, int8_outputs = int8_preset
    model = TextClassifier(**SIZES, weights=folder, dtype=dtype)
    assert set(_policies(model).values()) == {"int8_from_float32"}
    np.testing.assert_allclose(model.predict(IDS, verbose=0), int8_outputs, atol=1e-6)


def test_a_float_preset_takes_the_dtype_as_it_is():
    assert with_float_policy("float32", "mixed_bfloat16") == "mixed_bfloat16"
    assert with_float_policy(None, "bfloat16") == "bfloat16"
    assert with_float_policy("float32", None) == "float32"
