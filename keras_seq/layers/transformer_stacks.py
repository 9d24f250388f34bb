"""Stacks of pre-norm transformer layers, and cached decoding through them.

Both stacks are Keras layers: they sit in a task model's functional graph,
serialize with it, honour its dtype policy and pass padding masks on. The
decoder stack also runs generation one token at a time with a key/value
cache (`init_cache`, `prefill`, `call_with_cache`). Called with
`return_attention_scores=True`, either stack also returns every layer's
self-attention probabilities, for visualisation.
"""

import keras
from keras import ops

from keras_seq.layers.token_and_position_embedding import TokenAndPositionEmbedding
from keras_seq.layers.transformer_block import get_activation
from keras_seq.layers.transformer_decoder import TransformerDecoder
from keras_seq.layers.transformer_encoder import TransformerEncoder
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate

# Pre-norm stacks never normalize their residual stream: a final layer
# normalization does.
_NORM_EPSILON = 1e-5
# The logit of the padding id under tied embeddings: probability 0 after
# a float32 softmax, yet finite.
_PADDING_LOGIT = -1e9


def _stack_layers(
    layer_class,
    num_layers,
    num_heads,
    intermediate_dim,
    dropout,
    activation,
    layer_norm_epsilon,
    dtype,
    norm_first=True,
):
    num_layers = check_positive_int("num_layers", num_layers)
    dropout = check_rate("dropout", dropout)
    return [
        layer_class(
            num_heads,
            intermediate_dim,
            dropout=dropout,
            activation=activation,
            norm_first=norm_first,
            layer_norm_epsilon=layer_norm_epsilon,
            dtype=dtype,
            name=f"layer_{index}",
        )
        for index in range(num_layers)
    ]


def _scores_spec(stack, batch_and_time):
    """One `(batch, num_heads, time, time)` spec per layer of `stack`."""
    batch, time = batch_and_time
    shape = (batch, stack.num_heads, time, time)
    return tuple(
        keras.KerasTensor(shape, dtype=stack.compute_dtype)
        for _ in stack.transformer_layers
    )


@keras.saving.register_keras_serializable(package="keras_seq")
class TransformerEncoderStack(keras.layers.Layer):
    """`num_layers` pre-norm transformer layers and a final normalization.

    With `norm_first=False` the layers are post-norm (BERT's): each
    normalizes its own output, so the stack has no final normalization.

    `TransformerEncoder` layers, each step attending to the whole sequence;
    with `causal=True`, decoder-only `TransformerDecoder` layers, each step
    attending to itself and the steps before it (forecasting, taggers that
    must not see ahead). The padding mask of the input (attached by a
    `mask_zero=True` embedding, or passed) is honoured and passed on.

    Args:
        num_layers, num_heads, intermediate_dim: sizes of the stack.
        dropout: dropout rate of every layer.
        activation: of the feed-forward networks; GELU, as in BERT, GPT
            and ViT.
        causal: whether step `t` sees only steps `<= t`.
        layer_norm_epsilon: of every layer normalization.
        norm_first: pre-norm layers and a final normalization (True), or
            post-norm layers and none (False).
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: `(batch, time, dim)`.
        mask: `(batch, time)` booleans, True = real step (default: the
            mask attached to `inputs`).
        training: whether dropout is active.
        return_attention_scores: also return a tuple of each layer's
            self-attention probabilities, `(batch, num_heads, time, time)`
            (lower-triangular with `causal=True`).

    Example:

    >>> encoder = TransformerEncoderStack(2, 2, 32)
    >>> tuple(encoder(keras.random.normal((1, 5, 16))).shape)
    (1, 5, 16)
    >>> x, scores = encoder(keras.random.normal((1, 5, 16)),
    ...                     return_attention_scores=True)
    >>> len(scores), tuple(scores[0].shape)
    (2, (1, 2, 5, 5))
    """

    def __init__(
        self,
        num_layers,
        num_heads,
        intermediate_dim,
        dropout=0.0,
        activation="gelu",
        causal=False,
        layer_norm_epsilon=_NORM_EPSILON,
        norm_first=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.norm_first = bool(norm_first)
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout
        self.activation = get_activation(activation)
        self.causal = causal
        self.layer_norm_epsilon = layer_norm_epsilon
        self.transformer_layers = _stack_layers(
            TransformerDecoder if causal else TransformerEncoder,
            num_layers,
            num_heads,
            intermediate_dim,
            dropout,
            self.activation,
            layer_norm_epsilon,
            self.dtype_policy,
            norm_first=self.norm_first,
        )
        self.final_norm = None
        if self.norm_first:
            self.final_norm = keras.layers.LayerNormalization(
                epsilon=layer_norm_epsilon, dtype=self.dtype_policy, name="final_norm"
            )
        self.supports_masking = True

    def build(self, inputs_shape):
        for layer in self.transformer_layers:
            layer.build(inputs_shape)
        if self.final_norm is not None:
            self.final_norm.build(inputs_shape)

    def call(self, inputs, mask=None, training=None, return_attention_scores=False):
        x, scores = inputs, []
        for layer in self.transformer_layers:
            x = layer(
                x,
                mask=mask,
                training=training,
                return_attention_scores=return_attention_scores,
            )
            if return_attention_scores:
                x, layer_scores = x
                scores.append(layer_scores)
        x = x if self.final_norm is None else self.final_norm(x)
        return (x, tuple(scores)) if return_attention_scores else x

    def compute_mask(self, inputs, mask=None):
        return mask

    def compute_output_shape(self, inputs_shape):
        return tuple(inputs_shape)

    def compute_output_spec(self, inputs, return_attention_scores=False, **kwargs):
        outputs = keras.KerasTensor(inputs.shape, dtype=self.compute_dtype)
        if not return_attention_scores:
            return outputs
        return outputs, _scores_spec(self, inputs.shape[:2])

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_layers": self.num_layers,
                "num_heads": self.num_heads,
                "intermediate_dim": self.intermediate_dim,
                "dropout": self.dropout,
                "activation": keras.activations.serialize(self.activation),
                "causal": self.causal,
                "layer_norm_epsilon": self.layer_norm_epsilon,
                "norm_first": self.norm_first,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="keras_seq")
