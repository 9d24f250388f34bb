"""The parts the application graphs are wired from.

The input of a sequence model (token ids or numeric features), pooling
and the classification head; each application file wires these, the
layers of `keras_seq.layers` and the stacks of `keras_seq.models` together.
"""

import keras

from keras_seq.layers import MaskedMeanPooling
from keras_seq.layers.recurrent_stacks import RECURRENT_CELLS
from keras_seq.utils.validation import check_input_shape
from keras_seq.utils.validation import check_vocabulary_size

CELLS = tuple(RECURRENT_CELLS)
POOLINGS = ("mean", "class_token")


def sequence_inputs(vocabulary_size, input_shape, mask_value, dtype=None):
    """The input of a model of token ids or of numeric feature sequences.

    Exactly one of `vocabulary_size` (int ids `(batch, time)`, 0 = padding)
    and `input_shape` (`(time, features)` floats, `time` may be None) is
    given. Numeric steps whose features all equal `mask_value` are padding,
    masked by `keras.layers.Masking`; `mask_value=None` masks nothing.

    Returns:
        `(inputs, x)`: the `keras.Input`, and for numeric inputs the masked
        sequence (for token ids `x` is `inputs`: the embedding masks them).
    """
    if (vocabulary_size is None) == (input_shape is None):
        raise ValueError(
            "Pass exactly one of `vocabulary_size` (token id inputs) and "
            "`input_shape` (numeric `(time, features)` inputs). Received: "
            f"vocabulary_size={vocabulary_size!r}, input_shape={input_shape!r}"
        )
    if vocabulary_size is not None:
        check_vocabulary_size("vocabulary_size", vocabulary_size)
        inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        return inputs, inputs
    shape = check_input_shape(input_shape, rank=2, allow_unknown_first=True)
    inputs = keras.Input(shape=shape, name="values")
    x = inputs
    if mask_value is not None:
        x = keras.layers.Masking(mask_value=mask_value, dtype=dtype, name="masking")(x)
    return inputs, x


def pool(x, pooling, dtype=None, name="pooling"):
    """`(batch, time, dim)` to `(batch, dim)`: masked mean, or the class token."""
    if pooling == "mean":
        return MaskedMeanPooling(dtype=dtype, name=name)(x)
    return x[:, 0, :]


def head(x, include_top, classes, classifier_activation, dropout=0.0, dtype=None):
    """The classification layer: `classes` outputs, activated in float32.

    Without `include_top`, `x` itself (the features). The dense layer
    computes in the model's dtype policy; the activation (a softmax above
    all) and so the loss run in float32, as mixed precision needs.
    """
    if not include_top:
        return x
    if dropout:
        x = keras.layers.Dropout(dropout, dtype=dtype, name="head_dropout")(x)
    x = keras.layers.Dense(classes, dtype=dtype, name="classifier")(x)
    return keras.layers.Activation(
        classifier_activation, dtype="float32", name="predictions"
    )(x)
