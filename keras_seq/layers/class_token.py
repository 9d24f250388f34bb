import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_seq")
class ClassToken(keras.layers.Layer):
    """Prepends a learned class token to a `(batch, time, dim)` sequence.

    The token is a real step: where the input has a padding mask, True is
    prepended to it, so every token may attend to the class token. Its
    output then summarises the sequence (BERT's `[CLS]`, ViT's class token).

    Args:
        initializer: initializer of the token (zeros, as in ViT).
        **kwargs: standard layer arguments.

    Example:

    >>> ClassToken()(keras.random.normal((2, 5, 8))).shape
    (2, 6, 8)
    """

    def __init__(self, initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.initializer = keras.initializers.get(initializer)
        self.supports_masking = True

    def build(self, inputs_shape):
        self.token = self.add_weight(
            name="token", shape=(1, 1, inputs_shape[-1]), initializer=self.initializer
        )

    def call(self, inputs):
        shape = ops.shape(inputs)
        token = ops.broadcast_to(
            ops.cast(self.token, inputs.dtype), (shape[0], 1, shape[2])
        )
        return ops.concatenate([token, inputs], axis=1)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        return ops.concatenate([ops.ones_like(mask[:, :1], dtype="bool"), mask], axis=1)

    def compute_output_shape(self, inputs_shape):
        time = None if inputs_shape[1] is None else inputs_shape[1] + 1
        return (inputs_shape[0], time, inputs_shape[2])

    def get_config(self):
        config = super().get_config()
        config["initializer"] = keras.initializers.serialize(self.initializer)
        return config
