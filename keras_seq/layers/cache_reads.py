"""Reading only the filled part of a key/value cache.

A decoding step attends over the cache slots written so far; the slots
after them are masked, yet reading them costs as much as reading the
filled ones, and a decoding step is bound by how fast the cache is read.
So a step reads the shortest of a few fixed lengths that holds the filled
slots: each length compiles once, and a step reads on average half a
bucket more than it needs, not the whole cache.
"""

import functools

from keras import ops

from keras_seq.backend import support

# A cache is read in up to this many lengths, each a multiple of one
# bucket width and at least this many slots.
BUCKETS = 8
SMALLEST_BUCKET = 64


def read_lengths(cache_length):
    """The lengths a cache of `cache_length` slots is read in, shortest first.

    Example:

    >>> read_lengths(1024)
    [128, 256, 384, 512, 640, 768, 896, 1024]
    >>> read_lengths(100)
    [64, 100]
    >>> read_lengths(12)
    [12]
    """
    width = max(SMALLEST_BUCKET, -(-cache_length // BUCKETS))
    return [min(end, cache_length) for end in range(width, cache_length + width, width)]


def read_filled(attend, cache_length, filled):
    """Returns `attend(length)` for the shortest read length that holds `filled`.

    Args:
        attend: a function of a static Python `length` that attends over
            the first `length` cache slots; it must return tensors of the
            same shapes for every length.
        cache_length: the static number of cache slots.
        filled: how many leading slots hold keys (an int or a scalar int
            tensor); queries never attend past them.

    Example:

    >>> read_filled(lambda length: length, 1024, 300)
    384
    """
    lengths = read_lengths(cache_length)
    if len(lengths) == 1:
        return attend(cache_length)
    if support.is_captured(filled):
        # A graph of PyTorch operations holds one length: the whole cache.
        return attend(cache_length)
    try:
        # Known now (an int, or a tensor of an eager step): chosen here.
        # A traced index cannot be read (`TypeError`): the graph chooses.
        filled = int(filled)
    except TypeError:
        pass
    else:
        return attend(next(length for length in lengths if length >= filled))
    bounds = ops.convert_to_tensor(lengths[:-1], dtype="int32")
    bucket = ops.sum(ops.cast(bounds < ops.cast(filled, "int32"), "int32"))
    return ops.switch(bucket, [functools.partial(attend, length) for length in lengths])
