"""The layer options that Hugging Face architectures need (issue 22).

Token types and the embedding normalization (BERT), post-norm stacks
(BERT), tied logits (GPT-2) and GELU by its tanh approximation (GPT-2,
ViViT): each honours the layer contract and computes what it says.
"""

import keras
import numpy as np
import pytest
from keras import ops

from keras_seq.layers import TokenAndPositionEmbedding
from keras_seq.layers.transformer_block import gelu_approximate
from keras_seq.layers.transformer_block import get_activation
from keras_seq.models import TransformerDecoderStack
from keras_seq.models import TransformerEncoderStack
from tests.layer_checks import check_layer

IDS = np.array([[5, 9, 2, 0, 0], [1, 2, 3, 4, 5]], dtype="int32")


def _numpy(x):
    return ops.convert_to_numpy(x)


def test_token_types_and_norm_layer_contract(tmp_path):
    check_layer(
        TokenAndPositionEmbedding,
        {
            "vocabulary_size": 12,
            "max_length": 8,
            "embedding_dim": 6,
            "num_token_types": 2,
            "layer_norm_epsilon": 1e-12,
        },
        IDS,
        expected_output_shape=(2, 5, 6),
        expected_mask=IDS != 0,
        tmp_path=tmp_path,
    )


def test_token_types_are_added_then_normalized():
    layer = TokenAndPositionEmbedding(
        12, 8, 6, num_token_types=2, layer_norm_epsilon=1e-6
    )
    types = np.array([[0, 1, 1, 0, 0], [1, 1, 0, 0, 1]], dtype="int32")
    outputs = _numpy(layer(IDS, token_type_ids=types))
    tokens = _numpy(layer.token_embedding.embeddings)[IDS]
    positions = _numpy(layer.position_embedding.position_embeddings)[:5]
    type_table = _numpy(layer.token_type_embedding.embeddings)
    summed = tokens + positions + type_table[types]
    mean, var = summed.mean(-1, keepdims=True), summed.var(-1, keepdims=True)
    np.testing.assert_allclose(
        outputs, (summed - mean) / np.sqrt(var + 1e-6), atol=1e-4
    )
    # Without ids every token has type 0.
    zeros = _numpy(layer(IDS, token_type_ids=np.zeros_like(types)))
    np.testing.assert_allclose(_numpy(layer(IDS)), zeros, atol=1e-6)


def test_defaults_add_no_variables():
    layer = TokenAndPositionEmbedding(12, 8, 6)
    layer(IDS)
    assert len(layer.weights) == 2  # token and position tables only
    with pytest.raises(ValueError, match="num_token_types"):
        layer(IDS, token_type_ids=np.zeros_like(IDS))
    with pytest.raises(ValueError, match="layer_norm_epsilon"):
        TokenAndPositionEmbedding(12, 8, 6, layer_norm_epsilon=-1.0)


def test_post_norm_stack_layer_contract(tmp_path):
    check_layer(
        TransformerEncoderStack,
        {"num_layers": 2, "num_heads": 2, "intermediate_dim": 16, "norm_first": False},
        np.random.default_rng(0).normal(size=(3, 7, 8)).astype("float32"),
        expected_output_shape=(3, 7, 8),
        input_mask=np.arange(7)[None, :] < np.array([[6], [4], [1]]),
        tmp_path=tmp_path,
    )


def test_post_norm_stack_has_post_norm_layers_and_no_final_norm():
    stack = TransformerEncoderStack(2, 2, 16, norm_first=False)
    x = np.random.default_rng(1).normal(size=(2, 5, 8)).astype("float32")
    outputs = _numpy(stack(x))
    assert stack.final_norm is None
    assert all(not layer.norm_first for layer in stack.transformer_layers)
    # The last layer's output normalization: zero mean, unit variance.
    np.testing.assert_allclose(outputs.mean(-1), 0.0, atol=1e-4)
    assert TransformerEncoderStack.from_config(stack.get_config()).norm_first is False


def test_tied_logits_are_the_embedding_table_and_never_padding(tmp_path):
    stack = TransformerDecoderStack(20, 8, 1, 2, 16, 32, tie_embeddings=True)
    ids = np.array([[3, 4, 5, 0]])
    logits = _numpy(stack(ids))
    assert stack.head is None and len(stack.weights) == len(
        [v for v in stack.weights if "logits" not in v.path]
    )
    table = _numpy(stack.embedding.token_embedding.embeddings)
    hidden = _numpy(stack.final_norm(_hidden(stack, ids)))
    np.testing.assert_allclose(logits[..., 1:], (hidden @ table.T)[..., 1:], atol=1e-4)
    assert (logits[..., 0] <= -1e8).all()
    clone = TransformerDecoderStack.from_config(stack.get_config())
    assert clone.tie_embeddings


def _hidden(stack, ids):
    x = stack.embedding(ids)
    for layer in stack.transformer_layers:
        x = layer(x)
    return x


def test_gelu_approximate_is_the_tanh_formula_and_serializes():
    x = np.linspace(-4, 4, 17).astype("float32")
    expected = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    np.testing.assert_allclose(_numpy(gelu_approximate(x)), expected, atol=1e-6)
    assert get_activation("gelu_approximate") is gelu_approximate
    stack = TransformerEncoderStack(1, 2, 16, activation="gelu_approximate")
    config = keras.saving.serialize_keras_object(stack)
    clone = keras.saving.deserialize_keras_object(config)
    assert clone.transformer_layers[0].activation is gelu_approximate
