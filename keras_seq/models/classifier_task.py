import keras

from keras_seq.models import input_checks
from keras_seq.models.task import Task


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

    def output_kind(self):
        config = self.init_config
        if not config["include_top"]:
            return None
        activation = config["classifier_activation"]
        if activation in (None, "linear"):
            # A regressor's outputs too: a cross-entropy could only read them
            # as logits.
            return "logits"
        if activation in ("softmax", "sigmoid"):
            return "probabilities"
        return None

    def default_loss(self):
        kind = self._head_kind()
        if kind == "regression":
            return keras.losses.MeanSquaredError()
        if kind == "sigmoid":
            return keras.losses.BinaryCrossentropy()
        return keras.losses.SparseCategoricalCrossentropy(from_logits=kind == "logits")

    def default_metrics(self):
        if not self.init_config["include_top"]:
            return []  # Features out: the loss passed to compile() decides.
        kind = self._head_kind()
        if kind == "regression":
            return [keras.metrics.MeanSquaredError(name="mse")]
        if kind == "sigmoid":
            return [keras.metrics.BinaryAccuracy(name="accuracy")]
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]

    def _check_targets(self, y):
        config = self.init_config
        if config["include_top"] and config["classifier_activation"] in (
            "softmax",
            None,
            "linear",
        ):
            if config["classes"] > 1:
                input_checks.check_targets(
                    self, y, config["classes"], "class labels `y`"
                )
