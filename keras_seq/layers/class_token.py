import keras
from keras import ops

from keras_seq.backend.tensorflow.collective_keys import separate_collective_keys
from keras_seq.layers.initializers import clone_initializer
from keras_seq.layers.shape_checks import check_sequence
from keras_seq.layers.shape_checks import check_shape
from keras_seq.layers.shape_checks import static_shape


@keras.saving.register_keras_serializable(package="keras_seq")
class ClassToken(keras.layers.Layer):
    """Prepends a learned class token to a `(batch, time, dim)` sequence.

    The token is a real step: where the input has a padding mask, True is
    prepended to it, so every token may attend to the class token. Its
    output then summarises the sequence (BERT's `[CLS]`, ViT's class token).

    Args:
        initializer: initializer of the token (zeros, as in ViT).
        **kwargs: standard layer arguments.

    Call arguments:
        inputs: `(batch, time, dim)`.
        mask: optional `(batch, time)` padding mask (default: the mask
            attached to `inputs`); the output's mask is it with True first.

    Example:

    >>> tuple(ClassToken()(keras.random.normal((2, 5, 8))).shape)
    (2, 6, 8)
    """

    def __init__(self, initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.initializer = keras.initializers.get(initializer)
        self.supports_masking = True

    def build(self, inputs_shape):
        separate_collective_keys()
        inputs_shape = tuple(inputs_shape)
        check_sequence(self, inputs_shape)
        self.token = self.add_weight(
            name="token",
            shape=(1, 1, inputs_shape[-1]),
            initializer=clone_initializer(self.initializer),
        )

    def call(self, inputs, mask=None):
        inputs_shape = static_shape(inputs)
        check_sequence(self, inputs_shape, self.token.shape[-1])
        batch, time = inputs_shape[:2] if inputs_shape else (None, None)
        check_shape(
            self,
            "mask",
            static_shape(mask),
            ("batch", "time"),
            sizes={"batch": batch, "time": time},
        )
        shape = ops.shape(inputs)
        token = ops.broadcast_to(
            ops.cast(self.token, inputs.dtype), (shape[0], 1, shape[2])
        )
        return ops.concatenate([token, inputs], axis=1)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        real = ops.ones_like(mask[:, :1], dtype="bool")
        return ops.concatenate([real, ops.cast(mask, "bool")], axis=1)

    def compute_output_shape(self, inputs_shape):
        check_sequence(self, tuple(inputs_shape))
        time = None if inputs_shape[1] is None else inputs_shape[1] + 1
        return (inputs_shape[0], time, inputs_shape[2])

    def get_config(self):
        config = super().get_config()
        config["initializer"] = keras.initializers.serialize(self.initializer)
        return config
