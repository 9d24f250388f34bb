"""What the running backend supports, and the one door to its fast paths.

Layers and models stay in `keras.ops` and ask this module wherever the
backends differ: whether the fused attention kernel runs and in which
mask form it takes a mask, whether functions can be captured as graphs,
how a cache is written in place, how a model is put back after a failed
Keras loop, how `tf.distribute` replicas share a batch, how batches of
several padded widths reach `fit`, which exports it makes and how. Each
function has a portable behaviour; a backend's own implementation lives
in `keras_seq.backend.<name>`, imported only when that backend runs.
"""

import keras
from keras import ops
from keras.src.backend import get_keras_mask as _get_keras_mask
from keras.src.backend import set_keras_mask as _set_keras_mask

from keras_seq.backend import export_rules
from keras_seq.backend.export_rules import Unsupported  # noqa: F401 (public)


def _backend():
    return keras.backend.backend()


# Keras masks.


def get_keras_mask(x):
    """Returns the Keras mask attached to tensor `x`, or None.

    Example:

    >>> embedding = keras.layers.Embedding(5, 2, mask_zero=True)
    >>> x = embedding(np.array([[3, 0]]))
    >>> keras.ops.convert_to_numpy(get_keras_mask(x)).tolist()
    [[True, False]]
    """
    return _get_keras_mask(x)


def set_keras_mask(x, mask):
    """Attaches `mask` to tensor `x` as its Keras mask (None removes it).

    Example:

    >>> x = keras.ops.ones((1, 2))
    >>> set_keras_mask(x, keras.ops.array([[True, False]]))
    >>> keras.ops.convert_to_numpy(get_keras_mask(x)).tolist()
    [[True, False]]
    """
    _set_keras_mask(x, mask)


# Fused attention.


def fused_attention_runs(compute_dtype):
    """Whether `keras.ops.dot_product_attention` runs in `compute_dtype` here.

    JAX cannot lower its float16 kernel on CPU (a float16 matmul that
    accumulates in float32: "The precision 'F16_F16_F32' is not supported by
    dot_general on CPU"; Keras' own `MultiHeadAttention` fails the same way
    under `mixed_float16`). There the explicit einsums compute the same
    attention.

    Args:
        compute_dtype: the dtype the attention computes in, e.g. `"float16"`.

    Example:

    >>> fused_attention_runs("float32")
    True
    """
    if compute_dtype != "float16" or _backend() != "jax":
        return True
    from keras_seq.backend.jax import platform

    return platform.default_platform() != "cpu"


def fused_attention_reads_heads_first():
    """Whether the fused kernel reads heads-first keys without copying them.

    A key/value cache is heads-first, `(batch, heads, time, head_dim)`: a
    decoding step's matmuls then read each head's keys as they lie. JAX
    (XLA folds the transposes into its matmuls) and PyTorch (its kernel
    takes heads-first tensors) read such a cache in place through
    `keras.ops.dot_product_attention`. TensorFlow's is two einsums over
    time-major keys and values, no fused kernel: it would copy the whole
    cache twice per step, so there explicit einsums over the heads-first
    cache compute the attention.

    Example:

    >>> fused_attention_reads_heads_first() == (
    ...     keras.backend.backend() != "tensorflow"
    ... )
    True
    """
    return _backend() != "tensorflow"


def fused_attention_mask(mask, query_length, key_length):
    """`mask` in the form every fused attention kernel takes.

    `(batch, heads, time, source_time)`: its query and key axes full
    length, its batch and head axes as they are (1 or full). cuDNN's fused
    kernel, which JAX takes on a GPU, refuses a mask whose query axis is 1
    ("Bias must have same seq length as QKV"), logs the error and falls
    back to a slower kernel. The broadcast is a view where the backend has
    views (PyTorch) and fuses into the kernel's input under XLA; it masks
    exactly what `mask` masks.

    Args:
        mask: booleans broadcastable to `(batch, heads, time,
            source_time)`, rank 4, True = attend; or None.
        query_length, key_length: the query and key sequence lengths.

    Example:

    >>> padding = keras.ops.ones((2, 1, 1, 5), dtype="bool")
    >>> tuple(fused_attention_mask(padding, 3, 5).shape)
    (2, 1, 3, 5)
    """
    if mask is None:
        return None
    batch, heads = ops.shape(mask)[0], ops.shape(mask)[1]
    return ops.broadcast_to(mask, (batch, heads, query_length, key_length))


