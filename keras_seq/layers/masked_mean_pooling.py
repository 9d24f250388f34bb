import keras
from keras import ops

from keras_seq.backend.tensorflow.collective_keys import separate_collective_keys


@keras.saving.register_keras_serializable(package="keras_seq")
class MaskedMeanPooling(keras.layers.Layer):
    """The mean of a `(batch, time, dim)` sequence over its real steps.

    Padded steps (False in the padding mask) count for nothing. A row with
    no real step at all (an empty review) pools to zeros, where Keras'
    `GlobalAveragePooling1D` divides 0 by 0 and its NaN, through the
    gradients, would spread to every weight of the model.

    Args:
        **kwargs: standard layer arguments.

    Call arguments:
        inputs: `(batch, time, dim)`.
        mask: `(batch, time)` booleans, True = real step. Defaults to the
            mask attached to `inputs`; without one every step counts.

    Example:

    >>> x = ops.ones((2, 3, 4))
    >>> mask = np.array([[True, False, False], [False, False, False]])
    >>> ops.convert_to_numpy(MaskedMeanPooling()(x, mask=mask)).tolist()[1]
    [0.0, 0.0, 0.0, 0.0]
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, inputs_shape):
        separate_collective_keys()
        if len(inputs_shape) != 3:
            raise ValueError(
                "MaskedMeanPooling expects `inputs` of shape (batch, time, dim). "
                f"Received: inputs.shape={tuple(inputs_shape)}"
            )

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=1)
        mask = ops.expand_dims(ops.cast(mask, "bool"), -1)
        total = ops.sum(ops.where(mask, inputs, 0.0), axis=1)
        # At least 1: an all-padding row has total 0 and pools to 0.
        count = ops.maximum(ops.sum(ops.cast(mask, inputs.dtype), axis=1), 1.0)
        return total / count

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, inputs_shape):
        return (inputs_shape[0], inputs_shape[2])
