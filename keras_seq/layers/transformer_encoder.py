import functools

import keras

from keras_seq.layers.shape_checks import check_attention_call
from keras_seq.layers.shape_checks import check_sequence
from keras_seq.layers.shape_checks import static_shape
from keras_seq.layers.transformer_block import TransformerBlock


@keras.saving.register_keras_serializable(package="keras_seq")
class TransformerEncoder(TransformerBlock):
    """One transformer encoder layer: self-attention, then a feed-forward network.

    Each of the two sublayers has a residual connection and layer
    normalization: after the residual sum by default (post-norm, as in
    Vaswani et al.), or before the sublayer with `norm_first=True`
    (pre-norm, which trains deep stacks more stably). Padded steps are
    never attended to; their own outputs are finite but meaningless, and
    the padding mask passes on. A row that is all padding attends to
    nothing (see `MultiHeadSelfAttention`): its outputs stay finite and
    neither they nor their gradients reach the other rows.

    Args:
        num_heads: number of attention heads.
        intermediate_dim: hidden size of the feed-forward network.
        dropout: dropout rate of the attention probabilities, the
            feed-forward hidden layer and each sublayer output.
        activation: activation of the feed-forward hidden layer.
        norm_first: pre-norm (True) or post-norm (False).
        layer_norm_epsilon: epsilon of the layer normalizations.
        key_dim: size of each attention head (default `dim // num_heads`).
        kernel_initializer, bias_initializer: initializers of the dense layers.
        **kwargs: standard layer arguments.

    Call arguments:
        inputs: `(batch, time, dim)`.
        mask: `(batch, time)` booleans, True = real step. Defaults to the
            Keras mask attached to `inputs`.
        attention_mask: explicit attention mask of any shape that
            broadcasts to `(batch, [num_heads,] time, time)`, e.g.
            `(batch, time, time)`, `(1, time, time)` or `(time, time)`.
        return_attention_scores: also return `(batch, heads, time, time)`
            attention probabilities.
        training: whether dropout is active.

    Example:

    >>> from keras_seq.layers import TokenAndPositionEmbedding
    >>> ids = np.array([[4, 8, 15, 0]])
    >>> x = TokenAndPositionEmbedding(100, 8, 16)(ids)
    >>> tuple(TransformerEncoder(num_heads=2, intermediate_dim=32)(x).shape)
    (1, 4, 16)
    """

    def build(self, inputs_shape):
        check_sequence(self, tuple(inputs_shape))
        self._make_sublayers(inputs_shape)

    def _check_call(self, inputs, mask, attention_mask):
        check_sequence(self, static_shape(inputs), self.dim)
        check_attention_call(
            self.self_attention,
            inputs,
            mask=mask,
            attention_mask=attention_mask,
            layer=self,
        )

    def call(
        self,
        inputs,
        mask=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
    ):
        self._check_call(inputs, mask, attention_mask)
        attend = functools.partial(
            self._self_attend,
            mask=self._resolve_mask(mask, inputs),
            attention_mask=attention_mask,
            return_attention_scores=return_attention_scores,
            training=training,
        )
        feedforward = functools.partial(self._feedforward, training=training)
        drop = functools.partial(self.dropout_layer, training=training)

        x = inputs
        if self.norm_first:
            attended, scores = attend(self.self_attention_norm(x))
            x = x + drop(attended)
            x = x + drop(feedforward(self.feedforward_norm(x)))
        else:
            attended, scores = attend(x)
            x = self.self_attention_norm(x + drop(attended))
            x = self.feedforward_norm(x + drop(feedforward(x)))
        return (x, scores) if return_attention_scores else x

    def _self_attend(self, x, return_attention_scores, **kwargs):
        """Self-attention of `x`: `(outputs, scores or None)`."""
        outputs = self.self_attention(
            x, return_attention_scores=return_attention_scores, **kwargs
        )
        return outputs if return_attention_scores else (outputs, None)

    def compute_output_spec(
        self,
        inputs,
        mask=None,
        attention_mask=None,
        return_attention_scores=False,
        **kwargs,
    ):
        self._check_call(inputs, mask, attention_mask)
        outputs = keras.KerasTensor(inputs.shape, dtype=self.compute_dtype)
        if not return_attention_scores:
            return outputs
        batch, time = inputs.shape[0], inputs.shape[1]
        scores = keras.KerasTensor(
            (batch, self.num_heads, time, time), dtype=self.compute_dtype
        )
        return outputs, scores
