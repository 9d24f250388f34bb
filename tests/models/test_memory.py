"""`Task.compile(gradient_accumulation_steps=N, remat=True)`: Keras' memory savers.

Accumulating the gradients of N batches of b examples trains as one batch
of N * b (plain SGD, so the update is the averaged gradient's); recomputing
the transformer layers in the backward pass gives the same loss and
gradients as keeping their activations.
"""

import keras
import numpy as np
import pytest

from keras_seq.applications import RNNClassifier
from keras_seq.applications import TextClassifier
from keras_seq.models.memory import transformer_layers

_X = np.random.default_rng(0).integers(1, 50, size=(8, 8))
_Y = np.random.default_rng(1).integers(0, 2, size=(8,))


def _model(dropout=0.0):
    keras.utils.set_random_seed(0)
    return TextClassifier(
        50,
        8,
        2,
        num_layers=1,
        num_heads=2,
        hidden_dim=16,
        intermediate_dim=32,
        dropout=dropout,
    )


def _trained(batch_size, **options):
    model = _model()
    model.compile(optimizer=keras.optimizers.SGD(0.5), **options)
    history = model.fit(
        _X, _Y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0
    )
    return model, history.history["loss"][0]


def _max_difference(first, second):
    return max(
        float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
        for a, b in zip(first.weights, second.weights)
    )


def test_accumulating_four_batches_of_two_equals_one_batch_of_eight():
    whole, _ = _trained(8)
    accumulated, _ = _trained(2, gradient_accumulation_steps=4)
    assert accumulated.optimizer.gradient_accumulation_steps == 4
    assert _max_difference(whole, _model()) > 1e-2  # the step did move them
    # (Four updates of two examples would land elsewhere.)
    assert _max_difference(whole, accumulated) < 1e-5


def test_remat_gives_the_same_loss_and_update(monkeypatch):
    kept, kept_loss = _trained(8)
    wrapped = []
    remat = keras.remat
    monkeypatch.setattr(keras, "remat", lambda f: wrapped.append(f) or remat(f))
    recomputed, recomputed_loss = _trained(8, remat=True)
    assert wrapped  # the training step went through keras.remat
    (layer,) = transformer_layers(recomputed)
    assert layer.call.__wrapped__.__func__ is type(layer).call  # keras.remat's
    np.testing.assert_allclose(recomputed_loss, kept_loss, rtol=1e-6)
    assert _max_difference(kept, recomputed) < 1e-5
    # The flag is undone by compiling without it: the layers' own call again.
    recomputed.compile(remat=False)
    assert layer.call.__func__ is type(layer).call


@pytest.mark.parametrize("steps", [0, -2, 2.5, "2", True])
def test_bad_accumulation_steps_are_refused(steps):
    with pytest.raises(ValueError, match="`gradient_accumulation_steps` must be"):
        _model().compile(gradient_accumulation_steps=steps)


def test_accumulation_refuses_an_optimizer_that_trained():
    model, _ = _trained(8)
    with pytest.raises(ValueError, match="has not trained yet"):
        model.compile(optimizer=model.optimizer, gradient_accumulation_steps=2)


def test_remat_is_refused_without_transformers_and_not_a_bool():
    # (With dropout it is allowed: tests/models/test_memory_dropout.py.)
    recurrent = RNNClassifier(2, input_shape=(None, 3), hidden_dim=4)
    with pytest.raises(ValueError, match="has none"):
        recurrent.compile(remat=True)
    with pytest.raises(ValueError, match="`remat` must be True or False"):
        _model().compile(remat="yes")
