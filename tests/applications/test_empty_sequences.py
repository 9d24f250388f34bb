"""A row of padding only (an empty review) must not harm a model.

Its outputs are finite, and with loss weight 0 it changes no weight: a
training step on a batch with it equals the step on the batch without
it, on every application whose inputs can be padded.
"""

import keras
import numpy as np
import pytest

from tests.application_cases import PADDABLE
from tests.application_cases import batch
from tests.application_cases import build
from tests.application_cases import with_empty_row
from tests.tiers import default_and_slow


def _compiled_copy(name, weights):
    model = build(name)
    model.set_weights(weights)
    loss = model.default_loss()
    # Summed, not averaged over the batch: one more row, even of weight
    # 0, would otherwise rescale every gradient.
    loss.reduction = "sum"
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss=loss)
    return model


@pytest.mark.parametrize(
    "name",
    default_and_slow(
        PADDABLE,
        default={"text_classifier_mean", "causal_lm_transformer", "seq2seq_lstm"},
    ),
)
def test_empty_row_is_finite_and_changes_no_weight(name):
    keras.utils.set_random_seed(0)
    initial = build(name).get_weights()
    x, y = batch(name)
    x_empty, y_empty = with_empty_row(name, x, y)

    model = _compiled_copy(name, initial)
    outputs = keras.ops.convert_to_numpy(model(x_empty, training=False))
    assert np.all(np.isfinite(outputs)), "the empty row's outputs are not finite"

    model.fit(x, y, batch_size=len(y), epochs=1, shuffle=False, verbose=0)
    with_empty = _compiled_copy(name, initial)
    # Per sequence, or per step for per-step targets.
    row_weights = np.array([1.0] * len(y) + [0.0]).reshape((-1,) + (1,) * (y.ndim - 1))
    with_empty.fit(
        x_empty,
        y_empty,
        sample_weight=np.broadcast_to(row_weights, y_empty.shape),
        batch_size=len(y_empty),
        epochs=1,
        shuffle=False,
        verbose=0,
    )
    for expected, actual, variable in zip(
        model.get_weights(), with_empty.get_weights(), model.weights
    ):
        assert np.all(np.isfinite(actual)), f"{variable.path} is not finite"
        # rtol: one more row changes the order of the float sums.
        np.testing.assert_allclose(
            actual, expected, rtol=1e-6, atol=1e-6, err_msg=variable.path
        )
