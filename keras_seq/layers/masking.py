"""Where padding, causal and explicit attention masks meet.

Masks are booleans, True = attend. Every attention in keras_seq builds its
mask here, so the rules live in one place:

- a padding mask `(batch, source_time)` becomes `(batch, 1, 1, source_time)`,
  broadcast over heads and queries, and reaches a fused kernel as a
  broadcast view of that, `(batch, 1, time, source_time)`
  (`keras_seq.backend.support.fused_attention_mask`);
- an explicit `attention_mask` is any shape that broadcasts to `(batch,
  [heads,] time, source_time)`, as in Keras' `MultiHeadAttention`: `(time,
  source_time)`, `(1 or batch, time, source_time)`, `(batch, 1 or heads,
  time, source_time)`, any axis of size 1; it gains the axes it lacks and
  is broadcast to the full `(time, source_time)` (a form every fused
  kernel takes; cuDNN refuses a mask whose query axis is 1);
- a causal mask with no cache is left to the attention kernel
  (`is_causal=True`), which every backend fuses;
- a causal mask during cached decoding is `(1, 1, time, cache_length)`,
  offset by the position of the first new query;
- a query left with no key to attend to (a row that is all padding) attends
  to nothing: `guard_empty_rows` keeps it away from the kernel's undefined
  softmax and says which outputs to zero.
"""

from keras import ops

from keras_seq.backend import support


def attached_mask(x):
    """Returns the Keras mask attached to `x` (or `None`)."""
    if x is None:
        return None
    return support.get_keras_mask(x)


def mask_of_cache_slots(mask, inputs, cache):
    """The padding mask of an attention call's keys: `mask`, unless Keras filled it.

    With a cache the keys are the cache slots, so `mask` must cover the
    slots; Keras fills `mask` in from the mask attached to `inputs`, which
    covers only the new steps: that one is dropped (None).
    """
    if cache is not None and mask is attached_mask(inputs):
        return None
    return mask


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
        attention_mask: booleans of any shape that broadcasts to
            `(batch, [heads,] time, source_time)`: rank 2 `(time,
            source_time)`, rank 3 `(batch, time, source_time)` or rank 4
            `(batch, heads, time, source_time)`, any axis possibly 1.
        causal: whether query `i` may only see keys up to `i`.
        query_length, key_length: needed when `query_offset` or
            `attention_mask` is given.
        query_offset: position of the first query inside the key sequence,
            set during cached decoding.

    Returns:
        `(mask, is_causal)`: a boolean mask broadcastable to
        `(batch, heads, time, source_time)` (or `None`), and whether the
        attention kernel must still apply its own causal mask.
    """
    mask = None
    if key_padding_mask is not None:
        # expand_dims, not `[:, None, None, :]`: LiteRT has no builtin
        # strided slice that adds axes (it would need the Flex delegate).
        mask = ops.expand_dims(ops.cast(key_padding_mask, "bool"), (1, 2))
    if attention_mask is not None:
        explicit = ops.cast(attention_mask, "bool")
        while len(explicit.shape) < 4:
            # Keras' MultiHeadAttention adds the missing leading axes so.
            explicit = ops.expand_dims(explicit, axis=-3)
        # A broadcast query or key axis is made full length.
        explicit = ops.logical_and(
            explicit, ops.ones((query_length, key_length), dtype="bool")
        )
        mask = explicit if mask is None else ops.logical_and(mask, explicit)
    if causal and query_offset is not None:
        offset_causal = causal_mask(query_length, key_length, query_offset)
        mask = offset_causal if mask is None else ops.logical_and(mask, offset_causal)
        causal = False
    return mask, causal


def fold_causal(mask, query_length, key_length):
    """`mask` with the (top-left aligned) causal mask folded in."""
    causal = causal_mask(query_length, key_length)
    return causal if mask is None else ops.logical_and(mask, causal)


def guard_empty_rows(mask, is_causal, query_length, key_length):
    """Keeps queries that may attend to no key away from an undefined softmax.

    A query whose keys are all masked (every query of a row that is all
    padding; with a causal mask, the queries before a left-padded row's
    first real token) has no defined attention: kernels that fill masked
    logits with -inf return NaN, and through the gradients the NaN reaches
    every weight. Such a query attends to nothing instead: the caller zeros
    its output where `attendable` is False, and `kernel_mask` unmasks every
    key of a row that has none, so the kernel computes only finite values.

    Args:
        mask: a boolean mask broadcastable to `(batch, heads, time,
            source_time)` (or None), from `combine_attention_masks`.
        is_causal: whether the kernel applies a causal mask on top; `mask`
            is then a key padding mask `(batch, 1, 1, source_time)`.
        query_length, key_length: the query and key sequence lengths.

    Returns:
        `(kernel_mask, attendable)`: the mask to hand to the kernel, and
        booleans broadcastable to `(batch, heads, time, 1)` that are False
        for the queries with no key (both None when `mask` is None).
    """
    if mask is None:
        return None, None
    row_has_key = ops.any(mask, axis=-1, keepdims=True)
    # Same shape as `mask`: unmasking a row costs no denser mask.
    kernel_mask = ops.logical_or(mask, ops.logical_not(row_has_key))
    if not is_causal:
        return kernel_mask, row_has_key
    # Query t sees keys 0..t: it has a key if a real one comes at or before
    # t. A running count gives that for every query without building the
    # (time, source_time) mask the kernel's own causal mask avoids. The
    # starved queries of a left-padded row still reach the kernel with no
    # key; Keras' kernels fill masked logits with a large finite negative,
    # so they stay finite, and their outputs are zeroed.
    seen_a_key = ops.cumsum(ops.cast(mask, "int32"), axis=-1) > 0
    last_key = ops.minimum(ops.arange(query_length), key_length - 1)
    attendable = ops.take(seen_a_key, last_key, axis=-1)
    return kernel_mask, ops.swapaxes(attendable, -1, -2)


def zero_unattendable(heads, attendable):
    """Zeros the `(batch, time, heads, dim)` results of queries with no key."""
    if attendable is None:
        return heads
    attendable = ops.transpose(attendable, (0, 2, 1, 3))
    return ops.where(attendable, heads, ops.zeros_like(heads))


def output_mask(inputs, mask):
    """The padding mask of a layer's `(batch, time, ...)` outputs.

    `mask` when it covers the time steps of `inputs`; otherwise (with a
    cache, `mask` covers the cache slots) the mask attached to `inputs`.
    """
    if mask is None:
        return None
    mask_shape, inputs_shape = tuple(mask.shape), tuple(inputs.shape)
    if len(mask_shape) == 2 and mask_shape[1] in (None, inputs_shape[1]):
        return mask
    return attached_mask(inputs)