# Writes in place.


def write_along_axis(tensor, updates, start, axis):
    """Returns `tensor` with `updates` written along `axis` from `start`.

    `keras.ops.slice_update`, which XLA (JAX, TensorFlow) performs in place
    on a buffer a loop carries. PyTorch's clones the whole tensor (and,
    for a tensor `start`, builds an index grid) on every write; there,
    where no gradient is recorded (generation runs under
    `torch.no_grad()`) and `tensor` is not a broadcast view, it is written
    in place (`keras_seq.backend.torch.in_place`), without reading `start`
    back to the host, and the tensor passed in is the one returned.
    Otherwise `tensor` is never modified.

    Args:
        tensor: the tensor to write into.
        updates: a tensor of `tensor`'s dtype and rank, of its size on
            every axis but `axis`.
        start: where the updates start along `axis`: an int or a scalar
            int tensor.
        axis: the axis written along, non-negative.

    Example:

    >>> x = write_along_axis(keras.ops.zeros((1, 4)), keras.ops.ones((1, 1)), 2, 1)
    >>> keras.ops.convert_to_numpy(x)[0].tolist()
    [0.0, 0.0, 1.0, 0.0]
    """
    if _backend() == "torch":
        from keras_seq.backend.torch import in_place

        written = in_place.write_along_axis(tensor, updates, start, axis)
        if written is not None:
            return written
    starts = [0] * len(tensor.shape)
    starts[axis] = start
    return ops.slice_update(tensor, tuple(starts), updates)


# Graphs captured and replayed (PyTorch; JAX and TensorFlow compile their own).


def can_capture_graphs():
    """Whether functions can be captured as graphs and replayed here.

    True on PyTorch (`keras_seq.backend.torch.captured_graphs`). JAX and
    TensorFlow trace and compile Keras' steps and the generate loop
    themselves.

    Example:

    >>> can_capture_graphs() == (keras.backend.backend() == "torch")
    True
    """
    return _backend() == "torch"


def is_captured(value):
    """Whether `value` is a tensor of a graph being captured.

    Such a tensor has a shape and a dtype but no value to read: code that
    chooses by a value (a read length) must take the choice that holds
    for every value.

    Example:

    >>> is_captured(keras.ops.ones((2,)))
    False
    """
    if not can_capture_graphs():
        return False
    from keras_seq.backend.torch import captured_graphs

    return captured_graphs.is_fake(value)


def graph_steps(model):
    """Returns `model`'s train, test and predict steps from graphs, or None.

    A `keras_seq.backend.torch.graph_steps.GraphSteps` on PyTorch; None
    where Keras' own steps are compiled already (JAX, TensorFlow).

    Args:
        model: a `keras.Model` whose `call` takes `training`.

    Example:

    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> (graph_steps(model) is None) == (keras.backend.backend() != "torch")
    True
    """
    if not can_capture_graphs():
        return None
    from keras_seq.backend.torch.graph_steps import GraphSteps

    return GraphSteps(model)


