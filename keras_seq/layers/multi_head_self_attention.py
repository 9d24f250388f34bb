"""Multi-head scaled dot-product attention, on the backend's fused kernel."""

import keras
from keras import ops

from keras_seq.backend import support
from keras_seq.backend.tensorflow.collective_keys import separate_collective_keys
from keras_seq.layers.cache_reads import read_filled
from keras_seq.layers.cache_writes import write_steps
from keras_seq.layers.initializers import clone_initializer
from keras_seq.layers.masking import attached_mask
from keras_seq.layers.masking import combine_attention_masks
from keras_seq.layers.masking import fold_causal
from keras_seq.layers.masking import guard_empty_rows
from keras_seq.layers.masking import mask_of_cache_slots
from keras_seq.layers.masking import output_mask
from keras_seq.layers.masking import zero_unattendable
from keras_seq.layers.shape_checks import check_attention_build
from keras_seq.layers.shape_checks import check_attention_call
from keras_seq.layers.shape_checks import check_projected_context_call
from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate

MERGE_MODES = ("concat", "sum", "mean")


@keras.saving.register_keras_serializable(package="keras_seq")
class MultiHeadSelfAttention(keras.layers.Layer):
    """Multi-head scaled dot-product attention of a sequence over itself.

    Queries, keys and values are projected from the input (self-attention),
    or keys and values from `context` (encoder-decoder attention). Masks are
    booleans, True = attend: the padding masks of the input and the context
    (Keras masks, attached by a `mask_zero=True` embedding, or passed), the
    causal mask, and an explicit `attention_mask` combine in
    `keras_seq.layers.masking`.

    Without `return_attention_scores` the layer calls
    `keras.ops.dot_product_attention`, so each backend runs its fused
    kernel (flash attention where the hardware has it). With it, the
    probabilities are computed explicitly and returned. Attention dropout
    during training also takes the explicit path, and so does decoding
    over a cache on TensorFlow
    (`keras_seq.backend.support.fused_attention_reads_heads_first`).

    A query with no key to attend to (every query of a row that is all
    padding, or with `causal=True` the queries before a left-padded row's
    first real token) attends to nothing: its heads are zero, so the layer
    outputs the output projection's bias there, and its attention
    probabilities are all zero. Its output and gradients stay finite and
    never reach the other rows.

    With a cache (generation one step at a time) the keys are the cache
    slots, so `mask` must cover the slots, `(batch, cache_length)`, not the
    new steps: a left-padded prompt is masked in every later step too. The
    Keras mask attached to the new steps (as a `mask_zero=True` embedding
    attaches it) covers only those steps and is not used; without `mask`
    every slot up to the current step is attended, which is right for
    right-padded prompts read up to the shortest one.

    Args:
        num_heads: number of attention heads.
        key_dim: size of each query and key head. Defaults to
            `input_dim // num_heads`.
        value_dim: size of each value head. Defaults to `key_dim`.
        output_dim: size of the output features. Defaults to the input's.
        dropout: dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        causal: whether step `t` may only attend to steps `<= t`.
        merge: how head results are merged: `"concat"` (concatenate and
            project, the standard), `"sum"` or `"mean"` (reduce the heads,
            then project with one `(value_dim, output_dim)` kernel).
        kernel_initializer, bias_initializer: initializers of the projections.
        **kwargs: standard layer arguments.

    Call arguments:
        inputs: `(batch, time, dim)` queries (and keys and values, without
            `context`).
        context: optional `(batch, source_time, context_dim)` keys and values.
        mask: `(batch, time)` padding mask of `inputs` (default: the Keras
            mask attached to `inputs`). Without `context` it also masks the
            keys. With `cache`, `(batch, cache_length)` over the cache slots.
        context_mask: `(batch, source_time)` padding mask of `context`
            (default: the mask attached to `context`).
        attention_mask: explicit boolean mask of any shape that broadcasts
            to `(batch, [num_heads,] time, source_time)`, as in
            `keras.layers.MultiHeadAttention`: `(batch, time,
            source_time)`, `(batch, 1 or num_heads, time, source_time)`,
            `(time, source_time)`, `(1, time, source_time)`, any axis
            possibly 1. With `cache`, `source_time` is `cache_length`.
        return_attention_scores: also return the attention probabilities,
            `(batch, num_heads, time, source_time)`.
        cache: `(batch, 2, num_heads, cache_length, key_dim)` stacked keys
            and values of earlier steps, heads first, from `init_cache()`.
            With a cache the call returns `(outputs, updated_cache)`; under
            PyTorch with no gradient recorded the cache passed in is
            updated in place (see `keras_seq.layers.cache_writes`).
        cache_index: position of the first step of `inputs` in the cache
            (an int or a scalar tensor).
        context_key_value: in place of `context`, its keys and values
            already projected by `project_context(context)`, `(batch, 2,
            num_heads, source_time, key_dim)`; `context_mask` masks them.
        training: whether dropout is active.

    Example:

    >>> x = keras.random.normal((2, 6, 16))
    >>> attention = MultiHeadSelfAttention(num_heads=4, causal=True)
    >>> tuple(attention(x).shape)
    (2, 6, 16)
    >>> outputs, scores = attention(x, return_attention_scores=True)
    >>> tuple(scores.shape)
    (2, 4, 6, 6)
    """

    def __init__(
        self,
        num_heads,
        key_dim=None,
        value_dim=None,
        output_dim=None,
        dropout=0.0,
        use_bias=True,
        causal=False,
        merge="concat",
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        num_heads = check_positive_int("num_heads", num_heads)
        key_dim = check_positive_int("key_dim", key_dim, allow_none=True)
        value_dim = check_positive_int("value_dim", value_dim, allow_none=True)
        output_dim = check_positive_int("output_dim", output_dim, allow_none=True)
        dropout = check_rate("dropout", dropout)
        check_choice("merge", merge, MERGE_MODES)
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.value_dim = value_dim
        self.output_dim = output_dim
        self.dropout = dropout
        self.use_bias = use_bias
        self.causal = causal
        self.merge = merge
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.supports_masking = True
        self.dropout_layer = keras.layers.Dropout(dropout, dtype=self.dtype_policy)

    def _projection(self, name, equation, output_shape, bias_axes):
        projection = keras.layers.EinsumDense(
            equation,
            output_shape=output_shape,
            bias_axes=bias_axes if self.use_bias else None,
            kernel_initializer=clone_initializer(self.kernel_initializer),
            bias_initializer=clone_initializer(self.bias_initializer),
            dtype=self.dtype_policy,
            name=name,
        )
        # Projections act on each step alone, so the padding mask stays valid.
        projection.supports_masking = True
        return projection

    def build(self, inputs_shape, context_shape=None):
        separate_collective_keys()
        inputs_shape = tuple(inputs_shape)
        if context_shape is not None:
            context_shape = tuple(context_shape)
        check_attention_build(self, inputs_shape, context_shape)
        input_dim = inputs_shape[-1]
        source_shape = inputs_shape if context_shape is None else context_shape
        self.input_dim = input_dim
        # Keys and values are projected from this size, whatever the call.
        self.source_dim = source_shape[-1]
        self.head_key_dim = self.key_dim or input_dim // self.num_heads
        self.head_value_dim = self.value_dim or self.head_key_dim
        self.head_output_dim = self.output_dim or input_dim
        heads = self.num_heads
        key_dim, value_dim = self.head_key_dim, self.head_value_dim
        self.query_dense = self._projection(
            "query", "btd,dnh->btnh", (None, heads, key_dim), "nh"
        )
        self.key_dense = self._projection(
            "key", "bsd,dnh->bsnh", (None, heads, key_dim), "nh"
        )
        self.value_dense = self._projection(
            "value", "bsd,dnh->bsnh", (None, heads, value_dim), "nh"
        )
        self.query_dense.build(inputs_shape)
        self.key_dense.build(source_shape)
        self.value_dense.build(source_shape)
        if self.merge == "concat":
            self.output_dense = self._projection(
                "output", "btnh,nhd->btd", (None, self.head_output_dim), "d"
            )
            self.output_dense.build((None, None, heads, value_dim))
        else:
            self.output_dense = self._projection(
                "output", "bth,hd->btd", (None, self.head_output_dim), "d"
            )
            self.output_dense.build((None, None, value_dim))

    def init_cache(self, batch_size, max_length):
        """Returns an empty key/value cache for `max_length` decoding steps."""
        if self.head_key_dim != self.head_value_dim:
            raise ValueError(
                "A key/value cache needs `key_dim == value_dim`. Received: "
                f"key_dim={self.head_key_dim}, value_dim={self.head_value_dim}"
            )
        shape = (batch_size, 2, self.num_heads, max_length, self.head_key_dim)
        return ops.zeros(shape, dtype=self.compute_dtype)

    def call(
        self,
        inputs,
        context=None,
        mask=None,
        context_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        cache=None,
        cache_index=None,
        context_key_value=None,
        training=None,
    ):
        if context_key_value is not None:
            check_projected_context_call(
                self, inputs, context, context_mask, cache, context_key_value
            )
            query = self.query_dense(inputs)
            key, value = context_key_value[:, 0], context_key_value[:, 1]
        else:
            mask = mask_of_cache_slots(mask, inputs, cache)
            check_attention_call(
                self,
                inputs,
                context,
                mask,
                context_mask,
                attention_mask,
                cache,
                cache_index,
            )
            if cache is None and mask is None:
                mask = attached_mask(inputs)
            if context is None:
                # Self-attention: the padding mask of the inputs (or, with a
                # cache, of the cache slots) masks the keys.
                context, context_mask = inputs, mask
            elif context_mask is None:
                context_mask = attached_mask(context)
            query = self.query_dense(inputs)
            key = self.key_dense(context)
            value = self.value_dense(context)
            if cache is not None:
                cache = write_steps(cache, _heads_first(key, value), cache_index)
                outputs = self._attend_over_cache(
                    query,
                    cache,
                    cache_index,
                    context_mask,
                    attention_mask,
                    return_attention_scores,
                    training,
                )
                if return_attention_scores:
                    return outputs[0], cache, outputs[1]
                return outputs, cache
        return self._attend(
            query,
            key,
            value,
            context_mask,
            attention_mask,
            None,
            return_attention_scores,
            training,
            heads_first=context_key_value is not None,
        )

    def _attend_over_cache(
        self,
        query,
        cache,
        cache_index,
        mask,
        attention_mask,
        return_attention_scores,
        training,
    ):
        """Attention of the new steps over the filled slots of `cache`.

        Only the filled part is read, in a few fixed lengths
        (`keras_seq.layers.cache_reads`); the slots past the new steps are
        empty, and a causal mask keeps every query away from them.
        Scores, if returned, cover every slot.
        """
        cache_length = ops.shape(cache)[3]

        def attend(length):
            outputs = self._attend(
                query,
                cache[:, 0, :, :length],
                cache[:, 1, :, :length],
                None if mask is None else mask[:, :length],
                None if attention_mask is None else attention_mask[..., :length],
                cache_index,
                return_attention_scores,
                training,
                heads_first=True,
            )
            if not return_attention_scores:
                return outputs
            outputs, scores = outputs
            padding = ((0, 0), (0, 0), (0, 0), (0, cache_length - length))
            return outputs, ops.pad(scores, padding)

        return read_filled(attend, cache_length, cache_index + ops.shape(query)[1])

    def project_context(self, context):
        """Returns the keys and values of `context`, to pass as `context_key_value`.

        Encoder-decoder attention during generation reads the same context
        at every step: projected once, it costs each step only its query.

        Args:
            context: `(batch, source_time, context_dim)`.

        Returns:
            `(batch, 2, num_heads, source_time, key_dim)` stacked keys and
            values, heads first as in a cache.
        """
        return _heads_first(self.key_dense(context), self.value_dense(context))

    def _attend(
        self,
        query,
        key,
        value,
        context_mask,
        attention_mask,
        query_offset,
        return_attention_scores,
        training,
        heads_first=False,
    ):
        """Attention of projected queries over projected keys and values.

        `query` is `(batch, time, heads, dim)`; `key` and `value` the same,
        or with `heads_first` `(batch, heads, source_time, dim)`.
        """
        query_length = ops.shape(query)[1]
        key_length = ops.shape(key)[2 if heads_first else 1]
        mask, is_causal = combine_attention_masks(
            key_padding_mask=context_mask,
            attention_mask=attention_mask,
            causal=self.causal or query_offset is not None,
            query_length=query_length,
            key_length=key_length,
            query_offset=query_offset,
        )
        # The fused kernels have no dropout, JAX's needs equal key and value
        # head sizes, and not every platform has every dtype: those cases
        # take the explicit path.
        use_explicit = (
            return_attention_scores
            or (training and self.dropout > 0)
            or self.head_key_dim != self.head_value_dim
            or not support.fused_attention_runs(self.compute_dtype)
            or (heads_first and not support.fused_attention_reads_heads_first())
        )
        if is_causal and (use_explicit or attention_mask is not None):
            # The mask is dense anyway: one mask holds every rule.
            mask, is_causal = fold_causal(mask, query_length, key_length), False
        mask, attendable = guard_empty_rows(mask, is_causal, query_length, key_length)
        if use_explicit:
            heads, scores = self._explicit_attention(
                query, key, value, mask, attendable, training, heads_first
            )
        else:
            if heads_first:
                # Views: the kernel reads them heads first again.
                key = ops.transpose(key, (0, 2, 1, 3))
                value = ops.transpose(value, (0, 2, 1, 3))
            heads = ops.dot_product_attention(
                query,
                key,
                value,
                mask=support.fused_attention_mask(mask, query_length, key_length),
                scale=1.0 / self.head_key_dim**0.5,
                is_causal=is_causal,
            )
            heads = zero_unattendable(heads, attendable)
        outputs = self._merge_heads(heads)
        return (outputs, scores) if return_attention_scores else outputs

    def _explicit_attention(
        self, query, key, value, mask, attendable, training, heads_first=False
    ):
        """Attention with the probabilities materialised (for plots and dropout)."""
        keys = "bnsh" if heads_first else "bsnh"
        logits = ops.einsum(f"btnh,{keys}->bnts", query, key) / ops.cast(
            self.head_key_dim**0.5, query.dtype
        )
        # Softmax in float32: float16 cannot hold the large negative fill.
        logits = ops.cast(logits, "float32")
        if mask is not None:
            logits = ops.where(mask, logits, -1e9)
        probabilities = ops.softmax(logits, axis=-1)
        if attendable is not None:
            # A query with no key attends to nothing.
            probabilities = ops.where(
                attendable, probabilities, ops.zeros_like(probabilities)
            )
        scores = ops.cast(probabilities, query.dtype)
        dropped = self.dropout_layer(scores, training=training)
        heads = ops.einsum(f"bnts,{keys}->btnh", dropped, value)
        return heads, scores

    def _merge_heads(self, heads):
        if self.merge == "sum":
            heads = ops.sum(heads, axis=2)
        elif self.merge == "mean":
            heads = ops.mean(heads, axis=2)
        return self.output_dense(heads)

    def compute_mask(self, inputs, mask=None):
        return output_mask(inputs, mask)

    def compute_output_shape(self, inputs_shape, context_shape=None):
        output_dim = self.output_dim or inputs_shape[-1]
        return tuple(inputs_shape[:-1]) + (output_dim,)

    def compute_output_spec(
        self,
        inputs,
        context=None,
        mask=None,
        context_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        cache=None,
        cache_index=None,
        **kwargs,
    ):
        mask = mask_of_cache_slots(mask, inputs, cache)
        check_attention_call(
            self,
            inputs,
            context,
            mask,
            context_mask,
            attention_mask,
            cache,
            cache_index,
        )
        outputs = keras.KerasTensor(
            self.compute_output_shape(inputs.shape), dtype=self.compute_dtype
        )
        if cache is not None:
            outputs = (outputs, keras.KerasTensor(cache.shape, dtype=cache.dtype))
        if return_attention_scores:
            if cache is not None:
                source_time = cache.shape[3]
            else:
                source_time = (inputs if context is None else context).shape[1]
            scores = keras.KerasTensor(
                (inputs.shape[0], self.num_heads, inputs.shape[1], source_time),
                dtype=self.compute_dtype,
            )
            outputs = (outputs, scores) if cache is None else outputs + (scores,)
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_heads": self.num_heads,
                "key_dim": self.key_dim,
                "value_dim": self.value_dim,
                "output_dim": self.output_dim,
                "dropout": self.dropout,
                "use_bias": self.use_bias,
                "causal": self.causal,
                "merge": self.merge,
                "kernel_initializer": keras.initializers.serialize(
                    self.kernel_initializer
                ),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            }
        )
        return config


def _heads_first(key, value):
    """Stacks `(batch, time, heads, dim)` keys and values as in a cache."""
    return ops.transpose(ops.stack((key, value), axis=1), (0, 1, 3, 2, 4))
