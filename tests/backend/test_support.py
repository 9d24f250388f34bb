"""Each backend's fast path computes what the portable `keras.ops` code does.

`keras_seq.backend.support` is where layers and models ask what the
backend supports. Where a backend takes its own path (PyTorch writes a
cache in place and replays captured graphs, JAX restores its trainer's
state, the fused attention kernel takes a broadcast mask), the result
must equal the portable one; on the other backends both are the same
code and the tests hold trivially.
"""

import keras
import numpy as np
import pytest
from keras import ops

from keras_seq.backend import support
from keras_seq.backend.inference_function import no_gradients
from keras_seq.layers.cache_reads import read_filled

ON_TORCH = keras.backend.backend() == "torch"


def _numpy(x):
    return ops.convert_to_numpy(x)


@pytest.mark.parametrize("start", [0, 3, "tensor"])
def test_a_write_in_place_equals_slice_update(start):
    rng = np.random.default_rng(0)
    tensor = rng.normal(size=(2, 2, 3, 6, 4)).astype("float32")
    updates = rng.normal(size=(2, 2, 3, 2, 4)).astype("float32")
    index = ops.convert_to_tensor(2, "int32") if start == "tensor" else start
    expected = _numpy(
        ops.slice_update(ops.convert_to_tensor(tensor), (0, 0, 0, index, 0), updates)
    )
    cache = ops.convert_to_tensor(tensor)
    with no_gradients():
        written = support.write_along_axis(
            cache, ops.convert_to_tensor(updates), index, axis=3
        )
    np.testing.assert_array_equal(_numpy(written), expected)
    if ON_TORCH:
        # The fast path: no copy of the cache.
        assert written is cache


def test_a_write_with_gradients_recorded_leaves_the_tensor_as_it_was():
    tensor = ops.zeros((1, 4))
    written = support.write_along_axis(tensor, ops.ones((1, 2)), 1, axis=1)
    np.testing.assert_array_equal(_numpy(written), [[0, 1, 1, 0]])
    np.testing.assert_array_equal(_numpy(tensor), [[0, 0, 0, 0]])


def test_a_write_into_a_broadcast_view_leaves_it_as_it_was():
    row = ops.zeros((1, 4))
    view = ops.broadcast_to(row, (3, 4))
    with no_gradients():
        written = support.write_along_axis(view, ops.ones((3, 1)), 2, axis=1)
    np.testing.assert_array_equal(_numpy(written)[:, 2], [1, 1, 1])
    np.testing.assert_array_equal(_numpy(row), [[0, 0, 0, 0]])


def test_the_fused_kernel_mask_attends_as_the_padding_mask():
    rng = np.random.default_rng(1)
    query, key, value = (
        ops.convert_to_tensor(rng.normal(size=(3, 5, 2, 4)).astype("float32"))
        for _ in range(3)
    )
    padding = np.ones((3, 1, 1, 5), bool)
    padding[0, ..., 3:] = False
    mask = support.fused_attention_mask(ops.convert_to_tensor(padding), 5, 5)
    assert tuple(mask.shape) == (3, 1, 5, 5)
    np.testing.assert_array_equal(_numpy(mask), np.broadcast_to(padding, (3, 1, 5, 5)))
    fused = ops.dot_product_attention(query, key, value, mask=mask)
    broadcast = ops.dot_product_attention(
        query, key, value, mask=ops.convert_to_tensor(padding)
    )
    np.testing.assert_allclose(_numpy(fused), _numpy(broadcast), atol=1e-6)
    assert support.fused_attention_mask(None, 5, 5) is None


def test_the_fused_kernel_runs_in_float32_everywhere():
    assert support.fused_attention_runs("float32")
    assert support.fused_attention_runs("bfloat16")
    if keras.backend.backend() != "jax":
        assert support.fused_attention_runs("float16")


def test_keras_masks_are_attached_and_read_back():
    x = ops.ones((2, 3))
    assert support.get_keras_mask(x) is None
    mask = ops.convert_to_tensor(np.array([[True, True, False]] * 2))
    support.set_keras_mask(x, mask)
    np.testing.assert_array_equal(_numpy(support.get_keras_mask(x)), _numpy(mask))


def test_a_captured_read_takes_the_whole_cache_and_reads_as_the_eager_one():
    """Captured, the read length cannot be chosen by value: the whole cache."""
    cache = np.zeros((2, 256), "float32")
    cache[:, :70] = 1.0
    cache = ops.convert_to_tensor(cache)
    filled = ops.convert_to_tensor(70, "int32")
    lengths, captured = [], []

    def read(cache, filled):
        def attend(length):
            lengths.append(length)
            return ops.sum(cache[:, :length], axis=1)

        captured.append(support.is_captured(filled))
        return read_filled(attend, 256, filled)

    eager = _numpy(read(cache, filled))
    assert lengths == [128] and captured == [False]
    replayed = support.captured_decode(read, [])
    if ON_TORCH:
        replayed.graphs.eager_calls = 0
        replayed_read = replayed.with_current_values()
        np.testing.assert_array_equal(_numpy(replayed_read(cache, filled)), eager)
        assert replayed.graphs.captures == 1
        assert lengths[-1] == 256 and captured[-1]
    else:
        assert replayed.with_current_values() is read


def test_a_captured_decode_replays_what_the_function_computes():
    weight = keras.Variable(np.array([1.0, 2.0], "float32"))

    def scale(x):
        return x * weight + 1.0

    captured = support.captured_decode(scale, [weight])
    if ON_TORCH:
        captured.graphs.eager_calls = 0
    x = ops.convert_to_tensor(np.array([3.0, 4.0], "float32"))
    for _ in range(2):
        with no_gradients():
            np.testing.assert_allclose(
                _numpy(captured.with_current_values()(x)), _numpy(scale(x))
            )
    weight.assign(np.array([5.0, 6.0], "float32"))
    with no_gradients():
        np.testing.assert_allclose(
            _numpy(captured.with_current_values()(x)), [16.0, 25.0]
        )
    if ON_TORCH:
        assert captured.graphs.captures == 1
    assert (support.graph_steps(keras.Sequential()) is None) != ON_TORCH


def test_the_state_restorer_puts_back_what_a_failed_loop_left_empty():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    before = [_numpy(weight) for weight in model.weights]
    restore = support.state_restorer(model)
    if keras.backend.backend() == "jax":
        # What Keras' JAX trainer does while its loop runs.
        for variable in model.weights:
            variable._value = None
    restore()
    for weight, value in zip(model.weights, before):
        np.testing.assert_array_equal(_numpy(weight), value)
    assert model.predict(np.ones((1, 2)), verbose=0).shape == (1, 1)


def test_one_device_keeps_keras_loss_and_optimizer():
    loss = ops.convert_to_tensor(0.25)
    y = np.array([[1, 0]])
    y_pred = ops.ones((1, 2, 3))
    compiled = keras.losses.SparseCategoricalCrossentropy(ignore_class=0)
    assert support.token_share(loss, compiled, y, y_pred) is loss
    optimizer = keras.optimizers.Adam(clipnorm=1.0)
    apply = optimizer.apply
    support.sum_before_clipping(optimizer)
    support.sum_before_clipping(None)
    if keras.backend.backend() != "tensorflow":
        assert optimizer.apply == apply