def captured_decode(decode, variables, compiles=False):
    """Returns `decode`, a decoding step, to replay from captured graphs.

    On PyTorch a `keras_seq.backend.torch.captured_graphs.ReadingVariables`:
    each shape of step runs eagerly `captured_sampling.DECODE_EAGER_CALLS`
    times, counted over calls, then is captured and replayed. Elsewhere
    (JAX and TensorFlow compile the whole loop) the step itself is called.
    Either way `with_current_values()` gives the function to call for one
    decoding loop, reading the variables' values of now.

    Args:
        decode: a pure function of tensors that reads `variables`.
        variables: the Keras variables `decode` reads.
        compiles: whether the graphs are compiled by `torch.compile` too.

    Example:

    >>> weight = keras.Variable(2.0)
    >>> double = captured_decode(lambda x: x * weight, [weight])
    >>> float(double.with_current_values()(keras.ops.ones(())))
    2.0
    """
    if not can_capture_graphs():
        return _Uncaptured(decode)
    from keras_seq.backend.torch import captured_sampling
    from keras_seq.backend.torch.captured_graphs import ReadingVariables

    return ReadingVariables(
        decode, variables, captured_sampling.DECODE_EAGER_CALLS, compiles=compiles
    )


class _Uncaptured:
    """The portable `captured_decode`: the function itself, called as it is."""

    def __init__(self, function):
        self.function = function

    def with_current_values(self):
        return self.function


def captured_sampling(sampler, decode, variables, stop_token_ids, compiles=False):
    """Returns `sampler`'s loop with its steps replayed from graphs, or None.

    A `keras_seq.backend.torch.captured_sampling.CapturedSampling` on
    PyTorch for a sampler whose loop is KerasHub's base one; None where
    the sampler's own loop is to run (another backend compiles it whole;
    beam and contrastive search have loops of their own).

    Args:
        sampler: a `keras_hub.samplers.Sampler`.
        decode: `decode(tokens, cache, index)`, returning the logits of the
            token at `index` and the cache; it reads `variables`.
        variables: the Keras variables `decode` reads.
        stop_token_ids: a tuple of ids that end a sequence, or None.
        compiles: whether the graphs are compiled by `torch.compile` too.
    """
    if not can_capture_graphs():
        return None
    from keras_seq.backend.torch import captured_sampling

    if not captured_sampling.CapturedSampling.applies(sampler):
        return None
    return captured_sampling.CapturedSampling(
        sampler,
        decode,
        variables,
        stop_token_ids,
        captured_sampling.DECODE_EAGER_CALLS,
        compiles=compiles,
    )


# Keras' training loops.


def state_restorer(model):
    """Returns a function that makes `model` usable after a failed Keras loop.

    Call it before `fit`, `evaluate` or `predict`, and the function it
    returns after the loop failed. Keras' JAX trainer detaches the
    variables' values while its loop runs; there the function puts back
    the loop's last state and the values of the variables it left empty
    (`keras_seq.backend.jax.trainer_state`). Elsewhere the variables stay
    attached and it does nothing.

    Args:
        model: the `keras.Model` about to run a Keras loop.

    Example:

    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> restore = state_restorer(model)
    >>> restore()
    >>> model.predict(np.ones((1, 2)), verbose=0).shape
    (1, 1)
    """
    if _backend() != "jax":
        return _nothing
    from keras_seq.backend.jax import trainer_state

    return trainer_state.state_restorer(model)


def _nothing():
    pass


def sum_before_clipping(optimizer):
    """Makes `optimizer` clip the whole batch's gradient under `tf.distribute`.

    Keras' TensorFlow optimizer clips each replica's partial gradient and
    sums them after; this one sums them first, as on one device
    (`keras_seq.backend.tensorflow.replicas`). On JAX and PyTorch, whose
    step sees the global batch, nothing changes.

    Args:
        optimizer: the compiled `keras.optimizers.Optimizer`, or None.

    Example:

    >>> optimizer = keras.optimizers.Adam(clipnorm=1.0)
    >>> sum_before_clipping(optimizer)
    """
    if _backend() != "tensorflow" or optimizer is None:
        return
    from keras_seq.backend.tensorflow import replicas

    replicas.sum_before_clipping(optimizer)


