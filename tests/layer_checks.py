"""The contract every keras_seq layer honours, checked in one place."""

import keras
import numpy as np
from keras import ops
from keras.src.backend import set_keras_mask

from keras_seq.layers.masking import attached_mask


def _model_inputs(inputs, tensor_kwargs):
    symbolic = keras.Input(
        shape=inputs.shape[1:], dtype=str(inputs.dtype), batch_size=None
    )
    symbolic_kwargs = {
        name: keras.Input(shape=value.shape[1:], dtype=str(value.dtype))
        for name, value in tensor_kwargs.items()
    }
    return symbolic, symbolic_kwargs


def _as_model(layer, inputs, tensor_kwargs, call_kwargs):
    symbolic, symbolic_kwargs = _model_inputs(inputs, tensor_kwargs)
    outputs = layer(symbolic, **symbolic_kwargs, **call_kwargs)
    return keras.Model([symbolic, *symbolic_kwargs.values()], outputs)


def _data(inputs, tensor_kwargs):
    return [inputs, *tensor_kwargs.values()]


def check_distinct_initial_weights(layer):
    """Asserts no two same-shaped random kernels of `layer` start out equal.

    `layer` may be a whole model. Keras 3 initializers are stateless: one
    instance handed to two sublayers draws the same values twice. Biases
    and scales (rank 1: zeros, ones, an LSTM's forget-gate ones) and
    constant weights (a zero class token) are meant to be equal and are
    skipped.
    """
    random_weights = [
        (weight.path, ops.convert_to_numpy(weight))
        for weight in layer.weights
        if len(weight.shape) >= 2 and np.ptp(ops.convert_to_numpy(weight)) > 0
    ]
    for index, (path, value) in enumerate(random_weights):
        for other_path, other in random_weights[index + 1 :]:
            if value.shape == other.shape:
                assert not np.allclose(value, other), (
                    f"{path} and {other_path} start out identical"
                )


def trainable_gradients(layer, loss_of_outputs, *args, **kwargs):
    """Gradients of `loss_of_outputs(layer(*args, **kwargs))`, as NumPy arrays.

    One per trainable weight of the (built) layer, in `trainable_weights`
    order. Tests only: each backend differentiates its own way.
    """
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        non_trainable = [v.value for v in layer.non_trainable_variables]

        def loss(trainable):
            outputs, _ = layer.stateless_call(trainable, non_trainable, *args, **kwargs)
            return loss_of_outputs(outputs)

        grads = jax.grad(loss)([v.value for v in layer.trainable_variables])
    elif backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_of_outputs(layer(*args, **kwargs))
        grads = tape.gradient(loss, layer.trainable_variables)
    elif backend == "torch":
        import torch

        loss = loss_of_outputs(layer(*args, **kwargs))
        grads = torch.autograd.grad(
            loss, [v.value for v in layer.trainable_variables], allow_unused=True
        )
    else:
        raise NotImplementedError(backend)
    return [
        np.zeros(v.shape, "float32") if g is None else ops.convert_to_numpy(g)
        for v, g in zip(layer.trainable_variables, grads)
    ]


