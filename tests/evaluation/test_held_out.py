"""Each data set's held-out figure: its examples, and models whose figure is known.

A stand-in model that predicts what a baseline predicts (persistence,
the majority class, copying the input, a uniform distribution) must get
the baseline's figure: the figure and the baselines are computed apart,
so the check is not circular. The shipped presets' figures are checked
against their cards in tests/presets/test_presets.py and, through
the command, in tests/cli/test_every_preset.py.
"""

import math
import types

import numpy as np
import pytest

from keras_seq import datasets
from keras_seq.evaluation import held_out


class StandIn:
    """A model that `predict`s or `generate`s with given functions."""

    def __init__(self, predict=None, generate=None, preprocessor=None):
        self._predict, self._generate = predict, generate
        self.preprocessor = preprocessor

    def predict(self, inputs, batch_size=None, verbose=None):
        return self._predict(inputs)

    def generate(self, inputs, sampler=None):
        assert sampler == "greedy"
        return self._generate(inputs)


def test_every_bundled_data_set_has_one_figure():
    assert sorted(held_out.FIGURES) == sorted(datasets.__all__)
    for name, figure in held_out.FIGURES.items():
        assert figure.dataset == name and held_out.get(name) is figure
        inputs, targets = figure.examples("test", count=3)
        assert len(inputs) == len(targets) == 3


def test_an_unknown_data_set_or_no_examples_is_refused():
    with pytest.raises(ValueError, match="`dataset` must be one of.*dataset='nope'"):
        held_out.get("nope")
    with pytest.raises(ValueError, match="No examples to score"):
        held_out.get("mnist").measure(StandIn(), [], [])


def test_a_persistence_forecaster_scores_the_persistence_baseline():
    figure = held_out.get("sunspots")
    windows, years = figure.examples("test")
    # (n, 24, 1) forecasts whose last step is the window's last year.
    model = StandIn(predict=lambda x: np.asarray(x, "float32"))
    [(name, baseline)] = figure.baselines(figure.examples("train"), (windows, years))
    assert name == "persistence (next year = this year)"
    value = figure.measure(model, windows, years)[figure.metric]
    assert value == pytest.approx(baseline, rel=1e-6)
    assert not figure.higher_is_better


@pytest.mark.parametrize("dataset", ["rotten_tomatoes", "mnist", "moving_digits"])
def test_a_majority_classifier_scores_the_majority_baseline(dataset):
    figure = held_out.get(dataset)
    train, test = figure.examples("train"), figure.examples("test", 300)
    classes = len(getattr(datasets, dataset).LABELS)
    majority = np.bincount(train[1], minlength=classes).argmax()
    model = StandIn(predict=lambda x: np.eye(classes)[np.full(len(x), majority)])
    [(name, baseline)] = figure.baselines(train, test)
    scores = figure.measure(model, *test)
    assert name == "majority class" and scores["accuracy"] == baseline
    assert figure.higher_is_better


def test_moving_digits_scores_the_digit_and_the_direction_apart():
    figure = held_out.get("moving_digits")
    clips, labels = figure.examples("test", 200)
    # Right direction, digit off by one: accuracy 0, direction 1.
    wrong_digit = (labels + 4) % 40
    model = StandIn(predict=lambda x: np.eye(40)[wrong_digit])
    scores = figure.measure(model, clips, labels)
    assert scores == {
        "accuracy": 0.0,
        "digit accuracy": 0.0,
        "direction accuracy": 1.0,
    }


def test_copying_translator_scores_the_copying_baseline():
    figure = held_out.get("en_fr_names")
    test = figure.examples("test")
    model = StandIn(generate=list)
    scores = figure.measure(model, *test)
    baselines = dict(figure.baselines(None, test))
    assert list(scores.values()) == list(baselines.values())
    assert len(test[0]) == 345 and all(e != f for e, f in zip(*test))


def test_hamlet_pieces_cover_the_text_once_each_after_its_context():
    inputs, pieces = held_out.get("hamlet").examples("test")
    text = datasets.hamlet.load_data("test")
    assert "".join(pieces) == text
    for index, (read, piece) in enumerate(zip(inputs, pieces)):
        assert read.endswith(piece) and len(piece) <= held_out.PIECE
        context = len(read) - len(piece)
        assert context == min(index * held_out.PIECE, held_out.CONTEXT)


class _Characters:
    """A tokenizer of 50 ids, one per character."""

    def tokenize(self, text):
        return [ord(char) % 50 for char in text]


def _uniform_bits_per_character(predict, sequence_length=None):
    """The Hamlet figure of a stand-in whose `predict` gives zero logits."""
    preprocessor = types.SimpleNamespace(tokenizer=_Characters())
    if sequence_length is not None:
        preprocessor.sequence_length = sequence_length
    figure = held_out.get("hamlet")
    inputs, pieces = figure.examples("test", 20)
    model = StandIn(predict=predict, preprocessor=preprocessor)
    return figure.measure(model, inputs, pieces)["bits per character"]


def test_a_uniform_language_model_spends_log2_of_its_vocabulary():
    value = _uniform_bits_per_character(
        lambda x: np.zeros(
            (len(x), held_out.CONTEXT + held_out.PIECE + 1, 50), "float32"
        )
    )
    assert value == pytest.approx(math.log2(50))


def test_the_commonest_caption_scores_its_baseline():
    figure = held_out.get("digit_captions")
    train, test = figure.examples("train"), figure.examples("test", 250)
    baselines = dict(figure.baselines(train, test))
    commonest = max(set(train[1]), key=list(train[1]).count)
    model = StandIn(generate=lambda images: [commonest] * len(images))
    scores = figure.measure(model, *test)
    assert list(scores.values()) == list(baselines.values())


def test_a_language_model_of_fewer_positions_reads_less_context():
    # `keras-seq train` builds models of 128 positions: each piece is read
    # after as much of its context as fits.
    def predict(inputs):
        assert max(map(len, inputs)) <= 127
        return np.zeros((len(inputs), 128, 50), "float32")

    value = _uniform_bits_per_character(predict, sequence_length=128)
    assert value == pytest.approx(math.log2(50))
