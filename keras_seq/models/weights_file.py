"""Loads a `.weights.h5` file, naming the sizes that differ when it does not fit.

Keras reports a file saved from a model of other sizes as "A total of N
objects could not be loaded" with one variable's values printed. This
loader says instead which weight differs, its shape in the file and in
the model, and the constructor argument that sets it.
"""

import re

# The layer a builder names, and the constructor argument its shape follows.
_SIZE_OF_LAYER = {
    "classifier": "`classes`",
    "token_embedding": "`vocabulary_size`",
    "position_embedding": "`max_length`",
    "projection": "`patch_size` (`tubelet_size`) or the channels of `input_shape`",
    "logits": "`vocabulary_size`",
}
_SHAPES = re.compile(
    r"variable\.shape=(\([^)]*\)), Received: value\.shape=(\([^)]*\))\. "
    r"Target variable: <Variable path=([^,]+),"
)
_MISSING = re.compile(r"Layer '([^']+)' expected \d+ variables, but received 0")


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
    shapes = _SHAPES.search(message)
    if shapes:
        expected, received, variable = shapes.groups()
        layer = variable.split("/")[-2] if "/" in variable else variable
        argument = _SIZE_OF_LAYER.get(layer, "the sizes")
        return (
            f"{start} Its weight `{variable}` has shape {received} there and "
            f"{expected} here: {argument} must be the saved model's."
        )
    if _MISSING.search(message):
        layer = _MISSING.search(message).group(1)
        return (
            f"{start} This model has layers the file lacks (the first: "
            f"`{layer}`): the file holds another application, or other "
            "`num_layers` (or `cell`) than this one."
        )
    first = message.strip().splitlines()[0]
    return f"{start} Build it with the saved model's arguments. Keras says: {first}"
