"""What the applications share.

The argument checks, the inputs of a sequence model (token ids or numeric
features), the recurrent stack, pooling, the head, and the compile defaults
that follow from the head, so each application file only wires these (and
the transformer stacks of `keras_seq.models`) together.
"""

import keras
from keras import ops

from keras_seq.layers.validation import check_rate
from keras_seq.models import Task
from keras_seq.models.arguments import check_positive_int
from keras_seq.models.recurrent_stacks import RECURRENT_CELLS

CELLS = tuple(RECURRENT_CELLS)
POOLINGS = ("mean", "class_token")


def check_dropout(dropout):
    check_rate("dropout", dropout)


def check_transformer_sizes(num_layers, num_heads, hidden_dim, intermediate_dim):
    for name, value in (
        ("num_layers", num_layers),
        ("num_heads", num_heads),
        ("hidden_dim", hidden_dim),
        ("intermediate_dim", intermediate_dim),
    ):
        check_positive_int(name, value)
    if hidden_dim % num_heads:
        raise ValueError(
            f"`num_heads` must divide `hidden_dim`. Received: num_heads={num_heads}, "
            f"hidden_dim={hidden_dim}"
        )


def check_head(classes, include_top, classifier_activation):
    if not include_top:
        return
    check_positive_int("classes", classes)
    if classes == 1 and classifier_activation == "softmax":
        # A softmax over one class is the constant 1: nothing can be learned.
        raise ValueError(
            "`classes=1` with `classifier_activation='softmax'` always outputs 1. "
            "Use classifier_activation=None for regression or 'sigmoid' for a "
            "binary classifier."
        )


def check_input_shape(input_shape, rank, allow_unknown_first=False):
    """`input_shape` as a tuple of `rank` positive ints (the first may be None)."""
    shape = tuple(input_shape) if isinstance(input_shape, (list, tuple)) else None
    valid = shape is not None and len(shape) == rank
    if valid:
        for index, size in enumerate(shape):
            if size is None and index == 0 and allow_unknown_first:
                continue
            if not isinstance(size, int) or isinstance(size, bool) or size < 1:
                valid = False
    if not valid:
        first = "None or a positive int, then " if allow_unknown_first else ""
        raise ValueError(
            f"`input_shape` must be a tuple of {rank} sizes ({first}positive ints), "
            f"without the batch axis. Received: input_shape={input_shape!r}"
        )
    return shape


def sequence_inputs(vocabulary_size, input_shape, mask_value):
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
        check_positive_int("vocabulary_size", vocabulary_size)
        inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        return inputs, inputs
    shape = check_input_shape(input_shape, rank=2, allow_unknown_first=True)
    inputs = keras.Input(shape=shape, name="values")
    x = inputs
    if mask_value is not None:
        x = keras.layers.Masking(mask_value=mask_value, name="masking")(x)
    return inputs, x


@keras.saving.register_keras_serializable(package="keras_seq.applications")
class ClassToken(keras.layers.Layer):
    """Prepends a learned class token to a `(batch, time, dim)` sequence.

    The token is a real step: where the input has a padding mask, True is
    prepended to it, so every token may attend to the class token.

    Example:

    >>> ClassToken()(keras.random.normal((2, 5, 8))).shape
    (2, 6, 8)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, inputs_shape):
        self.token = self.add_weight(
            name="token", shape=(1, 1, inputs_shape[-1]), initializer="zeros"
        )

    def call(self, inputs):
        shape = ops.shape(inputs)
        token = ops.broadcast_to(
            ops.cast(self.token, inputs.dtype), (shape[0], 1, shape[2])
        )
        return ops.concatenate([token, inputs], axis=1)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        return ops.concatenate([ops.ones_like(mask[:, :1], dtype="bool"), mask], axis=1)

    def compute_output_shape(self, inputs_shape):
        time = None if inputs_shape[1] is None else inputs_shape[1] + 1
        return (inputs_shape[0], time, inputs_shape[2])


def recurrent_stack(
    x,
    cell,
    num_layers,
    hidden_dim,
    bidirectional,
    dropout,
    return_sequences,
    name="rnn",
):
    """`num_layers` Keras recurrent layers (masks honoured), dropout between them.

    Only the last layer drops the time axis when `return_sequences` is
    False; with a padding mask its output is the state at the last real step.
    """
    layer_class = RECURRENT_CELLS[cell]
    for index in range(num_layers):
        sequences = return_sequences or index < num_layers - 1
        layer = layer_class(
            hidden_dim, return_sequences=sequences, name=f"{name}_{index}"
        )
        if bidirectional:
            layer = keras.layers.Bidirectional(
                layer, name=f"bidirectional_{name}_{index}"
            )
        x = layer(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{name}_{index}_dropout")(x)
    return x


def pool(x, pooling, name="pooling"):
    """`(batch, time, dim)` to `(batch, dim)`: masked mean, or the class token."""
    if pooling == "mean":
        return keras.layers.GlobalAveragePooling1D(name=name)(x)
    return x[:, 0, :]


def head(x, classes, classifier_activation, dropout=0.0):
    if dropout:
        x = keras.layers.Dropout(dropout, name="head_dropout")(x)
    return keras.layers.Dense(
        classes, activation=classifier_activation, name="predictions"
    )(x)


class ClassifierTask(Task):
    """A Task whose compile defaults follow from its head.

    `init_config` holds `classes`, `classifier_activation` and `include_top`:

    - `classes=1` and `classifier_activation=None`: a regressor, mean
      squared error loss and metric;
    - `"softmax"` or `None` (logits): sparse categorical cross-entropy and
      accuracy;
    - `"sigmoid"`: binary cross-entropy (binary or multi-label) and binary
      accuracy.

    Per-step outputs (taggers) carry the padding mask of their inputs, and
    Keras losses and metrics weight masked steps by zero, so padding never
    counts. Recurrent models clip the gradient norm to 1.0: exploding
    gradients are their known failure.
    """

    recurrent = False

    def default_optimizer(self):
        clipnorm = 1.0 if self.recurrent else None
        return keras.optimizers.Adam(learning_rate=1e-3, clipnorm=clipnorm)

    def _head_kind(self):
        config = self.init_config
        if not config["include_top"]:
            raise ValueError(
                f"This {type(self).__name__} has `include_top=False` (it returns "
                "features): it has no default loss. Pass `loss` to `compile()`."
            )
        activation = config["classifier_activation"]
        if activation in (None, "linear"):
            return "regression" if config["classes"] == 1 else "logits"
        if activation in ("softmax", "sigmoid"):
            return activation
        raise ValueError(
            f"There is no default loss for classifier_activation={activation!r}. "
            "Pass `loss` and `metrics` to `compile()`."
        )

    def default_loss(self):
        kind = self._head_kind()
        if kind == "regression":
            return keras.losses.MeanSquaredError()
        if kind == "sigmoid":
            return keras.losses.BinaryCrossentropy()
        return keras.losses.SparseCategoricalCrossentropy(from_logits=kind == "logits")

    def default_metrics(self):
        kind = self._head_kind()
        if kind == "regression":
            return [keras.metrics.MeanSquaredError(name="mse")]
        if kind == "sigmoid":
            return [keras.metrics.BinaryAccuracy(name="accuracy")]
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
