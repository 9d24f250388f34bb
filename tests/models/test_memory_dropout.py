"""`Task.compile(remat=True)` with dropout: the recomputation replays the masks.

A recomputed layer draws one seed per call outside `keras.remat` and its
dropouts draw from it (keras_seq/models/memory.py), so the backward pass
recomputes the activations of the masks the forward pass drew: one step
under `keras.remat` moves the weights exactly as the same step without
it. The masks still change from one step to the next, and inference has
none.
"""

import keras
import numpy as np

from keras_seq.models.memory import transformer_layers
from tests.models.test_memory import _model

_X = np.random.default_rng(0).integers(1, 50, size=(8, 8))
_Y = np.random.default_rng(1).integers(0, 2, size=(8,))


def _one_step(dropout=0.3, remat=True, seed=None):
    model = _model(dropout)
    if seed is not None:  # other masks: the layers draw from another seed
        for layer in model._flatten_layers():
            if isinstance(layer, keras.layers.Dropout) and layer.rate:
                layer.seed_generator.state.assign([seed, 0])
    model.compile(optimizer=keras.optimizers.SGD(1.0), remat=remat)
    model.fit(_X, _Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    return model


def _numpy(tensor):
    return keras.ops.convert_to_numpy(tensor)


def _max_difference(first, second):
    return max(
        float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
        for a, b in zip(first.trainable_weights, second.trainable_weights)
    )


def test_the_recomputation_replays_the_forward_passes_masks(monkeypatch):
    recomputed = _one_step()
    with monkeypatch.context() as patch:
        patch.setattr(keras, "remat", lambda function: function)
        kept = _one_step()  # the same seeded masks, activations kept
    # SGD(1.0): the weights moved by the gradients; their difference is the
    # gradients' difference.
    assert _max_difference(kept, recomputed) < 1e-5
    assert _max_difference(kept, _model(0.3)) > 1e-2  # the step did move them
    # The masks matter: with other ones, the step moves elsewhere.
    assert _max_difference(recomputed, _one_step(seed=12345)) > 1e-3


def test_masks_change_from_call_to_call_and_inference_has_none():
    model = _model(0.3)
    model.compile(remat=True)
    x = keras.ops.convert_to_tensor(_X)
    first, second = (_numpy(model(x, training=True)) for _ in range(2))
    assert np.max(np.abs(first - second)) > 1e-4
    inferred = _numpy(model(x, training=False))
    np.testing.assert_allclose(_numpy(model(x, training=False)), inferred)
    model.compile(remat=False)
    np.testing.assert_allclose(
        _numpy(model(x, training=False)), inferred, rtol=1e-5, atol=1e-6
    )


def test_fit_draws_a_seed_a_step_trains_and_the_saved_model_reloads():
    model = _model(0.1)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), remat=True)
    (layer,) = transformer_layers(model)
    state = layer.dropout_layer.seed_generator.state
    before = np.array(_numpy(state.value))  # a copy
    history = model.fit(_X, _Y, batch_size=4, epochs=6, shuffle=False, verbose=0)
    # In the compiled step, one seed a layer call: 2 steps an epoch.
    assert (_numpy(state.value) - before).tolist() == [0, 12]
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0], losses
    model.save("model.keras")
    loaded = keras.saving.load_model("model.keras")
    x = keras.ops.convert_to_tensor(_X)
    np.testing.assert_allclose(
        _numpy(loaded(x, training=False)), _numpy(model(x, training=False)), atol=1e-6
    )