class TransformerDecoderStack(keras.layers.Layer):
    """Token embedding, pre-norm `TransformerDecoder` layers and a logits head.

    Called on token ids it runs every position at once (teacher forcing)
    and returns float32 logits whatever the dtype policy (the loss and the
    samplers read them in float32), with the padding mask of the ids. For
    generation, `init_cache`, `prefill` and `call_with_cache` run it
    incrementally with one key/value cache per layer, a tuple of
    `(batch, 2, num_heads, max_length, head_dim)` tensors that a sampler
    carries (and beam search reorders) as they are: never stacked, so no
    step copies every layer's cache.

    Args:
        vocabulary_size: number of token ids, padding id 0 included.
        max_length: number of learned positions: the longest sequence.
        num_layers, num_heads, hidden_dim, intermediate_dim: sizes.
        dropout: dropout rate of every layer.
        activation: of the feed-forward networks.
        layer_norm_epsilon: of every layer normalization.
        tie_embeddings: whether the logits are the hidden states times the
            token embedding table (GPT-2's tied head, no weights of its
            own) rather than a dense layer. Tied logits never predict the
            padding id 0: its logit is very low.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Call arguments:
        token_ids: `(batch, time)` int ids, 0 = padding.
        encoder_outputs: `(batch, source_time, hidden_dim)` for an
            encoder-decoder model (the layers then have cross-attention).
        encoder_mask: `(batch, source_time)` padding mask of
            `encoder_outputs` (default: their attached mask).
        training: whether dropout is active.
        return_attention_scores: also return a tuple of each layer's
            causal self-attention probabilities, `(batch, num_heads, time,
            time)`, lower-triangular (the cross-attention's are not
            returned).

    Example:

    >>> decoder = TransformerDecoderStack(20, 8, 2, 2, 16, 32)
    >>> logits = decoder(np.array([[3, 4, 0]]))
    >>> tuple(logits.shape), keras.backend.standardize_dtype(logits.dtype)
    ((1, 3, 20), 'float32')
    >>> logits, scores = decoder(np.array([[3, 4, 0]]), return_attention_scores=True)
    >>> len(scores), tuple(scores[0].shape)
    (2, (1, 2, 3, 3))
    """

    def __init__(
        self,
        vocabulary_size,
        max_length,
        num_layers,
        num_heads,
        hidden_dim,
        intermediate_dim,
        dropout=0.0,
        activation="gelu",
        layer_norm_epsilon=_NORM_EPSILON,
        tie_embeddings=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        hidden_dim = check_positive_int("hidden_dim", hidden_dim)
        self.tie_embeddings = bool(tie_embeddings)
        self.vocabulary_size = vocabulary_size
        self.max_length = max_length
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.hidden_dim = hidden_dim
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout
        self.activation = get_activation(activation)
        self.layer_norm_epsilon = layer_norm_epsilon
        self.embedding = TokenAndPositionEmbedding(
            vocabulary_size,
            max_length,
            hidden_dim,
            dtype=self.dtype_policy,
            name="embedding",
        )
        self.transformer_layers = _stack_layers(
            TransformerDecoder,
            num_layers,
            num_heads,
            intermediate_dim,
            dropout,
            self.activation,
            layer_norm_epsilon,
            self.dtype_policy,
        )
        self.final_norm = keras.layers.LayerNormalization(
            epsilon=layer_norm_epsilon, dtype=self.dtype_policy, name="final_norm"
        )
        self.head = None
        if not self.tie_embeddings:
            self.head = keras.layers.Dense(
                vocabulary_size, dtype=self.dtype_policy, name="logits"
            )
        self.supports_masking = True

    def build(self, token_ids_shape, encoder_outputs_shape=None):
        self.embedding.build(token_ids_shape)
        hidden_shape = tuple(token_ids_shape) + (self.hidden_dim,)
        for layer in self.transformer_layers:
            layer.build(hidden_shape, encoder_outputs_shape)
        self.final_norm.build(hidden_shape)
        if self.head is not None:
            self.head.build(hidden_shape)

    def call(
        self,
        token_ids,
        encoder_outputs=None,
        encoder_mask=None,
        training=None,
        return_attention_scores=False,
    ):
        x, scores = self.embedding(token_ids), []
        for layer in self.transformer_layers:
            x = layer(
                x,
                encoder_outputs=encoder_outputs,
                encoder_mask=encoder_mask,
                training=training,
                return_attention_scores=return_attention_scores,
            )
            if return_attention_scores:
                x, layer_scores = x
                scores.append(layer_scores)
        logits = self._logits(x)
        return (logits, tuple(scores)) if return_attention_scores else logits

    def _logits(self, x):
        # The head runs in the compute dtype; the logits leave in float32.
        x = self.final_norm(x)
        if self.head is not None:
            return ops.cast(self.head(x), "float32")
        table = self.embedding.token_embedding.embeddings
        logits = ops.cast(
            ops.matmul(x, ops.transpose(ops.cast(table, x.dtype))), "float32"
        )
        padding = ops.arange(self.vocabulary_size) == 0
        return ops.where(padding, _PADDING_LOGIT, logits)

    def init_cache(self, batch_size, max_length, context=None):
        """Returns an empty cache for `max_length` steps.

        Args:
            batch_size, max_length: the shape of the sequences to generate.
            context: for an encoder-decoder model, a dict of
                `encoder_outputs` (and optionally `encoder_mask`). Each
                layer's cross-attention keys and values of them are
                computed here, once, and travel in the cache with the mask,
                so beam search repeats them along with the beams.
        """
        cache = {
            "key_values": tuple(
                layer.init_cache(batch_size, max_length)
                for layer in self.transformer_layers
            )
        }
        context = context or {}
        if context.get("encoder_mask") is not None:
            cache["encoder_mask"] = context["encoder_mask"]
        if context.get("encoder_outputs") is not None:
            # Projected once per source, not once per step.
            cache["encoder_key_values"] = tuple(
                layer.project_encoder_outputs(context["encoder_outputs"])
                for layer in self.transformer_layers
            )
        return cache

    def prefill(self, prompt_ids, length, cache):
        """Returns `cache` after reading the first `length` tokens of `prompt_ids`.

        It reads every column of `prompt_ids` in one pass: the cache slots
        past `length` are rewritten by `call_with_cache` before any query
        attends to them, so their contents never matter.

        Args:
            prompt_ids: `(batch, prompt_time)` ids.
            length: how many leading tokens count (a scalar int tensor).
            cache: from `init_cache`.
        """
        del length
        return self.call_with_cache(prompt_ids, cache, 0)[1]

    def call_with_cache(self, token_ids, cache, index):
        """Reads `token_ids` at positions from `index` on.

        Returns:
            `(logits, cache)`: the float32 `(batch, vocabulary_size)` logits
            after the last token read, and the updated cache.
        """
        x = self.embedding(token_ids, start_index=index)
        key_values = []
        for depth, layer in enumerate(self.transformer_layers):
            encoder_key_values = cache.get("encoder_key_values")
            x, key_value = layer(
                x,
                encoder_mask=cache.get("encoder_mask"),
                cache=cache["key_values"][depth],
                cache_index=index,
                encoder_key_value=(
                    None if encoder_key_values is None else encoder_key_values[depth]
                ),
            )
            key_values.append(key_value)
        logits = self._logits(x[:, -1, :])
        return logits, {**cache, "key_values": tuple(key_values)}

    def compute_mask(self, token_ids, mask=None):
        return ops.not_equal(token_ids, 0)

    def compute_output_shape(self, token_ids_shape, encoder_outputs_shape=None):
        return tuple(token_ids_shape) + (self.vocabulary_size,)

    def compute_output_spec(
        self, token_ids, encoder_outputs=None, return_attention_scores=False, **kwargs
    ):
        shape = self.compute_output_shape(token_ids.shape)
        logits = keras.KerasTensor(shape, dtype="float32")
        if not return_attention_scores:
            return logits
        return logits, _scores_spec(self, token_ids.shape[:2])

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "max_length": self.max_length,
                "num_layers": self.num_layers,
                "num_heads": self.num_heads,
                "hidden_dim": self.hidden_dim,
                "intermediate_dim": self.intermediate_dim,
                "dropout": self.dropout,
                "activation": keras.activations.serialize(self.activation),
                "layer_norm_epsilon": self.layer_norm_epsilon,
                "tie_embeddings": self.tie_embeddings,
            }
        )
        return config
