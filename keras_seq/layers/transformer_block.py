import keras

from keras_seq.layers.initializers import clone_initializer
from keras_seq.layers.masking import attached_mask
from keras_seq.layers.masking import output_mask
from keras_seq.layers.multi_head_self_attention import MultiHeadSelfAttention
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate


@keras.saving.register_keras_serializable(package="keras_seq")
def gelu_approximate(x):
    """GELU by its tanh approximation, as GPT-2 and ViViT use it.

    `activation="gelu_approximate"` names it in the transformer layers
    and stacks (`"gelu"` is the exact GELU, as BERT and ViT use it).

    Example:

    >>> round(float(gelu_approximate(np.array(1.0))), 4)
    0.8412
    """
    return keras.activations.gelu(x, approximate=True)


def get_activation(identifier):
    """`keras.activations.get`, which also knows `"gelu_approximate"`."""
    if identifier == "gelu_approximate":
        return gelu_approximate
    return keras.activations.get(identifier)


class TransformerBlock(keras.layers.Layer):
    """What the encoder and decoder layers share.

    The arguments and their config, the sublayers (made in one place,
    `_make_sublayers`), the feed-forward network and the shape checks.
    Subclasses write their residual paths out as equations: pre-norm
    `x = x + dropout(sublayer(norm(x)))`, post-norm
    `x = norm(x + dropout(sublayer(x)))`.
    """

    _causal = False

    def __init__(
        self,
        num_heads,
        intermediate_dim,
        dropout=0.0,
        activation="relu",
        norm_first=False,
        layer_norm_epsilon=1e-5,
        key_dim=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        num_heads = check_positive_int("num_heads", num_heads)
        intermediate_dim = check_positive_int("intermediate_dim", intermediate_dim)
        dropout = check_rate("dropout", dropout)
        key_dim = check_positive_int("key_dim", key_dim, allow_none=True)
        self.num_heads = num_heads
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout
        self.activation = get_activation(activation)
        self.norm_first = norm_first
        self.layer_norm_epsilon = layer_norm_epsilon
        self.key_dim = key_dim
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.supports_masking = True

    def _make_sublayers(self, inputs_shape, encoder_outputs_shape=None):
        """Creates and builds every sublayer of the block, in one place.

        The cross-attention sublayer exists only when `encoder_outputs_shape`
        is given (a decoder built with encoder outputs).
        """
        dim = inputs_shape[-1]
        self.dim = dim
        self.self_attention = self._attention("self_attention", causal=self._causal)
        self.self_attention_norm = self._norm("self_attention_norm")
        self.cross_attention = None
        self.cross_attention_norm = None
        if encoder_outputs_shape is not None:
            self.cross_attention = self._attention("cross_attention")
            self.cross_attention_norm = self._norm("cross_attention_norm")
        self.intermediate_dense = self._dense(
            self.intermediate_dim, "intermediate", activation=self.activation
        )
        self.output_dense = self._dense(dim, "feedforward_output")
        self.feedforward_norm = self._norm("feedforward_norm")
        self.dropout_layer = keras.layers.Dropout(
            self.dropout, dtype=self.dtype_policy, name="dropout"
        )

        self.self_attention.build(inputs_shape)
        self.self_attention_norm.build(inputs_shape)
        if self.cross_attention is not None:
            self.cross_attention.build(inputs_shape, encoder_outputs_shape)
            self.cross_attention_norm.build(inputs_shape)
        self.intermediate_dense.build(inputs_shape)
        self.output_dense.build(tuple(inputs_shape[:-1]) + (self.intermediate_dim,))
        self.feedforward_norm.build(inputs_shape)

    def _attention(self, name, causal=False):
        return MultiHeadSelfAttention(
            self.num_heads,
            key_dim=self.key_dim,
            dropout=self.dropout,
            causal=causal,
            kernel_initializer=clone_initializer(self.kernel_initializer),
            bias_initializer=clone_initializer(self.bias_initializer),
            dtype=self.dtype_policy,
            name=name,
        )

    def _norm(self, name):
        # LayerNormalization computes in float32 under mixed precision.
        return keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=self.dtype_policy, name=name
        )

    def _dense(self, units, name, activation=None):
        return keras.layers.Dense(
            units,
            activation=activation,
            kernel_initializer=clone_initializer(self.kernel_initializer),
            bias_initializer=clone_initializer(self.bias_initializer),
            dtype=self.dtype_policy,
            name=name,
        )

    def _feedforward(self, x, training):
        """The position-wise network: `dense(dropout(activation(dense(x))))`."""
        x = self.intermediate_dense(x)
        x = self.dropout_layer(x, training=training)
        return self.output_dense(x)

    @staticmethod
    def _resolve_mask(mask, tensor):
        return attached_mask(tensor) if mask is None else mask

    def compute_mask(self, inputs, mask=None, **kwargs):
        return output_mask(inputs, mask)

    def compute_output_shape(self, inputs_shape, *args, **kwargs):
        return inputs_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_heads": self.num_heads,
                "intermediate_dim": self.intermediate_dim,
                "dropout": self.dropout,
                "activation": keras.activations.serialize(self.activation),
                "norm_first": self.norm_first,
                "layer_norm_epsilon": self.layer_norm_epsilon,
                "key_dim": self.key_dim,
                "kernel_initializer": keras.initializers.serialize(
                    self.kernel_initializer
                ),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            }
        )
        return config
