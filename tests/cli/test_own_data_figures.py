"""The figure of a model on a user's data (`held_out.for_data`), with stand-ins.

A stand-in that predicts what a baseline predicts gets the baseline's
figure: the figure and the baseline are computed apart.
"""

import numpy as np
import pytest

from keras_seq.data import Data
from keras_seq.data import Split
from keras_seq.evaluation import held_out
from tests.evaluation.test_held_out import StandIn


def _data(train, test, labels=None):
    return Data(Split(*train), Split(*test), Split(*test), "text", labels, "mine.csv")


def test_a_majority_classifier_scores_the_majority_baseline():
    train = (["a"] * 5, np.array([1, 1, 1, 0, 1]))
    test = (["b"] * 4, np.array([1, 0, 1, 1]))
    figure = held_out.for_data(_data(train, test, ("no", "yes")), "TextClassifier")
    model = StandIn(predict=lambda x: np.tile([[0.2, 0.8]], (len(x), 1)))
    scores = figure.measure(model, *figure.examples("test"))
    assert scores == {"accuracy": 0.75}
    assert figure.baselines(figure.examples("train"), figure.examples("test")) == [
        ("majority class", 0.75)
    ]


def test_a_copying_translator_scores_the_copy_baseline():
    test = (["paris", "rome"], ["sirap", "rome"])
    figure = held_out.for_data(_data(test, test), "Seq2SeqTransformer")
    scores = figure.measure(StandIn(generate=list), *figure.examples("test"))
    baselines = dict(figure.baselines(None, figure.examples("test")))
    assert list(scores.values()) == list(baselines.values())
    assert next(iter(baselines)) == "copy the input"
    assert next(iter(scores)).startswith("character accuracy (greedy")


def test_a_corpus_is_scored_against_its_training_character_frequencies():
    figure = held_out.for_data(_data(("aab", None), ("ab", None)), "CausalLM")
    baselines = figure.baselines(figure.examples("train"), figure.examples("test"))
    # Add-one over {a, b, unseen}: p(a) = 3/6, p(b) = 2/6.
    expected = (np.log2(2) + np.log2(3)) / 2
    assert baselines == [("character frequencies (add-one)", pytest.approx(expected))]
    assert figure.metric == "bits per character"


def test_no_figure_for_a_builder_without_one():
    test = (["x"], None)
    with pytest.raises(ValueError, match="`builder` must be one whose figure"):
        held_out.for_data(_data(test, test), "Unknown")
