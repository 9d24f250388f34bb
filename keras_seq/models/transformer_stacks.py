"""Stacks of transformer layers, and cached decoding through the decoder stack.

The stacks are plain objects that own Keras layers: called on symbolic
tensors they build a task model's functional graph, and called eagerly on
the same layers they run generation.
"""

import keras
from keras import ops

from keras_seq.layers import TokenAndPositionEmbedding
from keras_seq.layers import TransformerDecoder
from keras_seq.layers import TransformerEncoder

# Pre-norm stacks never normalize their residual stream: a final layer
# normalization does.
_NORM_EPSILON = 1e-5


class TransformerEncoderStack:
    """`num_layers` pre-norm transformer layers and a final normalization.

    `TransformerEncoder` layers, each step attending to the whole sequence;
    with `causal=True`, decoder-only `TransformerDecoder` layers, each step
    attending to itself and the steps before it (forecasting, taggers that
    must not see ahead).

    Args:
        num_layers, num_heads, intermediate_dim, dropout: sizes of the stack.
        activation: of the feed-forward networks; GELU, as in BERT, GPT
            and ViT.
        causal: whether step `t` sees only steps `<= t`.
        name: prefix of the layer names.

    Example:

    >>> encoder = TransformerEncoderStack(2, 2, 32, 0.0)
    >>> encoder(keras.random.normal((1, 5, 16))).shape
    (1, 5, 16)
    """

    def __init__(
        self,
        num_layers,
        num_heads,
        intermediate_dim,
        dropout,
        activation="gelu",
        causal=False,
        name="encoder",
    ):
        layer_class = TransformerDecoder if causal else TransformerEncoder
        self.layers = [
            layer_class(
                num_heads,
                intermediate_dim,
                dropout=dropout,
                activation=activation,
                norm_first=True,
                name=f"{name}_{index}",
            )
            for index in range(num_layers)
        ]
        self.norm = keras.layers.LayerNormalization(
            epsilon=_NORM_EPSILON, name=f"{name}_norm"
        )

    def __call__(self, x, mask=None):
        for layer in self.layers:
            x = layer(x, mask=mask)
        return self.norm(x)


class TransformerDecoderStack:
    """Token embedding, pre-norm `TransformerDecoder` layers and a logits head.

    Called on token ids it runs every position at once (teacher forcing).
    For generation, `prefill` and `step` run it incrementally with one
    key/value cache per layer, stacked into one tensor
    `(batch, num_layers, 2, max_length, num_heads, head_dim)` so a sampler
    can carry (and beam search reorder) it.

    Args:
        vocabulary_size: number of token ids, padding id 0 included.
        max_length: number of learned positions: the longest sequence.
        num_layers, num_heads, hidden_dim, intermediate_dim, dropout: sizes.
        activation: of the feed-forward networks.
        name: prefix of the layer names.

    Example:

    >>> decoder = TransformerDecoderStack(20, 8, 2, 2, 16, 32, 0.0)
    >>> decoder(np.array([[3, 4, 0]])).shape
    (1, 3, 20)
    """

    def __init__(
        self,
        vocabulary_size,
        max_length,
        num_layers,
        num_heads,
        hidden_dim,
        intermediate_dim,
        dropout,
        activation="gelu",
        name="decoder",
    ):
        self.vocabulary_size = vocabulary_size
        self.max_length = max_length
        self.embedding = TokenAndPositionEmbedding(
            vocabulary_size, max_length, hidden_dim, name=f"{name}_embedding"
        )
        self.layers = [
            TransformerDecoder(
                num_heads,
                intermediate_dim,
                dropout=dropout,
                activation=activation,
                norm_first=True,
                name=f"{name}_{index}",
            )
            for index in range(num_layers)
        ]
        self.norm = keras.layers.LayerNormalization(
            epsilon=_NORM_EPSILON, name=f"{name}_norm"
        )
        self.head = keras.layers.Dense(vocabulary_size, name="logits")

    def __call__(self, token_ids, encoder_outputs=None, encoder_mask=None):
        """Returns `(batch, time, vocabulary_size)` logits of every position."""
        x = self.embedding(token_ids)
        for layer in self.layers:
            x = layer(x, encoder_outputs=encoder_outputs, encoder_mask=encoder_mask)
        return self.head(self.norm(x))

    def prefill(self, prefix_ids, batch_size, max_length, context):
        """Returns the cache after reading `prefix_ids` (None: nothing read yet).

        `context` holds `encoder_outputs` (and optionally `encoder_mask`)
        for an encoder-decoder model; they travel in the cache, so beam
        search repeats them along with the beams.
        """
        key_values = [layer.init_cache(batch_size, max_length) for layer in self.layers]
        cache = {**context, "key_values": ops.stack(key_values, axis=1)}
        if prefix_ids is not None:
            _, cache = self.step(prefix_ids, cache, 0)
        return cache

    def step(self, token_ids, cache, index):
        """Reads `token_ids` at positions from `index` on; returns the next logits.

        Returns:
            `(logits, cache)`: the `(batch, vocabulary_size)` logits after the
            last token read, and the updated cache.
        """
        x = self.embedding(token_ids, start_index=index)
        key_values = []
        for depth, layer in enumerate(self.layers):
            x, key_value = layer(
                x,
                encoder_outputs=cache.get("encoder_outputs"),
                encoder_mask=cache.get("encoder_mask"),
                cache=cache["key_values"][:, depth],
                cache_index=index,
            )
            key_values.append(key_value)
        logits = self.head(self.norm(x[:, -1, :]))
        return logits, {**cache, "key_values": ops.stack(key_values, axis=1)}
