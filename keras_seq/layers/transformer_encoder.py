import keras

from keras_seq.layers.transformer_block import TransformerBlock


@keras.saving.register_keras_serializable(package="keras_seq")
class TransformerEncoder(TransformerBlock):
    """One transformer encoder layer: self-attention, then a feed-forward network.

    Each of the two sublayers has a residual connection and layer
    normalization: after the residual sum by default (post-norm, as in
    Vaswani et al.), or before the sublayer with `norm_first=True`
    (pre-norm, which trains deep stacks more stably). Padded steps are
    never attended to; their own outputs are finite but meaningless, and
    the padding mask passes on.

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
        attention_mask: `(batch, time, time)` explicit attention mask.
        return_attention_scores: also return `(batch, heads, time, time)`
            attention probabilities.
        training: whether dropout is active.

    Example:

    >>> ids = keras.ops.array([[4, 8, 15, 0]])
    >>> x = TokenAndPositionEmbedding(100, 8, 16)(ids)
    >>> TransformerEncoder(num_heads=2, intermediate_dim=32)(x).shape
    (1, 4, 16)
    """

    def build(self, inputs_shape):
        self.self_attention.build(inputs_shape)
        self._build_feedforward(inputs_shape)

    def call(
        self,
        inputs,
        mask=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
    ):
        mask = self._resolve_mask(mask, inputs)

        def attend(x):
            outputs = self.self_attention(
                x,
                mask=mask,
                attention_mask=attention_mask,
                return_attention_scores=return_attention_scores,
                training=training,
            )
            return outputs if return_attention_scores else (outputs, None)

        x, scores = self._residual(inputs, self.self_attention_norm, attend, training)
        x = self._feedforward(x, training)
        return (x, scores) if return_attention_scores else x

    def compute_output_spec(self, inputs, return_attention_scores=False, **kwargs):
        outputs = keras.KerasTensor(inputs.shape, dtype=self.compute_dtype)
        if not return_attention_scores:
            return outputs
        batch, time = inputs.shape[0], inputs.shape[1]
        scores = keras.KerasTensor(
            (batch, self.num_heads, time, time), dtype=self.compute_dtype
        )
        return outputs, scores
