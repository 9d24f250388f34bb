import numpy as np
import pytest
from keras import ops

from keras_seq.layers import ClassToken
from tests.layer_checks import check_layer

BATCH, TIME, DIM = 2, 5, 8


def _inputs():
    return np.random.default_rng(0).normal(size=(BATCH, TIME, DIM)).astype("float32")


MASK = np.array([[True] * TIME, [True, True, False, False, False]])


@pytest.mark.parametrize("initializer", ["zeros", "random_normal"])
def test_layer_contract(initializer, tmp_path):
    check_layer(
        ClassToken,
        {"initializer": initializer},
        _inputs(),
        expected_output_shape=(BATCH, TIME + 1, DIM),
        input_mask=MASK,
        expected_mask=np.concatenate([np.ones((BATCH, 1), bool), MASK], axis=1),
        tmp_path=tmp_path,
    )


def test_prepends_the_same_learned_token_to_every_row():
    layer = ClassToken(initializer="random_normal")
    x = _inputs()
    outputs = ops.convert_to_numpy(layer(x))
    token = ops.convert_to_numpy(layer.token)[0, 0]
    np.testing.assert_allclose(outputs[:, 0], np.broadcast_to(token, (BATCH, DIM)))
    np.testing.assert_allclose(outputs[:, 1:], x)


def test_explicit_mask_gains_a_real_first_step():
    layer = ClassToken()
    x = _inputs()
    mask = ops.convert_to_numpy(layer.compute_mask(x, MASK))
    np.testing.assert_array_equal(mask[:, 0], True)
    np.testing.assert_array_equal(mask[:, 1:], MASK)
    assert layer.compute_mask(x, None) is None


def test_unknown_time_stays_unknown():
    assert ClassToken().compute_output_shape((None, None, DIM)) == (None, None, DIM)
