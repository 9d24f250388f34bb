"""Loads a `.weights.h5` file, naming the sizes that differ when it does not fit.

Keras reports a file saved from a model of other sizes as "A total of N
objects could not be loaded", with one variable's values printed under
TensorFlow and JAX and no shapes at all under PyTorch. This loader
compares the file with the weights this model would save, on every
backend alike, and says which weight differs, its shape in the file and in
the model, and the constructor argument that sets it.
"""

import os
import tempfile

import h5py

# A part of a weight's path in the file, and the constructor argument its
# shape follows. The classifier of the classifiers is the top-level Dense.
_SIZE_OF_PART = {
    "token_embedding": "`vocabulary_size`",
    "embedding": "`vocabulary_size`",
    "head": "`vocabulary_size`",
    "position_embedding": (
        "`max_length` (for images and clips: `input_shape` and `patch_size`)"
    ),
    "projection": "`patch_size` (`tubelet_size`) or the channels of `input_shape`",
}
_CLASSIFIER = ("layers", "dense")


def load_weights_file(model, path):
    """`model.load_weights(path)`, with a clear error if the file does not fit.

    Raises:
        ValueError: the file holds weights of other shapes, or fewer or
            more layers, than `model`; the message names the weight and
            the size to change.
    """
    try:
        model.load_weights(path)
    except ValueError as error:
        raise ValueError(_mismatch(model, path, str(error))) from error
    return model


def _mismatch(model, path, message):
    kind = type(model).__name__
    start = (
        f"The weights file {path} does not fit this {kind}: it was saved from a "
        "model of other sizes."
    )
    there = _weight_shapes(path)
    with tempfile.TemporaryDirectory() as folder:
        fresh = os.path.join(folder, "this_model.weights.h5")
        model.save_weights(fresh)
        here = _weight_shapes(fresh)
    for name, shape in there.items():
        if name in here and here[name] != shape:
            return (
                f"{start} Its weight `{name}` has shape {shape} there and "
                f"{here[name]} here: {_argument(name)} must be the saved model's."
            )
    missing = [name for name in here if name not in there]
    if missing:
        return (
            f"{start} This model has weights the file lacks (the first: "
            f"`{missing[0]}`): the file holds another application, or other "
            "`num_layers` (or `cell`) than this one."
        )
    extra = [name for name in there if name not in here]
    if extra:
        return (
            f"{start} The file has weights this model lacks (the first: "
            f"`{extra[0]}`): it holds another application, or other "
            "`num_layers` than this one."
        )
    first = message.strip().splitlines()[0]
    return f"{start} Build it with the saved model's arguments. Keras says: {first}"


def _weight_shapes(path):
    """`{path in the file: shape}` of every weight a `.weights.h5` file holds."""
    shapes = {}

    def visit(name, item):
        if isinstance(item, h5py.Dataset):
            shapes[name] = tuple(item.shape)

    with h5py.File(path, "r") as file:
        file.visititems(visit)
    return shapes


def _argument(name):
    parts = name.split("/")
    if tuple(parts[:2]) == _CLASSIFIER:
        return "`classes`"
    for part in reversed(parts):
        if part in _SIZE_OF_PART:
            return _SIZE_OF_PART[part]
    return "the sizes"
