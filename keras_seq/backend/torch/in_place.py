"""PyTorch only: a write along one axis of a tensor, in place."""


def write_along_axis(tensor, updates, start, axis):
    """Writes `updates` into `tensor` along `axis` from `start`, in place.

    `index_copy_`, with the positions computed on the device: `start` is
    never read back to the host. Only where no gradient is recorded (a
    write in place would break the backward pass) and `tensor` is
    contiguous: an expanded tensor (a broadcast batch) has several
    elements at one memory location.

    Args:
        tensor: a `torch.Tensor`.
        updates: a tensor of `tensor`'s dtype and rank, of its size on
            every axis but `axis`.
        start: an int or a scalar int tensor.
        axis: the axis written along, non-negative.

    Returns:
        `tensor`, written, or None (and `tensor` untouched) where it
        cannot be written in place.

    Example:

    >>> if keras.backend.backend() == "torch":
    ...     import torch
    ...     with torch.no_grad():
    ...         x = torch.zeros((1, 4))
    ...         y = write_along_axis(x, torch.ones((1, 1)), 2, axis=1)
    ...     print(y is x, x[0].tolist())
    ... else:
    ...     print(True, [0.0, 0.0, 1.0, 0.0])
    True [0.0, 0.0, 1.0, 0.0]
    """
    import torch

    if torch.is_grad_enabled() or not tensor.is_contiguous():
        return None
    positions = torch.arange(updates.shape[axis], device=tensor.device)
    positions = positions + torch.as_tensor(start, device=tensor.device)
    return tensor.index_copy_(axis, positions, updates)
