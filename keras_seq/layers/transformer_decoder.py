import functools

import keras

from keras_seq.layers.shape_checks import check_attention_call
from keras_seq.layers.shape_checks import check_sequence
from keras_seq.layers.shape_checks import check_shape
from keras_seq.layers.shape_checks import static_shape
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
    with `encoder_outputs`, and the layer then needs them on every call; a
    layer built without them stays decoder-only and rejects them. Either
    way round, a call that does not match the build raises a ValueError
    (as KerasHub's decoder does) rather than silently dropping or adding
    the cross-attention.

    A query with no key to attend to (a row that is all padding, or one
    whose `encoder_mask` is all False) attends to nothing there (see
    `MultiHeadSelfAttention`): its outputs stay finite and neither they nor
    their gradients reach the other rows.

    With a cache, the self-attention keys are the cache slots: `mask`, if
    given, is `(batch, cache_length)` over the slots (for a left-padded
    prompt), and the Keras mask attached to the new steps is not used.
    Generation of right-padded prompts, read up to the shortest one and
    then one token at a time, needs no mask.

    Args:
        num_heads: as in `TransformerEncoder`.
        intermediate_dim: as in `TransformerEncoder`.
        dropout: as in `TransformerEncoder`.
        activation: as in `TransformerEncoder`.
        norm_first: as in `TransformerEncoder`.
        layer_norm_epsilon: as in `TransformerEncoder`.
        key_dim: as in `TransformerEncoder`.
        kernel_initializer: as in `TransformerEncoder`.
        bias_initializer: as in `TransformerEncoder`.
        **kwargs: standard layer arguments.

    Call arguments:
        inputs: `(batch, time, dim)` decoder sequence.
        encoder_outputs: `(batch, source_time, encoder_dim)`, on every call
            of a layer built with them, never on one built without.
        mask: `(batch, time)` padding mask of `inputs` (default: attached
            mask). With `cache`: `(batch, cache_length)` over the cache
            slots (default: none).
        encoder_mask: `(batch, source_time)` padding mask of `encoder_outputs`
            (default: their attached mask).
        attention_mask: explicit self-attention mask of any shape that
            broadcasts to `(batch, [num_heads,] time, time)` (e.g. `(time,
            time)`), combined with the causal mask. With `cache`: `(batch,
            time, cache_length)` or what broadcasts to it.
        cache: `(batch, 2, heads, cache_length, key_dim)` self-attention
            cache from `init_cache()`; the call then returns
            `(outputs, cache)`.
        cache_index: position of the first step of `inputs` in the cache.
        encoder_key_value: in place of `encoder_outputs`, their
            cross-attention keys and values from `project_encoder_outputs`
            (generation computes them once per source).
        return_attention_scores: also return the causal self-attention
            probabilities, `(batch, heads, time, time)` (with `cache`:
            `(batch, heads, time, cache_length)`), after the outputs and
            the cache.
        training: whether dropout is active.

    Example:

    >>> target = keras.random.normal((2, 5, 16))
    >>> source = keras.random.normal((2, 7, 16))
    >>> decoder = TransformerDecoder(num_heads=2, intermediate_dim=32)
    >>> tuple(decoder(target, encoder_outputs=source).shape)
    (2, 5, 16)
    """

    _causal = True

    def build(self, inputs_shape, encoder_outputs_shape=None):
        check_sequence(self, tuple(inputs_shape))
        if encoder_outputs_shape is not None:
            check_shape(
                self,
                "encoder_outputs",
                tuple(encoder_outputs_shape),
                ("batch", "source_time", "encoder_dim"),
                known=("encoder_dim",),
            )
        self._make_sublayers(inputs_shape, encoder_outputs_shape)

    def init_cache(self, batch_size, max_length):
        """Returns an empty self-attention cache for `max_length` steps."""
        return self.self_attention.init_cache(batch_size, max_length)

    def project_encoder_outputs(self, encoder_outputs):
        """Returns the cross-attention keys and values of `encoder_outputs`.

        Passed as `encoder_key_value` in place of `encoder_outputs`, they
        spare each generation step projecting the same source again.
        """
        return self.cross_attention.project_context(encoder_outputs)

    def _check_call(
        self,
        inputs,
        encoder_outputs,
        mask,
        encoder_mask,
        attention_mask,
        cache,
        cache_index,
        encoder_key_value=None,
    ):
        check_sequence(self, static_shape(inputs), self.dim)
        if encoder_key_value is not None:
            if self.cross_attention is None or encoder_outputs is not None:
                given = "a tensor" if encoder_outputs is not None else None
                raise ValueError(
                    "`encoder_key_value` takes the place of `encoder_outputs`, "
                    "in a TransformerDecoder built with them. Received: "
                    f"encoder_outputs={given}, built with encoder_outputs: "
                    f"{self.cross_attention is not None}"
                )
            # The cross-attention checks it when called.
            encoder_outputs = None
        elif encoder_outputs is not None and self.cross_attention is None:
            raise ValueError(
                "This TransformerDecoder was built without `encoder_outputs` "
                "(decoder-only) and cannot attend to them now. Pass "
                "`encoder_outputs` on its first call. Received: "
                f"encoder_outputs.shape={static_shape(encoder_outputs)}"
            )
        if (
            encoder_outputs is None
            and encoder_key_value is None
            and self.cross_attention is not None
        ):
            raise ValueError(
                "This TransformerDecoder was built with `encoder_outputs` and "
                "needs them on every call: without them its cross-attention "
                "would be skipped. Received: encoder_outputs=None"
            )
        check_attention_call(
            self.self_attention,
            inputs,
            mask=mask,
            attention_mask=attention_mask,
            cache=cache,
            cache_index=cache_index,
            layer=self,
        )
        if encoder_outputs is not None:
            batch = static_shape(inputs)[0]
            encoder_shape = static_shape(encoder_outputs)
            check_shape(
                self,
                "encoder_outputs",
                encoder_shape,
                ("batch", "source_time", "encoder_dim"),
                sizes={"batch": batch, "encoder_dim": self.cross_attention.source_dim},
            )
            check_shape(
                self,
                "encoder_mask",
                static_shape(encoder_mask),
                ("batch", "source_time"),
                sizes={
                    "batch": batch,
                    "source_time": encoder_shape[1] if encoder_shape else None,
                },
            )

    def call(
        self,
        inputs,
        encoder_outputs=None,
        mask=None,
        encoder_mask=None,
        attention_mask=None,
        cache=None,
        cache_index=None,
        encoder_key_value=None,
        return_attention_scores=False,
        training=None,
    ):
        self._check_call(
            inputs,
            encoder_outputs,
            mask,
            encoder_mask,
            attention_mask,
            cache,
            cache_index,
            encoder_key_value,
        )
        if cache is None:
            # With a cache, `mask` covers the cache slots: the mask attached
            # to the new steps is not one of them (see the class docstring).
            mask = self._resolve_mask(mask, inputs)
        attend = functools.partial(
            self._self_attend,
            mask=mask,
            attention_mask=attention_mask,
            cache=cache,
            cache_index=cache_index,
            return_attention_scores=return_attention_scores,
            training=training,
        )
        if encoder_key_value is not None:
            attend_encoder = functools.partial(
                self.cross_attention,
                context_key_value=encoder_key_value,
                context_mask=encoder_mask,
                training=training,
            )
        elif self.cross_attention is not None:
            attend_encoder = functools.partial(
                self.cross_attention,
                context=encoder_outputs,
                context_mask=self._resolve_mask(encoder_mask, encoder_outputs),
                training=training,
            )
        feedforward = functools.partial(self._feedforward, training=training)
        drop = functools.partial(self.dropout_layer, training=training)

        x = inputs
        if self.norm_first:
            attended, cache, scores = attend(self.self_attention_norm(x))
            x = x + drop(attended)
            if self.cross_attention is not None:
                x = x + drop(attend_encoder(self.cross_attention_norm(x)))
            x = x + drop(feedforward(self.feedforward_norm(x)))
        else:
            attended, cache, scores = attend(x)
            x = self.self_attention_norm(x + drop(attended))
            if self.cross_attention is not None:
                x = self.cross_attention_norm(x + drop(attend_encoder(x)))
            x = self.feedforward_norm(x + drop(feedforward(x)))
        returned = (x,) + (() if cache is None else (cache,))
        returned += (scores,) if return_attention_scores else ()
        return returned[0] if len(returned) == 1 else returned

    def _self_attend(self, x, cache, return_attention_scores, **kwargs):
        """Causal self-attention of `x`: `(outputs, cache or None, scores or None)`."""
        returned = self.self_attention(
            x, cache=cache, return_attention_scores=return_attention_scores, **kwargs
        )
        if cache is None and not return_attention_scores:
            return returned, None, None
        if cache is None:
            return returned[0], None, returned[1]
        if not return_attention_scores:
            return returned[0], returned[1], None
        return returned

    def compute_output_spec(
        self,
        inputs,
        encoder_outputs=None,
        mask=None,
        encoder_mask=None,
        attention_mask=None,
        cache=None,
        cache_index=None,
        encoder_key_value=None,
        return_attention_scores=False,
        **kwargs,
    ):
        self._check_call(
            inputs,
            encoder_outputs,
            mask,
            encoder_mask,
            attention_mask,
            cache,
            cache_index,
            encoder_key_value,
        )
        returned = (keras.KerasTensor(inputs.shape, dtype=self.compute_dtype),)
        if cache is not None:
            returned += (keras.KerasTensor(cache.shape, dtype=cache.dtype),)
        if return_attention_scores:
            keys = inputs.shape[1] if cache is None else cache.shape[3]
            shape = (inputs.shape[0], self.num_heads, inputs.shape[1], keys)
            returned += (keras.KerasTensor(shape, dtype=self.compute_dtype),)
        return returned[0] if len(returned) == 1 else returned
