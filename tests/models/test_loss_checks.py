"""`compile()` refuses a loss that reads the other kind of outputs.

Keras' cross-entropies default to `from_logits=False`: given to a model
that outputs logits, the loss is computed wrong and training goes astray
with no warning (a CausalLM's loss rose 9.38 -> 10.26 -> 12.17).
"""

import keras
import numpy as np
import pytest

from tests import application_cases as cases
from tests.tiers import default_and_slow

PROBABILITY_LOSSES = [
    "sparse_categorical_crossentropy",
    "SparseCategoricalCrossentropy",
    lambda: keras.losses.SparseCategoricalCrossentropy(),
    lambda: keras.losses.sparse_categorical_crossentropy,
    "categorical_crossentropy",
]


def _loss(loss):
    return loss() if callable(loss) and not isinstance(loss, str) else loss


@pytest.mark.parametrize("case", ["causal_lm_transformer", "seq2seq_lstm"])
@pytest.mark.parametrize("loss", range(len(PROBABILITY_LOSSES)))
def test_a_probability_loss_on_logits_is_refused(case, loss):
    model = cases.build(case)
    with pytest.raises(ValueError, match=r"outputs logits.*from_logits=False"):
        model.compile(loss=_loss(PROBABILITY_LOSSES[loss]))


def test_a_logits_loss_on_probabilities_is_refused():
    model = cases.build("text_classifier_mean")  # softmax head
    with pytest.raises(ValueError, match=r"outputs probabilities.*from_logits=True"):
        model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.compile(loss="sparse_categorical_crossentropy")


def test_a_logits_classifier_refuses_a_probability_loss():
    model = cases.build("text_classifier_mean", classifier_activation=None)
    with pytest.raises(ValueError, match="from_logits"):
        model.compile(loss="sparse_categorical_crossentropy")
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))


MATCHING_LOSSES = [
    ("causal_lm_transformer", "auto"),
    ("causal_lm_transformer", "mse"),
    ("seq2seq_transformer", keras.losses.SparseCategoricalCrossentropy(True)),
    ("text_classifier_mean", "auto"),
    ("vit", keras.losses.SparseCategoricalCrossentropy()),
]


@pytest.mark.parametrize(
    "case, loss",
    default_and_slow(MATCHING_LOSSES, {MATCHING_LOSSES[0], MATCHING_LOSSES[4]}),
)
def test_a_matching_loss_trains(case, loss):
    model = cases.build(case)
    model.compile(loss=loss, metrics=[])
    x, y = cases.batch(case)
    if loss == "mse":
        y = keras.utils.to_categorical(y, cases.VOCABULARY)
    history = model.fit(x, y, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_features_check_nothing():
    model = cases.build("text_classifier_mean", include_top=False)
    model.compile(loss="sparse_categorical_crossentropy")
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
