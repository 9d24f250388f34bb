"""Writing new steps into a key/value cache without copying the cache."""

import keras
from keras import ops


def write_steps(cache, steps, start):
    """Returns `cache` with `steps` written along its time axis from `start`.

    `cache` is `(batch, 2, heads, cache_length, head_dim)` and `steps`
    `(batch, 2, heads, new_steps, head_dim)`; `start` is an int or a scalar
    int tensor. One write covers keys and values.

    JAX and TensorFlow write with `ops.slice_update`, which XLA performs in
    place on a buffer a loop carries. PyTorch's `slice_update` clones the
    whole cache (and, for a tensor `start`, builds an index grid) on every
    write, so where no gradient is recorded (generation runs under
    `torch.no_grad()`) the cache is written in place with `index_copy_`,
    without reading `start` back to the host: the tensor passed in is then
    the one returned. With gradients recorded, or a cache that is a
    broadcast view, it is never modified.

    Example:

    >>> cache = keras.ops.zeros((1, 2, 1, 4, 1))
    >>> cache = write_steps(cache, keras.ops.ones((1, 2, 1, 1, 1)), 2)
    >>> keras.ops.convert_to_numpy(cache)[0, 0, 0, :, 0].tolist()
    [0.0, 0.0, 1.0, 0.0]
    """
    steps = ops.cast(steps, cache.dtype)
    if keras.backend.backend() == "torch":
        import torch

        # A contiguous tensor has one element per memory location; an
        # expanded one (a broadcast batch) does not, and is copied.
        if not torch.is_grad_enabled() and cache.is_contiguous():
            positions = torch.arange(steps.shape[3], device=cache.device)
            positions = positions + torch.as_tensor(start, device=cache.device)
            return cache.index_copy_(3, positions, steps)
    return ops.slice_update(cache, (0, 0, 0, start, 0), steps)
