"""The metrics of the held-out figures: NumPy functions of predictions and targets.

Each takes what a model produced (class ids, forecasts, texts, log
probabilities) and the references, and returns a float; none calls a
model. `keras_seq.evaluation.held_out` says which metric scores which data
set.

Example:

>>> from keras_seq.evaluation import metrics
>>> metrics.character_accuracy(["Allemagne"], ["Allemagne"])
1.0
>>> round(metrics.character_accuracy(["Alemagne"], ["Allemagne"]), 4)
0.8889
"""

import math

import numpy as np


def accuracy(predicted, labels):
    """The share of `predicted` class ids equal to their `labels`."""
    return float(np.mean(np.asarray(predicted) == np.asarray(labels)))


def mean_absolute_error(forecasts, targets):
    """The mean of `|forecast - target|`."""
    difference = np.asarray(forecasts, "float64") - np.asarray(targets, "float64")
    return float(np.mean(np.abs(difference)))


def exact_match(predictions, references):
    """The share of predicted texts equal to their reference."""
    return float(np.mean([p == r for p, r in zip(predictions, references)]))


def edit_distance(a, b):
    """Levenshtein distance: the fewest insertions, deletions and substitutions."""
    row = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, char_b in enumerate(b, start=1):
            previous, row[j] = (
                row[j],
                min(row[j] + 1, row[j - 1] + 1, previous + (char_a != char_b)),
            )
    return row[-1]


def character_accuracy(predictions, references):
    """1 - the edits from predictions to references / the reference characters."""
    edits = sum(edit_distance(p, r) for p, r in zip(predictions, references))
    return 1.0 - edits / sum(map(len, references))


def word_accuracy(predictions, references):
    """Words equal at the same position, over the longer word count of each pair."""
    right, total = 0, 0
    for prediction, reference in zip(predictions, references):
        prediction, reference = prediction.split(), reference.split()
        right += sum(a == b for a, b in zip(prediction, reference))
        total += max(len(prediction), len(reference))
    return right / total


def log_softmax(logits):
    """`log softmax` over the last axis, in float64."""
    logits = np.asarray(logits, "float64")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def bits(log_probs, ids):
    """`-log2 p` summed over positions: `log_probs[t, ids[t]]` in nats."""
    log_probs = np.asarray(log_probs)
    return float(-log_probs[np.arange(len(ids)), ids].sum() / math.log(2))
