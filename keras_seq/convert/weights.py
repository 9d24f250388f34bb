"""Copies checkpoint tensors into a model's variables through a table.

Each architecture writes one table: rows of `(checkpoint tensor name,
keras variable path, transform)`. `assign` applies it and checks that
every variable of the model got exactly one tensor of its shape.
"""

import numpy as np


def linear(weight):
    """A PyTorch `Linear` weight `(out, in)` as a Keras kernel `(in, out)`."""
    return weight.T


def split_heads(heads):
    """A `(out, in)` projection as an attention kernel `(in, heads, head_dim)`."""
    return lambda weight: weight.T.reshape(weight.shape[1], heads, -1)


def split_heads_bias(heads):
    """A projection bias `(out,)` as `(heads, head_dim)`."""
    return lambda bias: bias.reshape(heads, -1)


def merge_heads(heads):
    """An output projection `(out, in)` as a kernel `(heads, head_dim, out)`."""
    return lambda weight: weight.T.reshape(heads, -1, weight.shape[0])


def convolution(weight):
    """A PyTorch kernel `(out, in, *window)` as Keras' `(*window, in, out)`."""
    rank = weight.ndim
    return np.transpose(weight, (*range(2, rank), 1, 0))


def drop_batch_axis(array):
    """`(1, ...)` as `(...)`: a position table stored with a batch axis."""
    return array[0]


def assign(model, checkpoint, table, prefixes=("",)):
    """Sets every variable of `model` from `checkpoint` as `table` says.

    Raises:
        ValueError: naming a tensor the checkpoint lacks, a shape that
            differs, or a variable no row sets.
    """
    variables = {variable.path: variable for variable in model.weights}
    done = set()
    for name, path, transform in table:
        array = checkpoint.find(name, prefixes)
        if array is None:
            raise ValueError(
                f"The checkpoint {checkpoint.path!r} lacks the tensor {name!r} "
                f"(under the prefixes {list(prefixes)}): is it a complete "
                f"{checkpoint.model_type!r} checkpoint?"
            )
        if transform is not None:
            array = transform(array)
        variable = variables[path]
        if tuple(array.shape) != tuple(variable.shape):
            raise ValueError(
                f"The tensor {name!r} of {checkpoint.path!r} has the shape "
                f"{tuple(array.shape)} where {path} needs {tuple(variable.shape)}."
            )
        variable.assign(array.astype(variable.dtype))
        done.add(path)
    missing = sorted(set(variables) - done)
    if missing:
        raise ValueError(f"No checkpoint tensor for the variables {missing}.")
