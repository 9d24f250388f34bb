import keras

from keras_seq.layers.masking import attached_mask
from keras_seq.layers.multi_head_self_attention import MultiHeadSelfAttention
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate


class TransformerBlock(keras.layers.Layer):
    """What the encoder and decoder layers share.

    The sublayer wiring (residual connection, dropout and layer
    normalization, post-norm or pre-norm), the feed-forward network, the
    validation of the common arguments and their config. Subclasses add
    their attention sublayers.
    """

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
        check_positive_int("intermediate_dim", intermediate_dim)
        check_rate("dropout", dropout)
        self.num_heads = num_heads
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout
        self.activation = keras.activations.get(activation)
        self.norm_first = norm_first
        self.layer_norm_epsilon = layer_norm_epsilon
        self.key_dim = key_dim
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.supports_masking = True
        # Built here so a bad `num_heads` fails at construction.
        self.self_attention = self._attention("self_attention", causal=self._causal)
        self.self_attention_norm = self._norm("self_attention_norm")
        self.intermediate_dense = self._dense(
            intermediate_dim, "intermediate", activation=self.activation
        )
        self.output_dense = None
        self.feedforward_norm = self._norm("feedforward_norm")
        self.dropout_layer = keras.layers.Dropout(dropout, dtype=self.dtype_policy)

    _causal = False

    def _attention(self, name, causal=False):
        return MultiHeadSelfAttention(
            self.num_heads,
            key_dim=self.key_dim,
            dropout=self.dropout,
            causal=causal,
            kernel_initializer=self.kernel_initializer,
            bias_initializer=self.bias_initializer,
            dtype=self.dtype_policy,
            name=name,
        )

    def _norm(self, name):
        return keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=self.dtype_policy, name=name
        )

    def _dense(self, units, name, activation=None):
        return keras.layers.Dense(
            units,
            activation=activation,
            kernel_initializer=self.kernel_initializer,
            bias_initializer=self.bias_initializer,
            dtype=self.dtype_policy,
            name=name,
        )

    def _build_feedforward(self, inputs_shape):
        dim = inputs_shape[-1]
        self.intermediate_dense.build(inputs_shape)
        self.output_dense = self._dense(dim, "feedforward_output")
        self.output_dense.build(tuple(inputs_shape[:-1]) + (self.intermediate_dim,))
        self.self_attention_norm.build(inputs_shape)
        self.feedforward_norm.build(inputs_shape)

    def _residual(self, x, norm, sublayer, training):
        """`x + dropout(sublayer(x))`, normalized after (post-norm) or before."""
        y = norm(x) if self.norm_first else x
        y, extra = sublayer(y)
        x = x + self.dropout_layer(y, training=training)
        return (x if self.norm_first else norm(x)), extra

    def _feedforward(self, x, training):
        def block(y):
            y = self.intermediate_dense(y)
            y = self.dropout_layer(y, training=training)
            return self.output_dense(y), None

        return self._residual(x, self.feedforward_norm, block, training)[0]

    @staticmethod
    def _resolve_mask(mask, tensor):
        return attached_mask(tensor) if mask is None else mask

    def compute_mask(self, inputs, mask=None, **kwargs):
        return mask

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
