import keras
import numpy as np
import pytest
from keras import ops
from keras.src.backend import set_keras_mask

from keras_seq.layers import MaskedMeanPooling
from tests.layer_checks import check_layer

BATCH, TIME, DIM = 3, 5, 4
# Rows: all real, two real steps, none (an empty sequence).
MASK = np.array([[True] * TIME, [True, True, False, False, False], [False] * TIME])


def _inputs():
    return np.random.default_rng(0).normal(size=(BATCH, TIME, DIM)).astype("float32")


def test_layer_contract(tmp_path):
    check_layer(MaskedMeanPooling, {}, _inputs(), (BATCH, DIM), tmp_path=tmp_path)


def test_mean_of_the_real_steps_and_zeros_for_an_empty_row():
    x = _inputs()
    pooled = ops.convert_to_numpy(MaskedMeanPooling()(x, mask=MASK))
    np.testing.assert_allclose(pooled[0], x[0].mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(pooled[1], x[1, :2].mean(axis=0), rtol=1e-6)
    np.testing.assert_array_equal(pooled[2], 0.0)


def test_reads_the_attached_mask_and_emits_none():
    x = ops.convert_to_tensor(_inputs())
    set_keras_mask(x, ops.convert_to_tensor(MASK))
    layer = MaskedMeanPooling()
    np.testing.assert_allclose(
        ops.convert_to_numpy(layer(x)),
        ops.convert_to_numpy(layer(_inputs(), mask=MASK)),
    )
    assert layer.compute_mask(x, MASK) is None


def test_keras_global_average_pooling_gives_nan_for_an_empty_row():
    """Why this layer exists: Keras' pooling divides 0 by 0."""
    pooled = keras.layers.GlobalAveragePooling1D()(_inputs(), mask=MASK)
    assert np.all(np.isnan(ops.convert_to_numpy(pooled)[2]))


def test_rank_is_checked():
    with pytest.raises(ValueError, match="inputs"):
        MaskedMeanPooling()(np.zeros((2, 3)))
