import numpy as np
import pytest

from keras_seq.applications import SequenceTagger
from tests.classifier_checks import check_classifier
from tests.classifier_checks import predict

VOCABULARY, MAX_LENGTH, CLASSES, FEATURES = 20, 10, 4, 2
SIZES = {
    "num_layers": 1,
    "num_heads": 2,
    "hidden_dim": 16,
    "intermediate_dim": 32,
    "dropout": 0.0,
}
LENGTHS = (3, 6, 7, 7, 7, 7)


def _ids():
    ids = np.random.default_rng(0).integers(1, VOCABULARY, size=(6, 7))
    for row, length in enumerate(LENGTHS):
        ids[row, length:] = 0
    return ids


def _values():
    values = np.random.default_rng(1).normal(size=(6, 7, FEATURES)).astype("float32")
    for row, length in enumerate(LENGTHS):
        values[row, length:] = 0.0
    return values


def _tags():
    return np.random.default_rng(2).integers(0, CLASSES, size=(6, 7))


def _model(backbone, numeric=False, **kwargs):
    inputs = {"input_shape": (None, FEATURES)} if numeric else {}
    inputs = inputs or {"vocabulary_size": VOCABULARY}
    return SequenceTagger(
        kwargs.pop("classes", CLASSES),
        backbone=backbone,
        max_length=MAX_LENGTH,
        **inputs,
        **{**SIZES, **kwargs},
    )


@pytest.mark.parametrize(
    "backbone, numeric, bidirectional",
    [("transformer", False, None), ("lstm", True, True)],
)
def test_fit_predict_config_and_save(backbone, numeric, bidirectional, tmp_path):
    model = _model(backbone, numeric, bidirectional=bidirectional)
    x = _values() if numeric else _ids()
    check_classifier(model, x, _tags(), (6, 7, CLASSES), tmp_path)


def test_per_step_regression(tmp_path):
    model = _model("simple_rnn", numeric=True, classes=1, classifier_activation=None)
    targets = np.cumsum(_values()[..., :1], axis=1)
    check_classifier(model, _values(), targets, (6, 7, 1), tmp_path)


@pytest.mark.parametrize(
    "backbone, numeric, bidirectional",
    [
        ("transformer", False, None),
        ("transformer", True, None),
        ("lstm", False, True),
        ("gru", True, False),
    ],
)
def test_padding_does_not_change_outputs(backbone, numeric, bidirectional):
    model = _model(backbone, numeric, bidirectional=bidirectional)
    x = _values() if numeric else _ids()
    outputs = predict(model, x)
    padding = ((0, 0), (0, 3)) + ((0, 0),) * (x.ndim - 2)
    padded = predict(model, np.pad(x, padding))
    np.testing.assert_allclose(padded[:, :7], outputs, atol=1e-5)
    alone = predict(model, x[:1, : LENGTHS[0]])
    np.testing.assert_allclose(alone, outputs[:1, : LENGTHS[0]], atol=1e-5)


@pytest.mark.parametrize("backbone", ("transformer", "lstm"))
def test_padded_steps_carry_no_loss(backbone):
    model = _model(backbone)
    model.compile()
    ids, tags = _ids(), _tags()
    other_tags = np.where(ids == 0, (tags + 1) % CLASSES, tags)
    loss, accuracy = model.evaluate(ids, tags, verbose=0)
    assert model.evaluate(ids, other_tags, verbose=0) == pytest.approx([loss, accuracy])

    # The loss is the mean cross-entropy over the real steps only.
    probabilities = predict(model, ids)
    real = ids != 0
    picked = np.take_along_axis(probabilities, tags[..., None], axis=-1)[..., 0]
    assert loss == pytest.approx(-np.log(picked[real]).mean(), rel=1e-4)
    hits = probabilities.argmax(axis=-1) == tags
    assert accuracy == pytest.approx(hits[real].mean(), rel=1e-4)


def test_causal_recurrent_tagger_ignores_later_steps():
    model = _model("lstm", numeric=True)
    values = _values()
    changed = values.copy()
    changed[:, 4:] += 1.0
    np.testing.assert_allclose(
        predict(model, changed)[:, :4], predict(model, values)[:, :4], atol=1e-6
    )


def test_max_length_defaults_to_the_input_length():
    model = SequenceTagger(CLASSES, input_shape=(7, FEATURES), **SIZES)
    assert model.get_config()["max_length"] == 7


@pytest.mark.parametrize("backbone", ["transformer", "gru"])
def test_forward_only_taggers_do_not_see_ahead(backbone):
    model = _model(backbone, numeric=True, bidirectional=False)
    x = _values()
    changed = x.copy()
    changed[:, 4:] = np.random.default_rng(9).normal(size=changed[:, 4:].shape)
    np.testing.assert_allclose(
        predict(model, changed)[:, :4], predict(model, x)[:, :4], atol=1e-5
    )
    assert not np.allclose(predict(model, changed)[:, 4:], predict(model, x)[:, 4:])


def test_features_without_top():
    model = _model("transformer", include_top=False, classes=None)
    assert predict(model, _ids()).shape == (6, 7, SIZES["hidden_dim"])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"backbone": "cnn"}, "backbone.*transformer.*simple_rnn.*lstm.*gru.*cnn"),
        ({"max_length": None}, "max_length.*required"),
        ({"max_length": 0}, "max_length.*0"),
        ({"vocabulary_size": None}, "exactly one of `vocabulary_size`"),
        ({"num_heads": 3}, "num_heads.*3"),
        ({"backbone": "gru", "hidden_dim": -1}, "hidden_dim.*-1"),
        ({"classes": 1}, "classes=1"),
    ],
)
def test_bad_arguments(kwargs, match):
    arguments = {
        "classes": CLASSES,
        "vocabulary_size": VOCABULARY,
        "max_length": MAX_LENGTH,
        **SIZES,
        **kwargs,
    }
    with pytest.raises(ValueError, match=match):
        SequenceTagger(**arguments)


def test_rescale_outputs_moves_a_forecaster_into_the_targets_units(tmp_path):
    import keras

    model = SequenceTagger(
        classes=2, classifier_activation=None, backbone="gru", input_shape=(None, 3)
    )
    series = np.random.default_rng(0).normal(size=(4, 7, 3)).astype("float32")
    before = model.predict(series, verbose=0)
    model.rescale_outputs([2.0, 0.5], [100.0, -1.0])
    after = model.predict(series, verbose=0)
    np.testing.assert_allclose(after, before * [2.0, 0.5] + [100.0, -1.0], rtol=1e-5)
    # The new units are in the weights: they survive saving.
    model.save(tmp_path / "forecaster.keras")
    reloaded = keras.saving.load_model(tmp_path / "forecaster.keras")
    np.testing.assert_allclose(reloaded.predict(series, verbose=0), after, rtol=1e-6)


def test_rescale_outputs_refuses_probabilities():
    model = SequenceTagger(classes=3, vocabulary_size=20, max_length=8)
    with pytest.raises(ValueError, match="applies to a regression output.*'softmax'"):
        model.rescale_outputs(2.0)
