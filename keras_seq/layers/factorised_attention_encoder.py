import functools

import keras
from keras import ops

from keras_seq.layers.initializers import clone_initializer
from keras_seq.layers.multi_head_self_attention import MultiHeadSelfAttention
from keras_seq.layers.shape_checks import check_shape
from keras_seq.layers.shape_checks import static_shape
from keras_seq.layers.transformer_block import TransformerBlock
from keras_seq.utils.validation import check_choice

FACTORISATIONS = ("self_attention", "dot_product")
_AXES = ("batch", "time", "space", "dim")


def attend_over_space(attention, x, **kwargs):
    """`attention` within each time step of `(batch, time, space, dim)` tokens."""
    shape = ops.shape(x)
    y = attention(ops.reshape(x, (-1, shape[2], shape[3])), **kwargs)
    return ops.reshape(y, shape)


def attend_over_time(attention, x, **kwargs):
    """`attention` across time at each position of `(batch, time, space, dim)`."""
    y = attend_over_space(attention, ops.transpose(x, (0, 2, 1, 3)), **kwargs)
    return ops.transpose(y, (0, 2, 1, 3))


@keras.saving.register_keras_serializable(package="keras_seq")
class FactorisedAttentionEncoder(TransformerBlock):
    """A transformer encoder layer whose attention is factorised over space and time.

    Tokens come as a grid `(batch, time, space, dim)` (ViViT's time slots
    of tubelets). Two factorisations of Arnab et al. (2021):

    - `factorisation="self_attention"` (ViViT model 3): self-attention over
      space within each time step, then self-attention over time at each
      spatial position, then the feed-forward network, each a residual
      sublayer with its own layer normalization.
    - `factorisation="dot_product"` (ViViT model 4): one attention sublayer
      in which half the heads attend over space and half over time; the
      heads are concatenated and projected. `self_attention` holds the
      spatial heads and `temporal_attention` the temporal ones, each with
      its half of the query, key, value and output kernels: concatenating
      the heads and projecting is the sum of the two halves' projections.
      (Each half has its output bias: their sum is the one bias.)

    Both sublayers are `MultiHeadSelfAttention` layers on the grid folded
    into sequences, so the fused kernel runs on `time` or `space` tokens at
    a time, never on `time * space`. Videos have no padding: masks are not
    taken.

    Args:
        num_heads: attention heads of each attention sublayer; with
            `factorisation="dot_product"`, of the one sublayer, split in
            half (it must be even).
        intermediate_dim: hidden size of the feed-forward network.
        factorisation: `"self_attention"` or `"dot_product"`.
        dropout: dropout rate of the attention probabilities, the
            feed-forward hidden layer and each sublayer output.
        activation: activation of the feed-forward hidden layer.
        norm_first: pre-norm (True, as in ViViT) or post-norm (False).
        layer_norm_epsilon: epsilon of the layer normalizations.
        key_dim: size of each attention head (default `dim // num_heads`).
        kernel_initializer, bias_initializer: initializers of the dense layers.
        **kwargs: standard layer arguments.

    Call arguments:
        inputs: `(batch, time, space, dim)`.
        training: whether dropout is active.

    Example:

    >>> tokens = keras.random.normal((2, 4, 9, 16))
    >>> layer = FactorisedAttentionEncoder(2, 32, factorisation="dot_product")
    >>> tuple(layer(tokens).shape)
    (2, 4, 9, 16)
    """

    def __init__(
        self, num_heads, intermediate_dim, factorisation="self_attention", **kwargs
    ):
        super().__init__(num_heads, intermediate_dim, **kwargs)
        check_choice("factorisation", factorisation, FACTORISATIONS)
        if factorisation == "dot_product" and self.num_heads % 2:
            raise ValueError(
                "`factorisation='dot_product'` gives half the heads to space and "
                "half to time: `num_heads` must be even. Received: "
                f"num_heads={self.num_heads}"
            )
        self.factorisation = factorisation
        self.supports_masking = False

    def build(self, inputs_shape):
        inputs_shape = tuple(inputs_shape)
        check_shape(self, "inputs", inputs_shape, _AXES, known=("dim",))
        if self.key_dim is None and inputs_shape[-1] % self.num_heads:
            raise ValueError(
                "Without `key_dim`, `num_heads` must divide the input size. "
                f"Received: num_heads={self.num_heads}, inputs.shape={inputs_shape}"
            )
        sequence_shape = (None, None, inputs_shape[-1])
        self._make_sublayers(sequence_shape)
        self.temporal_attention = self._attention("temporal_attention")
        self.temporal_attention.build(sequence_shape)
        self.temporal_attention_norm = None
        if self.factorisation == "self_attention":
            self.temporal_attention_norm = self._norm("temporal_attention_norm")
            self.temporal_attention_norm.build(sequence_shape)

    def _attention(self, name, causal=False):
        heads = self.num_heads
        if self.factorisation == "dot_product":
            heads //= 2
        return MultiHeadSelfAttention(
            heads,
            # Each head keeps the size it has among all `num_heads`.
            key_dim=self.key_dim or self.dim // self.num_heads,
            dropout=self.dropout,
            kernel_initializer=clone_initializer(self.kernel_initializer),
            bias_initializer=clone_initializer(self.bias_initializer),
            dtype=self.dtype_policy,
            name=name,
        )

    def call(self, inputs, training=None):
        check_shape(
            self, "inputs", static_shape(inputs), _AXES, sizes={"dim": self.dim}
        )
        over_space = functools.partial(
            attend_over_space, self.self_attention, training=training
        )
        over_time = functools.partial(
            attend_over_time, self.temporal_attention, training=training
        )
        if self.factorisation == "self_attention":
            sublayers = (
                (self.self_attention_norm, over_space),
                (self.temporal_attention_norm, over_time),
            )
        else:
            sublayers = (
                (self.self_attention_norm, lambda y: over_space(y) + over_time(y)),
            )
        feedforward = functools.partial(self._feedforward, training=training)
        drop = functools.partial(self.dropout_layer, training=training)

        x = inputs
        for norm, sublayer in (*sublayers, (self.feedforward_norm, feedforward)):
            if self.norm_first:
                x = x + drop(sublayer(norm(x)))
            else:
                x = norm(x + drop(sublayer(x)))
        return x

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config["factorisation"] = self.factorisation
        return config
