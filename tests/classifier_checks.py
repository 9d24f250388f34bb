"""The contract every classifier and tagger application honours, in one place."""

import keras
import numpy as np


def check_classifier(model, x, y, expected_shape, tmp_path, epochs=8):
    """Runs the application contract on `model`.

    Checks, in order: `compile()` with the defaults and `fit` lower the
    loss on a tiny batch; `predict` gives finite outputs of
    `expected_shape`; `get_config`/`from_config` round-trip (the clone,
    given the weights, predicts the same); a `.keras` file loads back as
    the same class with the same predictions.
    """
    model.compile()
    history = model.fit(x, y, batch_size=len(y), epochs=epochs, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0], losses

    outputs = model.predict(x, verbose=0)
    assert outputs.shape == expected_shape
    assert np.all(np.isfinite(outputs))

    config = model.get_config()
    clone = type(model).from_config(config)
    assert clone.get_config() == config
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(predict(clone, x), outputs, atol=1e-5)

    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    assert loaded.get_config() == config
    np.testing.assert_allclose(predict(loaded, x), outputs, atol=1e-5)
    return model


def predict(model, x):
    """Eager inference outputs as NumPy (no `predict` loop: fast for one batch)."""
    return keras.ops.convert_to_numpy(model(x, training=False))