def check_layer(
    layer_class,
    init_kwargs,
    inputs,
    expected_output_shape,
    tensor_kwargs=None,
    call_kwargs=None,
    input_mask=None,
    expected_mask=None,
    tmp_path=None,
):
    """Runs the whole layer contract on `layer_class(**init_kwargs)`.

    Checks, in order: eager output shape and dtype; distinct initial
    weights; `compute_output_shape`;
    symbolic (functional) output shape; mask propagation (`input_mask` set on
    the input must come out as `expected_mask`, which defaults to
    `input_mask`); `get_config`/`from_config` round trip with equal outputs;
    `.keras` save and load with equal outputs; one `fit` step that changes
    the layer's trainable weights; and `mixed_float16` / `mixed_bfloat16`
    compute dtypes with float32 weights, the policy shared by every
    sublayer.
    """
    tensor_kwargs = tensor_kwargs or {}
    call_kwargs = call_kwargs or {}

    # Eager call, compute_output_shape.
    layer = layer_class(**init_kwargs)
    outputs = layer(inputs, **tensor_kwargs, **call_kwargs)
    assert tuple(outputs.shape) == tuple(expected_output_shape)
    assert keras.backend.standardize_dtype(outputs.dtype) == "float32"
    assert np.all(np.isfinite(ops.convert_to_numpy(outputs)))
    check_distinct_initial_weights(layer)
    assert tuple(layer.compute_output_shape(inputs.shape)) == tuple(
        expected_output_shape
    )

    # Symbolic call: the batch axis stays unknown.
    symbolic, symbolic_kwargs = _model_inputs(inputs, tensor_kwargs)
    symbolic_outputs = layer_class(**init_kwargs)(
        symbolic, **symbolic_kwargs, **call_kwargs
    )
    assert tuple(symbolic_outputs.shape) == (None, *expected_output_shape[1:])

    # Mask propagation.
    expected_mask = input_mask if expected_mask is None else expected_mask
    if expected_mask is not None:
        masked_inputs = ops.convert_to_tensor(inputs)
        if input_mask is not None:
            set_keras_mask(masked_inputs, ops.convert_to_tensor(input_mask))
        masked_outputs = layer(masked_inputs, **tensor_kwargs, **call_kwargs)
        np.testing.assert_array_equal(
            ops.convert_to_numpy(attached_mask(masked_outputs)), expected_mask
        )

    # Config round trip.
    config = layer.get_config()
    clone = layer_class.from_config(config)
    assert clone.get_config() == config
    clone(inputs, **tensor_kwargs, **call_kwargs)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(
        ops.convert_to_numpy(clone(inputs, **tensor_kwargs, **call_kwargs)),
        ops.convert_to_numpy(outputs),
        atol=1e-6,
    )

    # .keras save and load.
    model = _as_model(layer, inputs, tensor_kwargs, call_kwargs)
    data = _data(inputs, tensor_kwargs)
    before = model.predict(data, verbose=0)
    if tmp_path is not None:
        path = str(tmp_path / f"{layer.name}.keras")
        model.save(path)
        restored = keras.saving.load_model(path)
        np.testing.assert_allclose(restored.predict(data, verbose=0), before, atol=1e-6)

    # One fit step moves the layer's weights.
    if layer.trainable_weights:
        initial = [ops.convert_to_numpy(w).copy() for w in layer.trainable_weights]
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        targets = np.random.default_rng(0).normal(size=before.shape).astype("float32")
        history = model.fit(data, targets, batch_size=len(inputs), epochs=1, verbose=0)
        assert np.isfinite(history.history["loss"][0])
        changed = [
            not np.allclose(ops.convert_to_numpy(w), w0)
            for w, w0 in zip(layer.trainable_weights, initial)
        ]
        assert any(changed), "fit changed none of the layer's weights"

    # Mixed precision: low-precision compute, float32 weights.
    for policy, compute_dtype in (
        ("mixed_float16", "float16"),
        ("mixed_bfloat16", "bfloat16"),
    ):
        mixed = layer_class(**init_kwargs, dtype=policy)
        mixed_outputs = mixed(inputs, **tensor_kwargs, **call_kwargs)
        assert keras.backend.standardize_dtype(mixed_outputs.dtype) == compute_dtype
        assert all(
            keras.backend.standardize_dtype(w.dtype) == "float32" for w in mixed.weights
        )
        # Every sublayer runs under the layer's policy.
        for sublayer in mixed._flatten_layers(include_self=False):
            assert sublayer.dtype_policy.name == policy, sublayer.name
        assert np.all(
            np.isfinite(ops.convert_to_numpy(ops.cast(mixed_outputs, "float32")))
        )
    return layer
