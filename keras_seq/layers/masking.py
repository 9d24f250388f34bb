"""Where padding, causal and explicit attention masks meet.

Masks are booleans, True = attend. Every attention in keras_seq builds its
mask here, so the rules live in one place:

- a padding mask `(batch, source_time)` becomes `(batch, 1, 1, source_time)`,
  broadcast over heads and queries, never a dense `(batch, time, time)` mask;
- an explicit `attention_mask` `(batch, time, source_time)` gains a head axis;
- a causal mask with no cache is left to the attention kernel
  (`is_causal=True`), which every backend fuses;
- a causal mask during cached decoding is `(1, 1, time, cache_length)`,
  offset by the position of the first new query.
"""

from keras import ops
from keras.src.backend import get_keras_mask


def attached_mask(x):
    """Returns the Keras mask attached to `x` (or `None`)."""
    if x is None:
        return None
    return get_keras_mask(x)


def causal_mask(query_length, key_length, query_offset=0):
    """`(1, 1, query_length, key_length)` booleans: query i sees keys <= offset + i."""
    query_positions = ops.arange(query_length)[:, None] + query_offset
    key_positions = ops.arange(key_length)[None, :]
    return ops.expand_dims(key_positions <= query_positions, axis=(0, 1))


def combine_attention_masks(
    key_padding_mask=None,
    attention_mask=None,
    causal=False,
    query_length=None,
    key_length=None,
    query_offset=None,
):
    """Merges the masks of one attention call.

    Args:
        key_padding_mask: `(batch, source_time)` booleans, True = real token.
        attention_mask: `(batch, time, source_time)` booleans.
        causal: whether query `i` may only see keys up to `i`.
        query_length, key_length: needed when `query_offset` is given.
        query_offset: position of the first query inside the key sequence,
            set during cached decoding.

    Returns:
        `(mask, is_causal)`: a boolean mask broadcastable to
        `(batch, heads, time, source_time)` (or `None`), and whether the
        attention kernel must still apply its own causal mask.
    """
    mask = None
    if key_padding_mask is not None:
        mask = ops.cast(key_padding_mask, "bool")[:, None, None, :]
    if attention_mask is not None:
        explicit = ops.cast(attention_mask, "bool")[:, None, :, :]
        mask = explicit if mask is None else ops.logical_and(mask, explicit)
    if causal and query_offset is not None:
        offset_causal = causal_mask(query_length, key_length, query_offset)
        mask = offset_causal if mask is None else ops.logical_and(mask, offset_causal)
        causal = False
    return mask, causal
