import math

import keras
from keras import ops

from keras_seq.backend.tensorflow.collective_keys import separate_collective_keys
from keras_seq.layers.initializers import clone_initializer
from keras_seq.layers.shape_checks import check_sequence
from keras_seq.layers.shape_checks import check_shape
from keras_seq.layers.shape_checks import static_shape
from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import is_int

POSITION_KINDS = ("learned", "sinusoidal")


def sinusoidal_encoding(positions, dim, dtype="float32"):
    """The fixed encoding of Vaswani et al.: sines on even, cosines on odd features.

    Args:
        positions: int tensor of any shape.
        dim: number of features.

    Returns:
        A tensor of shape `positions.shape + (dim,)`.
    """
    positions = ops.cast(positions, "float32")[..., None]
    pair_index = ops.arange(0, dim, 2, dtype="float32")
    inverse_frequency = ops.exp(pair_index * (-math.log(10000.0) / dim))
    angles = positions * inverse_frequency
    # Interleave sin and cos so feature 2i is sin and 2i+1 is cos.
    encoding = ops.stack([ops.sin(angles), ops.cos(angles)], axis=-1)
    encoding = ops.reshape(encoding, ops.shape(positions)[:-1] + (-1,))
    return ops.cast(encoding[..., :dim], dtype)


@keras.saving.register_keras_serializable(package="keras_seq")
class PositionalEmbedding(keras.layers.Layer):
    """Adds position information to a `(batch, time, dim)` sequence.

    `kind="learned"` adds a trainable `(max_length, dim)` table, so sequences
    may be at most `max_length` long. `kind="sinusoidal"` adds the fixed
    sine/cosine encoding, which has no weights and extends past `max_length`.
    The input's padding mask passes through unchanged.

    A learned table checks the length where it is known before run time:
    at build time, in `compute_output_shape`, and when a call is traced
    with a static length (`jax.jit`, `tf.function` with a known length), a
    sequence reaching past `max_length` raises a ValueError. Where it
    cannot be known (a `start_index` tensor, as in compiled generation, or
    a length unknown until run time) the rows past `max_length` come out
    NaN, which no loss or sampler can miss, rather than silently repeating
    the last row as a clamped slice would.

    Args:
        max_length: the longest sequence the layer serves (for `"learned"`,
            the number of rows of the table).
        kind: `"learned"` or `"sinusoidal"`.
        initializer: initializer of the learned table.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: `(batch, time, dim)` float tensor.
        start_index: position of the first step, a non-negative int or a
            scalar int tensor; nonzero when decoding one step at a time
            with a cache.
        mask: optional `(batch, time)` padding mask; passed on unchanged.

    Example:

    >>> x = keras.random.normal((2, 10, 16))
    >>> tuple(PositionalEmbedding(max_length=32)(x).shape)
    (2, 10, 16)
    """

    def __init__(
        self, max_length, kind="learned", initializer="glorot_uniform", **kwargs
    ):
        super().__init__(**kwargs)
        max_length = check_positive_int("max_length", max_length)
        check_choice("kind", kind, POSITION_KINDS)
        self.max_length = max_length
        self.kind = kind
        self.initializer = keras.initializers.get(initializer)
        self.supports_masking = True

    def build(self, inputs_shape):
        separate_collective_keys()
        inputs_shape = tuple(inputs_shape)
        check_sequence(self, inputs_shape)
        self._check_length(inputs_shape[1])
        self.dim = inputs_shape[-1]
        if self.kind == "learned":
            self.position_embeddings = self.add_weight(
                name="position_embeddings",
                shape=(self.max_length, self.dim),
                initializer=clone_initializer(self.initializer),
            )

    def _check_length(self, length, start_index=0):
        """Raises if a known length and start reach past the learned table."""
        if self.kind != "learned" or not is_int(length):
            return
        start = int(start_index) if is_int(start_index) else 0
        if start + length > self.max_length:
            raise ValueError(
                f"The sequence reaches position {start + length}, past "
                f"`max_length={self.max_length}` of this learned position "
                "embedding. Use a larger `max_length`, or kind='sinusoidal' "
                f"to extend past it. Received: inputs of length {length}, "
                f"start_index={start_index!r}"
            )

    def _check_start_index(self, start_index):
        if is_int(start_index):
            if start_index < 0:
                raise ValueError(
                    "`start_index` must be a non-negative int or a scalar int "
                    f"tensor. Received: start_index={start_index!r}"
                )
            return
        dtype = getattr(start_index, "dtype", None)
        if (
            dtype is None
            or static_shape(start_index) != ()
            or "int" not in keras.backend.standardize_dtype(dtype)
        ):
            raise ValueError(
                "`start_index` must be a non-negative int or a scalar int "
                f"tensor. Received: start_index={start_index!r}"
            )

    def call(self, inputs, start_index=0, mask=None):
        inputs_shape = static_shape(inputs)
        check_sequence(self, inputs_shape, self.dim)
        batch, time = inputs_shape[:2] if inputs_shape else (None, None)
        check_shape(
            self,
            "mask",
            static_shape(mask),
            ("batch", "time"),
            sizes={"batch": batch, "time": time},
        )
        self._check_start_index(start_index)
        length = ops.shape(inputs)[1]
        self._check_length(length, start_index)
        if self.kind == "sinusoidal":
            positions = sinusoidal_encoding(
                ops.arange(length) + start_index, self.dim, self.compute_dtype
            )
        elif is_int(length) and is_int(start_index):
            # Checked above: a plain slice of the table.
            positions = ops.slice(
                ops.convert_to_tensor(self.position_embeddings),
                (int(start_index), 0),
                (length, self.dim),
            )
        else:
            positions = self._gather_positions(inputs, start_index)
        return inputs + ops.cast(positions, inputs.dtype)

    def _gather_positions(self, inputs, start_index):
        """Rows `start_index ...` of the table; NaN past its end.

        Used where the length or the start is known only at run time: no
        check can fail then, and a slice would clamp silently. The
        positions count the steps of `inputs` (a cumulative sum): ONNX
        exporters (jax2onnx, torch.export) refuse `arange` of a symbolic
        length.
        """
        steps = ops.cumsum(ops.ones_like(inputs[0, :, 0], dtype="int32")) - 1
        positions = steps + ops.cast(start_index, "int32")
        table = ops.convert_to_tensor(self.position_embeddings)
        rows = ops.take(table, ops.clip(positions, 0, self.max_length - 1), axis=0)
        inside = ops.logical_and(positions >= 0, positions < self.max_length)
        inside = ops.expand_dims(inside, -1)
        return ops.where(inside, rows, ops.full_like(rows, float("nan")))

    def compute_mask(self, inputs, mask=None):
        return mask

    def compute_output_shape(self, inputs_shape):
        check_sequence(self, tuple(inputs_shape))
        self._check_length(inputs_shape[1])
        return inputs_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "max_length": self.max_length,
                "kind": self.kind,
                "initializer": keras.initializers.serialize(self.initializer),
            }
        )
        return config
