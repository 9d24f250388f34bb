import keras
import numpy as np
import pytest
from keras import ops

from keras_seq.layers import PositionalEmbedding
from keras_seq.layers.positional_embedding import sinusoidal_encoding
from tests.layer_checks import check_layer


def _inputs(batch=2, time=5, dim=8):
    return np.random.default_rng(0).normal(size=(batch, time, dim)).astype("float32")


@pytest.mark.parametrize("kind", ["learned", "sinusoidal"])
def test_layer_contract(kind, tmp_path):
    mask = np.array([[True] * 5, [True, True, True, False, False]])
    check_layer(
        PositionalEmbedding,
        {"max_length": 8, "kind": kind},
        _inputs(),
        expected_output_shape=(2, 5, 8),
        input_mask=mask,
        tmp_path=tmp_path,
    )


def test_sinusoidal_matches_formula():
    positions, dim = np.arange(12), 6
    expected = np.zeros((12, dim))
    for pos in positions:
        for i in range(0, dim, 2):
            angle = pos / 10000 ** (i / dim)
            expected[pos, i] = np.sin(angle)
            expected[pos, i + 1] = np.cos(angle)
    actual = ops.convert_to_numpy(sinusoidal_encoding(ops.arange(12), dim))
    np.testing.assert_allclose(actual, expected, atol=1e-5)


def test_sinusoidal_extends_past_max_length():
    layer = PositionalEmbedding(max_length=4, kind="sinusoidal")
    x = np.zeros((1, 10, 6), "float32")
    outputs = ops.convert_to_numpy(layer(x))
    expected = ops.convert_to_numpy(sinusoidal_encoding(ops.arange(10), 6))
    np.testing.assert_allclose(outputs[0], expected, atol=1e-6)


def test_learned_adds_table_rows():
    layer = PositionalEmbedding(max_length=6)
    x = _inputs(time=4, dim=3)
    outputs = ops.convert_to_numpy(layer(x))
    table = ops.convert_to_numpy(layer.position_embeddings)
    np.testing.assert_allclose(outputs, x + table[:4], atol=1e-6)


@pytest.mark.parametrize("kind", ["learned", "sinusoidal"])
def test_start_index_offsets_positions(kind):
    layer = PositionalEmbedding(max_length=8, kind=kind)
    x = _inputs(time=6)
    full = ops.convert_to_numpy(layer(x))
    step = ops.convert_to_numpy(layer(x[:, 3:4], start_index=3))
    np.testing.assert_allclose(step, full[:, 3:4], atol=1e-6)


def test_learned_longer_than_max_length_raises():
    layer = PositionalEmbedding(max_length=4)
    with pytest.raises(ValueError, match="max_length"):
        layer(_inputs(time=5))
    layer(_inputs(time=4))  # built at length 4: still fine
    with pytest.raises(ValueError, match="max_length"):
        layer(_inputs(time=6))
    with pytest.raises(ValueError, match="max_length"):
        layer(_inputs(time=2), start_index=3)
    with pytest.raises(ValueError, match="max_length"):
        PositionalEmbedding(max_length=4)(keras.Input((7, 8)))


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"max_length": 0}, "max_length"),
        ({"max_length": 2.5}, "max_length"),
        ({"max_length": 4, "kind": "rotary"}, "kind"),
    ],
)
def test_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        PositionalEmbedding(**kwargs)
