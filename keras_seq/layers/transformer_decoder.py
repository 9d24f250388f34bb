import keras

from keras_seq.layers.transformer_block import TransformerBlock


@keras.saving.register_keras_serializable(package="keras_seq")
class TransformerDecoder(TransformerBlock):
    """One transformer decoder layer.

    Causal self-attention, then (when `encoder_outputs` are given)
    attention over the encoder outputs, then a feed-forward network; each
    with a residual connection and layer normalization (post-norm by
    default, pre-norm with `norm_first=True`). Without `encoder_outputs` it
    is a decoder-only (GPT-style) layer. The self-attention takes a
    key/value cache for generation one token at a time.

    The cross-attention sublayer is created when the layer is first built
    with `encoder_outputs`; a layer built without them stays decoder-only.

    Args:
        num_heads, intermediate_dim, dropout, activation, norm_first,
        layer_norm_epsilon, key_dim, kernel_initializer, bias_initializer:
            as in `TransformerEncoder`.
        **kwargs: standard layer arguments.

    Call arguments:
        inputs: `(batch, time, dim)` decoder sequence.
        encoder_outputs: optional `(batch, source_time, dim)`.
        mask: `(batch, time)` padding mask of `inputs` (default: attached mask).
        encoder_mask: `(batch, source_time)` padding mask of `encoder_outputs`
            (default: their attached mask).
        attention_mask: `(batch, time, time)` explicit self-attention mask,
            combined with the causal mask.
        cache: `(batch, 2, max_length, heads, key_dim)` self-attention cache
            from `init_cache()`; the call then returns `(outputs, cache)`.
        cache_index: position of the first step of `inputs` in the cache.
        training: whether dropout is active.

    Example:

    >>> target = keras.random.normal((2, 5, 16))
    >>> source = keras.random.normal((2, 7, 16))
    >>> decoder = TransformerDecoder(num_heads=2, intermediate_dim=32)
    >>> decoder(target, encoder_outputs=source).shape
    (2, 5, 16)
    """

    _causal = True

    def build(self, inputs_shape, encoder_outputs_shape=None):
        self.self_attention.build(inputs_shape)
        self.cross_attention = None
        if encoder_outputs_shape is not None:
            self.cross_attention = self._attention("cross_attention")
            self.cross_attention.build(inputs_shape, encoder_outputs_shape)
            self.cross_attention_norm = self._norm("cross_attention_norm")
            self.cross_attention_norm.build(inputs_shape)
        self._build_feedforward(inputs_shape)

    def init_cache(self, batch_size, max_length):
        """Returns an empty self-attention cache for `max_length` steps."""
        return self.self_attention.init_cache(batch_size, max_length)

    def call(
        self,
        inputs,
        encoder_outputs=None,
        mask=None,
        encoder_mask=None,
        attention_mask=None,
        cache=None,
        cache_index=None,
        training=None,
    ):
        mask = self._resolve_mask(mask, inputs)

        def attend_self(x):
            outputs = self.self_attention(
                x,
                mask=mask,
                attention_mask=attention_mask,
                cache=cache,
                cache_index=cache_index,
                training=training,
            )
            return outputs if cache is not None else (outputs, None)

        x, cache = self._residual(
            inputs, self.self_attention_norm, attend_self, training
        )
        if encoder_outputs is not None:
            if self.cross_attention is None:
                raise ValueError(
                    "This TransformerDecoder was built without `encoder_outputs` "
                    "(decoder-only) and cannot attend to them now. Pass "
                    "`encoder_outputs` on its first call."
                )
            encoder_mask = self._resolve_mask(encoder_mask, encoder_outputs)

            def attend_encoder(x):
                return self.cross_attention(
                    x,
                    context=encoder_outputs,
                    context_mask=encoder_mask,
                    training=training,
                ), None

            x, _ = self._residual(
                x, self.cross_attention_norm, attend_encoder, training
            )
        x = self._feedforward(x, training)
        return x if cache is None else (x, cache)

    def compute_output_spec(self, inputs, cache=None, **kwargs):
        outputs = keras.KerasTensor(inputs.shape, dtype=self.compute_dtype)
        if cache is None:
            return outputs
        return outputs, keras.KerasTensor(cache.shape, dtype=cache.dtype)