def token_share(loss, compiled_loss, y, y_pred):
    """`loss` as this replica's share of a masked mean over every replica.

    Under `tf.distribute` with several replicas, a masked mean loss is
    rescaled so that the replicas' sum is the mean over all their real
    tokens (`keras_seq.backend.tensorflow.replicas.token_share`);
    elsewhere `loss` is returned as it is.

    Args:
        loss: the loss Keras' `compute_loss` gives.
        compiled_loss: the loss passed to `compile()`.
        y, y_pred: the targets and outputs of the step.

    Example:

    >>> float(token_share(keras.ops.array(0.5), None, None, None))
    0.5
    """
    if _backend() != "tensorflow":
        return loss
    from keras_seq.backend.tensorflow import replicas

    return replicas.token_share(loss, compiled_loss, y, y_pred)


def batches_for_keras(batches):
    """`batches` as `fit` and `evaluate` should get them, on every backend.

    On TensorFlow, Keras' `PyDataset` adapter fixes the shape of every
    batch to that of the first two, and a later batch of another padded
    width fails: there they go as a `tf.data` pipeline whose non-batch
    axes are of unknown size
    (`keras_seq.backend.tensorflow.datasets.variable_shape_dataset`).
    Elsewhere the batches go as they are.

    Args:
        batches: a `keras.utils.PyDataset` of NumPy batches.

    Example:

    >>> class Batches(keras.utils.PyDataset):
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, index):
    ...         return np.zeros((2, 3 + index, 1)), np.zeros((2, 1))
    >>> model = keras.Sequential([keras.layers.GlobalAveragePooling1D()])
    >>> model.compile(loss="mse")
    >>> history = model.fit(batches_for_keras(Batches()), verbose=0)
    >>> history.history["loss"]
    [0.0]
    """
    if _backend() != "tensorflow":
        return batches
    from keras_seq.backend.tensorflow import datasets

    return datasets.variable_shape_dataset(batches)


# Devices.


def find_devices():
    """Finds the backend's devices now, not on their first use.

    JAX finds its devices lazily, with logs of its own (a failed `cuInit`
    on a machine without a GPU); this finds them at once. Elsewhere it
    does nothing.

    Example:

    >>> find_devices()
    """
    if _backend() == "jax":
        from keras_seq.backend.jax import platform

        platform.find_devices()


# Export.


def check_export(model, format, command=True):
    """Raises `Unsupported` (one line, naming where it works) unless it exports.

    Args:
        model: the model to export.
        format: the format of Keras' `model.export`.
        command: True for what `keras-seq export` makes (its applications
            and formats: `export_rules.check`); False for what this
            backend's exporter cannot make of an application
            (`export_rules.check_exporter`; other models pass).

    Example:

    >>> check_export(keras.Sequential([keras.layers.Dense(1)]), "onnx", False)
    """
    check = export_rules.check if command else export_rules.check_exporter
    check(model, format, _backend())


def export_onnx(model, filepath, input_signature, verbose=None, **kwargs):
    """Writes `model`'s forward pass to the ONNX file `filepath`.

    Keras' own ONNX exporter, except on PyTorch: there Keras traces with
    TorchScript, which fixes the batch and time axes, so the file is
    written through torch.export (`keras_seq.backend.torch.onnx`), every
    axis of size None in `input_signature` dynamic.

    Args:
        model: a `keras.Model`.
        filepath: the `.onnx` file to write.
        input_signature: as for Keras' `model.export`, e.g. `[model.input]`.
        verbose: whether to say where the file was written.
        **kwargs: the exporter's options, e.g. `opset_version`.

    Example:

        export_onnx(model, "model.onnx", [model.input])
    """
    if _backend() == "torch":
        from keras_seq.backend.torch import onnx

        return onnx.export(model, filepath, input_signature, verbose, **kwargs)
    return keras.Model.export(
        model,
        filepath,
        format="onnx",
        verbose=verbose,
        input_signature=input_signature,
        **kwargs,
    )
