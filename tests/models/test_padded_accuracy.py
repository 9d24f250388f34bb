import keras
import numpy as np
import pytest

from keras_seq.models.padded_accuracy import PaddedSparseCategoricalAccuracy


def _one_hot(ids, classes=5):
    return np.eye(classes, dtype="float32")[np.asarray(ids)]


def test_counts_only_real_target_tokens():
    metric = PaddedSparseCategoricalAccuracy()
    y_true = np.array([[3, 2, 0, 0], [4, 1, 2, 0]])
    predicted = np.array([[3, 4, 1, 1], [4, 1, 3, 3]])  # padded steps wrong
    metric.update_state(y_true, _one_hot(predicted))
    assert float(metric.result()) == pytest.approx(3 / 5)


def test_sample_weight_multiplies_the_padding_weight():
    metric = PaddedSparseCategoricalAccuracy()
    y_true = np.array([[3, 2, 0], [4, 1, 0]])
    predicted = np.array([[3, 4, 1], [1, 1, 1]])
    metric.update_state(y_true, _one_hot(predicted), sample_weight=np.array([1.0, 0.0]))
    assert float(metric.result()) == pytest.approx(1 / 2)


def test_serializes():
    metric = PaddedSparseCategoricalAccuracy()
    restored = keras.metrics.deserialize(keras.metrics.serialize(metric))
    assert isinstance(restored, PaddedSparseCategoricalAccuracy)
    assert restored.name == "accuracy"
