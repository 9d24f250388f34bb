"""No two weights start out equal because they shared an initializer.

Keras 3 initializers are stateless: an unseeded one draws from a seed fixed
when it is made, so handing one instance to several sublayers gives them
identical starting values (identical query, key and value kernels never
break their symmetry). Each layer clones its initializers per weight.
"""

import keras
import numpy as np
import pytest
from keras import ops

from keras_seq.layers import ClassToken
from keras_seq.layers import MultiHeadSelfAttention
from keras_seq.layers import PatchEmbedding
from keras_seq.layers import PositionalEmbedding
from keras_seq.layers import TokenAndPositionEmbedding
from keras_seq.layers import TransformerDecoder
from keras_seq.layers import TransformerEncoder
from keras_seq.layers import TubeletEmbedding
from tests.layer_checks import check_distinct_initial_weights


def _normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


# (layer, inputs, call kwargs), shaped so that the weights that could share
# an initializer agree in shape.
LAYER_CASES = {
    "attention": lambda: (MultiHeadSelfAttention(4), _normal(2, 5, 16), {}),
    "cross_attention": lambda: (
        MultiHeadSelfAttention(4),
        _normal(2, 5, 16),
        {"context": _normal(2, 3, 16)},
    ),
    "encoder": lambda: (TransformerEncoder(2, 16), _normal(2, 5, 16), {}),
    "decoder": lambda: (
        TransformerDecoder(2, 16),
        _normal(2, 5, 16),
        {"encoder_outputs": _normal(2, 3, 16)},
    ),
    "token_and_position": lambda: (
        TokenAndPositionEmbedding(8, 8, 4),
        np.ones((2, 8), "int32"),
        {},
    ),
    "patches": lambda: (
        PatchEmbedding(2, 6, kernel_initializer="random_normal"),
        _normal(2, 4, 4, 1),
        {},
    ),
    "tubelets": lambda: (
        TubeletEmbedding((1, 2, 2), 6, kernel_initializer="random_normal"),
        _normal(2, 2, 4, 4, 1),
        {},
    ),
}


@pytest.mark.parametrize("name", sorted(LAYER_CASES))
def test_same_shaped_weights_start_out_different(name):
    layer, inputs, kwargs = LAYER_CASES[name]()
    layer(inputs, **kwargs)
    check_distinct_initial_weights(layer)


def test_query_key_and_value_kernels_differ():
    layer = MultiHeadSelfAttention(num_heads=4)
    layer(_normal(2, 5, 16))
    query, key, value = (
        ops.convert_to_numpy(dense.kernel)
        for dense in (layer.query_dense, layer.key_dense, layer.value_dense)
    )
    assert not np.allclose(query, key)
    assert not np.allclose(key, value)


@pytest.mark.parametrize(
    "make",
    [
        lambda init: MultiHeadSelfAttention(2, kernel_initializer=init),
        lambda init: TransformerEncoder(2, 8, kernel_initializer=init),
        lambda init: PositionalEmbedding(5, initializer=init),
        lambda init: ClassToken(initializer=init),
    ],
)
def test_layers_sharing_one_initializer_instance_differ(make):
    """One initializer object passed to two layers gives them different weights."""
    initializer = keras.initializers.RandomNormal()
    first, second = make(initializer), make(initializer)
    x = _normal(2, 5, 8)
    first(x), second(x)
    for mine, theirs in zip(first.weights, second.weights):
        mine, theirs = ops.convert_to_numpy(mine), ops.convert_to_numpy(theirs)
        if np.ptp(mine) > 0:
            assert not np.allclose(mine, theirs)


@pytest.mark.parametrize(
    "make, argument",
    [
        (lambda init: MultiHeadSelfAttention(2, kernel_initializer=init), "kernel"),
        (lambda init: TransformerDecoder(2, 8, kernel_initializer=init), "kernel"),
        (
            lambda init: TokenAndPositionEmbedding(
                8, 8, 4, embeddings_initializer=init
            ),
            "embeddings",
        ),
        (lambda init: PositionalEmbedding(5, initializer=init), ""),
        (lambda init: ClassToken(initializer=init), ""),
        (lambda init: PatchEmbedding(2, 4, kernel_initializer=init), "kernel"),
    ],
)
def test_config_keeps_the_initializer_argument(make, argument):
    initializer = keras.initializers.RandomNormal(stddev=0.3, seed=7)
    layer = make(initializer)
    key = f"{argument}_initializer" if argument else "initializer"
    assert layer.get_config()[key] == keras.initializers.serialize(initializer)
