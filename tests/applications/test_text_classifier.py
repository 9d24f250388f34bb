import numpy as np
import pytest

from keras_seq.applications import TextClassifier
from tests.classifier_checks import check_classifier
from tests.classifier_checks import predict

VOCABULARY, MAX_LENGTH, CLASSES = 30, 10, 3
# No dropout: the loss of a few steps on a tiny batch must fall every time.
SIZES = {
    "num_layers": 1,
    "num_heads": 2,
    "hidden_dim": 16,
    "intermediate_dim": 32,
    "dropout": 0.0,
}


def _model(**kwargs):
    arguments = {"classes": CLASSES, **SIZES, **kwargs}
    return TextClassifier(VOCABULARY, MAX_LENGTH, **arguments)


def _ids():
    ids = np.random.default_rng(0).integers(1, VOCABULARY, size=(6, 8))
    ids[0, 3:] = 0
    ids[1, 6:] = 0
    return ids


@pytest.mark.parametrize("pooling", ("mean", "class_token"))
def test_fit_predict_config_and_save(pooling, tmp_path):
    labels = np.arange(6) % CLASSES
    check_classifier(_model(pooling=pooling), _ids(), labels, (6, CLASSES), tmp_path)


@pytest.mark.parametrize("pooling", ("mean", "class_token"))
def test_padding_does_not_change_outputs(pooling):
    model = _model(pooling=pooling, num_layers=2)
    ids = _ids()
    outputs = predict(model, ids)
    more_padding = predict(model, np.pad(ids, ((0, 0), (0, 2))))
    np.testing.assert_allclose(more_padding, outputs, atol=1e-5)
    alone = predict(model, ids[:1, :3])
    np.testing.assert_allclose(alone, outputs[:1], atol=1e-5)


def test_probabilities_logits_and_features():
    ids = _ids()
    probabilities = predict(_model(), ids)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, atol=1e-5)

    logits_model = _model(classifier_activation=None)
    assert logits_model.default_loss().get_config()["from_logits"]
    assert not np.allclose(predict(logits_model, ids).sum(axis=-1), 1.0)

    features = _model(include_top=False, classes=None)
    assert predict(features, ids).shape == (6, SIZES["hidden_dim"])
    with pytest.raises(ValueError, match="include_top=False"):
        features.compile()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"vocabulary_size": 0}, "vocabulary_size.*0"),
        ({"max_length": -1}, "max_length.*-1"),
        ({"classes": 0}, "classes.*0"),
        ({"classes": 1}, "classes=1"),
        ({"num_layers": 0}, "num_layers.*0"),
        ({"num_heads": 3}, "num_heads.*3.*hidden_dim.*16"),
        ({"hidden_dim": 2.5}, "hidden_dim.*2.5"),
        ({"dropout": 1.0}, "dropout.*1.0"),
        ({"pooling": "max"}, "pooling.*mean.*class_token.*max"),
    ],
)
def test_bad_arguments(kwargs, match):
    arguments = {
        "vocabulary_size": VOCABULARY,
        "max_length": MAX_LENGTH,
        "classes": CLASSES,
        **SIZES,
    }
    with pytest.raises(ValueError, match=match):
        TextClassifier(**{**arguments, **kwargs})


def test_weights_from_a_file(tmp_path):
    model = _model(pooling="class_token")
    path = str(tmp_path / "classifier.weights.h5")
    model.save_weights(path)
    loaded = _model(pooling="class_token", weights=path)
    np.testing.assert_allclose(
        predict(loaded, _ids()), predict(model, _ids()), atol=1e-6
    )
    with pytest.raises(ValueError, match="weights"):
        _model(weights="no_such_weights")
