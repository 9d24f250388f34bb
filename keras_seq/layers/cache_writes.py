"""Writing new steps into a key/value cache without copying the cache."""

from keras import ops

from keras_seq.backend import support


def write_steps(cache, steps, start):
    """Returns `cache` with `steps` written along its time axis from `start`.

    One write covers keys and values. The cache is written in place
    where the backend can (`keras_seq.backend.support.write_along_axis`):
    under PyTorch with no gradient recorded (generation runs under
    `torch.no_grad()`) the tensor passed in is then the one returned.
    With gradients recorded, or a cache that is a broadcast view, it is
    never modified.

    Args:
        cache: `(batch, 2, heads, cache_length, head_dim)` keys and values.
        steps: `(batch, 2, heads, new_steps, head_dim)` keys and values of
            the new steps, cast to the cache's dtype.
        start: the cache slot of the first new step: an int or a scalar
            int tensor.

    Example:

    >>> cache = keras.ops.zeros((1, 2, 1, 4, 1))
    >>> cache = write_steps(cache, keras.ops.ones((1, 2, 1, 1, 1)), 2)
    >>> keras.ops.convert_to_numpy(cache)[0, 0, 0, :, 0].tolist()
    [0.0, 0.0, 1.0, 0.0]
    """
    steps = ops.cast(steps, cache.dtype)
    return support.write_along_axis(cache, steps, start, axis=3)
