import keras
import numpy as np

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

    Class names: `labels` (a constructor argument of every classifier, or
    set later: `model.labels = ["neg", "pos"]`), one per class, in id
    order, are saved in its config (so in `.keras` files), and
    `predict_labels` gives them.
    """

    recurrent = False

    def __init__(self, *args, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.labels = labels

    @property
    def labels(self):
        """The class names, id order (a tuple of str), or None."""
        labels = self.init_config.get("labels")
        return None if labels is None else tuple(labels)

    @labels.setter
    def labels(self, labels):
        if labels is None:
            self.init_config.pop("labels", None)
            return
        labels = [str(label) for label in labels]
        classes = self.init_config.get("classes")
        if len(labels) != max(classes, 2) or len(set(labels)) != len(labels):
            raise ValueError(
                f"`labels` must be {max(classes, 2)} distinct class names (one a "
                f"class). Received: labels={labels!r}"
            )
        self.init_config["labels"] = labels

    def predict_labels(self, x, **kwargs):
        """The likeliest class's name for each example of `x` (its id without `labels`).

        Args:
            x: as for `predict` (raw inputs, with a preprocessor).
            **kwargs: `predict`'s other arguments (`batch_size`, `verbose`).

        Returns:
            A list (nested per step for a tagger) of class names, or ids.
        """
        scores = keras.ops.convert_to_numpy(self.predict(x, **kwargs))
        if scores.shape[-1] == 1:  # one sigmoid unit: class 1 above 0.5
            ids = (scores[..., 0] > 0.5).astype("int32")
        else:
            ids = scores.argmax(-1)
        if self.labels is None:
            return ids.tolist()
        return np.asarray(self.labels, dtype=object)[ids].tolist()

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
