import math

import keras
from keras import ops

from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_positive_int

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

    Args:
        max_length: the longest sequence the layer serves (for `"learned"`,
            the number of rows of the table).
        kind: `"learned"` or `"sinusoidal"`.
        initializer: initializer of the learned table.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: `(batch, time, dim)` float tensor.
        start_index: position of the first step; nonzero when decoding one
            step at a time with a cache.

    Example:

    >>> x = keras.random.normal((2, 10, 16))
    >>> PositionalEmbedding(max_length=32)(x).shape
    (2, 10, 16)
    """

    def __init__(
        self, max_length, kind="learned", initializer="glorot_uniform", **kwargs
    ):
        super().__init__(**kwargs)
        check_positive_int("max_length", max_length)
        check_choice("kind", kind, POSITION_KINDS)
        self.max_length = max_length
        self.kind = kind
        self.initializer = keras.initializers.get(initializer)
        self.supports_masking = True

    def build(self, inputs_shape):
        if len(inputs_shape) != 3:
            raise ValueError(
                "PositionalEmbedding expects inputs of shape (batch, time, dim). "
                f"Received: inputs.shape={tuple(inputs_shape)}"
            )
        self._check_length(inputs_shape[1])
        self.dim = inputs_shape[-1]
        if self.kind == "learned":
            self.position_embeddings = self.add_weight(
                name="position_embeddings",
                shape=(self.max_length, self.dim),
                initializer=self.initializer,
            )

    def _check_length(self, length, start_index=0):
        if self.kind != "learned" or not isinstance(length, int):
            return
        if isinstance(start_index, int) and start_index + length > self.max_length:
            raise ValueError(
                f"The sequence reaches position {start_index + length}, past "
                f"`max_length={self.max_length}` of this learned position "
                "embedding. Use a larger `max_length`, or kind='sinusoidal' "
                "to extend past it."
            )

    def call(self, inputs, start_index=0):
        length = ops.shape(inputs)[1]
        self._check_length(length, start_index)
        if self.kind == "learned":
            positions = ops.slice(
                ops.convert_to_tensor(self.position_embeddings),
                (start_index, 0),
                (length, self.dim),
            )
        else:
            positions = sinusoidal_encoding(
                ops.arange(length) + start_index, self.dim, self.compute_dtype
            )
        return inputs + ops.cast(positions, inputs.dtype)

    def compute_output_shape(self, inputs_shape):
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
