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


BACKEND = keras.backend.backend()


def _check_overflow_rows_are_nan(layer, outputs, x, start, max_length):
    """Positions below `max_length` add the table; those past it are NaN."""
    outputs = ops.convert_to_numpy(outputs)
    table = ops.convert_to_numpy(layer.position_embeddings)
    inside = max(0, min(x.shape[1], max_length - start))
    np.testing.assert_allclose(
        outputs[:, :inside], x[:, :inside] + table[start : start + inside], atol=1e-6
    )
    assert np.isnan(outputs[:, inside:]).all()


@pytest.mark.parametrize("start", [0, 2, 3, 4])
def test_tensor_start_index_past_max_length_gives_nan_not_a_clamp(start):
    """A start only known at run time cannot be checked: overflow turns NaN."""
    layer = PositionalEmbedding(max_length=4)
    x = _inputs(time=2)
    outputs = layer(x, start_index=ops.convert_to_tensor(start, "int32"))
    _check_overflow_rows_are_nan(layer, outputs, x, start, 4)


def test_compute_output_shape_checks_the_length():
    layer = PositionalEmbedding(max_length=4)
    assert layer.compute_output_shape((2, 4, 8)) == (2, 4, 8)
    assert layer.compute_output_shape((2, None, 8)) == (2, None, 8)
    with pytest.raises(ValueError, match="max_length"):
        layer.compute_output_shape((2, 5, 8))


@pytest.mark.skipif(BACKEND != "jax", reason="jax.jit")
def test_jax_jit_traced_start_index_past_max_length_gives_nan():
    import jax

    layer = PositionalEmbedding(max_length=4)
    x = _inputs(time=2)
    layer(x)
    jitted = jax.jit(lambda x, start: layer(x, start_index=start))
    for start in (1, 3):
        _check_overflow_rows_are_nan(layer, jitted(x, start), x, start, 4)
    with pytest.raises(ValueError, match="max_length"):
        jitted(_inputs(time=5), 0)


@pytest.mark.skipif(BACKEND != "tensorflow", reason="tf.function")
def test_tf_function_unknown_length_past_max_length_gives_nan():
    import tensorflow as tf

    layer = PositionalEmbedding(max_length=4)
    layer(_inputs(time=2))
    traced = tf.function(
        lambda x, start: layer(x, start_index=start),
        input_signature=[
            tf.TensorSpec((None, None, 8), "float32"),
            tf.TensorSpec((), "int32"),
        ],
    )
    for time, start in ((3, 0), (6, 0), (2, 3), (4, 1)):
        x = _inputs(time=time)
        _check_overflow_rows_are_nan(layer, traced(x, start), x, start, 4)
    with pytest.raises(ValueError, match="max_length"):
        tf.function(layer)(_inputs(time=5))


@pytest.mark.skipif(BACKEND != "torch", reason="torch tensors")
def test_torch_tensor_start_index_past_max_length_gives_nan():
    import torch

    layer = PositionalEmbedding(max_length=4)
    x = _inputs(time=3)
    _check_overflow_rows_are_nan(layer, layer(x, start_index=torch.tensor(2)), x, 2, 4)
