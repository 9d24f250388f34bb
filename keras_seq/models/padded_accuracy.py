import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_seq")
class PaddedSparseCategoricalAccuracy(keras.metrics.SparseCategoricalAccuracy):
    """Accuracy over the steps whose target is a real token (not the padding id).

    The inputs of a teacher-forced decoder are its targets shifted by one,
    so their padding mask counts the step after the end token, whose target
    is padding. Weighting by the targets themselves counts exactly the
    tokens the loss (`ignore_class=0`) trains on.

    Args:
        name: the metric's name.
        dtype: the dtype of its result.
        padding_id: the id of padded targets: 0, or -1 for a model whose
            every id is a token (`CausalLM(padding_id=-1)`).

    Example:

    >>> metric = PaddedSparseCategoricalAccuracy()
    >>> metric.update_state([[3, 2, 0]], np.eye(4)[[[3, 2, 1]]])
    >>> float(metric.result())
    1.0
    """

    def __init__(self, name="accuracy", dtype=None, padding_id=0):
        super().__init__(name=name, dtype=dtype)
        self.padding_id = padding_id

    def get_config(self):
        return {**super().get_config(), "padding_id": self.padding_id}

    def update_state(self, y_true, y_pred, sample_weight=None):
        weight = ops.cast(ops.not_equal(y_true, self.padding_id), "float32")
        # SparseCategoricalAccuracy compares ids: a padded -1 counts for
        # nothing (its weight is 0) but must be a valid id.
        y_true = ops.maximum(y_true, 0)
        if sample_weight is not None:
            sample_weight = ops.cast(sample_weight, "float32")
            # Per-sequence weights `(batch,)` spread over the steps.
            for _ in range(len(weight.shape) - len(sample_weight.shape)):
                sample_weight = ops.expand_dims(sample_weight, -1)
            weight = weight * sample_weight
        return super().update_state(y_true, y_pred, sample_weight=weight)
