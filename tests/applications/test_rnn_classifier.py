import importlib.util
import pathlib

import keras
import numpy as np
import pytest

from keras_seq.applications import RNNClassifier
from tests.classifier_checks import check_classifier
from tests.classifier_checks import predict

VOCABULARY, CLASSES, FEATURES = 20, 3, 2
EXAMPLE = pathlib.Path(__file__).parents[2] / "examples" / "adding_problem.py"


def _ids():
    ids = np.random.default_rng(0).integers(1, VOCABULARY, size=(6, 7))
    ids[0, 2:] = 0
    ids[1, 5:] = 0
    return ids


def _values():
    values = np.random.default_rng(1).normal(size=(6, 7, FEATURES)).astype("float32")
    values[0, 2:] = 0.0
    values[1, 5:] = 0.0
    return values


def _inputs(numeric):
    if numeric:
        return {"input_shape": (None, FEATURES)}, _values()
    return {"vocabulary_size": VOCABULARY}, _ids()


@pytest.mark.parametrize(
    "cell, bidirectional, numeric, num_layers",
    [("simple_rnn", False, False, 1), ("gru", True, True, 2)],
)
def test_fit_predict_config_and_save(
    cell, bidirectional, numeric, num_layers, tmp_path
):
    kwargs, x = _inputs(numeric)
    model = RNNClassifier(
        CLASSES,
        cell=cell,
        bidirectional=bidirectional,
        num_layers=num_layers,
        hidden_dim=8,
        **kwargs,
    )
    labels = np.arange(6) % CLASSES
    check_classifier(model, x, labels, (6, CLASSES), tmp_path)


def test_regressor(tmp_path):
    model = RNNClassifier(
        1,
        classifier_activation=None,
        cell="gru",
        input_shape=(7, FEATURES),
        hidden_dim=8,
    )
    assert isinstance(model.default_loss(), keras.losses.MeanSquaredError)
    targets = np.linspace(-1.0, 1.0, 6)[:, None].astype("float32")
    check_classifier(model, _values(), targets, (6, 1), tmp_path)
    assert "mse" in model.get_metrics_result()


def test_recurrent_defaults_clip_the_gradient_norm():
    model = RNNClassifier(CLASSES, vocabulary_size=VOCABULARY, hidden_dim=8)
    model.compile()
    assert model.optimizer.clipnorm == 1.0
    assert isinstance(model.loss, keras.losses.SparseCategoricalCrossentropy)


@pytest.mark.parametrize("numeric", (False, True))
@pytest.mark.parametrize("bidirectional", (False, True))
def test_padding_does_not_change_outputs(numeric, bidirectional):
    kwargs, x = _inputs(numeric)
    model = RNNClassifier(
        CLASSES, cell="lstm", bidirectional=bidirectional, hidden_dim=8, **kwargs
    )
    outputs = predict(model, x)
    padding = ((0, 0), (0, 3)) + ((0, 0),) * (x.ndim - 2)
    np.testing.assert_allclose(predict(model, np.pad(x, padding)), outputs, atol=1e-5)
    np.testing.assert_allclose(predict(model, x[:1, :2]), outputs[:1], atol=1e-5)


def test_features_without_top():
    model = RNNClassifier(
        None,
        include_top=False,
        bidirectional=True,
        vocabulary_size=VOCABULARY,
        hidden_dim=8,
    )
    assert predict(model, _ids()).shape == (6, 16)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"cell": "transformer"}, "cell.*simple_rnn.*lstm.*gru.*transformer"),
        ({"vocabulary_size": None}, "exactly one of `vocabulary_size`"),
        ({"input_shape": (None, 2)}, "exactly one of `vocabulary_size`"),
        ({"vocabulary_size": None, "input_shape": (5,)}, "input_shape.*\\(5,\\)"),
        ({"vocabulary_size": -2}, "vocabulary_size.*-2"),
        ({"num_layers": 0}, "num_layers.*0"),
        ({"hidden_dim": 0}, "hidden_dim.*0"),
        ({"dropout": -0.1}, "dropout.*-0.1"),
        ({"classes": None}, "classes.*None"),
    ],
)
def test_bad_arguments(kwargs, match):
    arguments = {"classes": CLASSES, "vocabulary_size": VOCABULARY, **kwargs}
    with pytest.raises(ValueError, match=match):
        RNNClassifier(**arguments)


def _adding_problem_example():
    spec = importlib.util.spec_from_file_location("adding_problem", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_adding_problem_lstm_learns_simple_rnn_does_not():
    """1,000 seeded steps of 64 sequences of 100: the LSTM solves it, the
    SimpleRNN stays near the 1/6 baseline. About a minute on 2 CPU cores."""
    example = _adding_problem_example()
    assert example.train("lstm") < 0.05
    assert example.train("simple_rnn") > 0.12
