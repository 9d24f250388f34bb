"""The held-out metrics against scikit-learn, SciPy and worked examples."""

import math

import numpy as np
import pytest
from scipy.special import log_softmax as scipy_log_softmax
from sklearn.metrics import accuracy_score
from sklearn.metrics import mean_absolute_error as sklearn_mae

from keras_seq.evaluation import metrics


def test_accuracy_and_mean_absolute_error_agree_with_scikit_learn():
    rng = np.random.default_rng(0)
    labels, predicted = rng.integers(0, 5, 200), rng.integers(0, 5, 200)
    assert metrics.accuracy(predicted, labels) == pytest.approx(
        accuracy_score(labels, predicted)
    )
    targets, forecasts = rng.normal(size=50), rng.normal(size=50)
    assert metrics.mean_absolute_error(forecasts, targets) == pytest.approx(
        sklearn_mae(targets, forecasts)
    )


@pytest.mark.parametrize(
    "a, b, distance",
    [
        ("", "", 0),
        ("abc", "", 3),
        ("", "ab", 2),
        ("kitten", "sitting", 3),
        ("Allemagne", "Alemagne", 1),
        ("flaw", "lawn", 2),
    ],
)
def test_edit_distance_of_worked_examples(a, b, distance):
    assert metrics.edit_distance(a, b) == metrics.edit_distance(b, a) == distance


def test_character_accuracy_exact_match_and_word_accuracy():
    predictions, references = ["Allemagne", "Suede"], ["Allemagne", "Suède"]
    # One substitution over 9 + 5 reference characters.
    assert metrics.character_accuracy(predictions, references) == 1 - 1 / 14
    assert metrics.exact_match(predictions, references) == 0.5
    # "one hundred" vs "one hundred five": 2 words right of 3; "two": 1 of 1.
    words = metrics.word_accuracy(["one hundred", "two"], ["one hundred five", "two"])
    assert words == 3 / 4


def test_bits_of_log_probabilities():
    logits = np.random.default_rng(1).normal(size=(6, 11))
    ids = np.array([0, 3, 10, 2, 2, 7])
    log_probs = metrics.log_softmax(logits)
    np.testing.assert_allclose(log_probs, scipy_log_softmax(logits, axis=-1))
    expected = -sum(log_probs[t, i] for t, i in enumerate(ids)) / math.log(2)
    assert metrics.bits(log_probs, ids) == pytest.approx(expected)
    # A uniform model over 8 symbols spends 3 bits a symbol.
    uniform = metrics.log_softmax(np.zeros((4, 8)))
    assert metrics.bits(uniform, [1, 2, 3, 4]) == pytest.approx(12.0)
