import warnings

import keras
import numpy as np
import pytest

from keras_seq.applications import RNNClassifier
from keras_seq.callbacks import GradientNormMonitor


def _linear_problem(loss_scale=None):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)).astype("float32")
    y = rng.normal(size=(8, 2)).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, name="hidden"),
            keras.layers.Dense(2, name="output"),
        ]
    )
    # A zero learning rate keeps the weights, so every step's gradient is
    # the one of the initial weights; the monitor reports it unclipped.
    factor = 128.0 if loss_scale == "factor" else None
    optimizer = keras.optimizers.SGD(0.0, clipnorm=1e-3, loss_scale_factor=factor)
    if loss_scale == "dynamic":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    model.compile(optimizer=optimizer, loss="mse")
    return model, x, y


def _expected_norms(model, x, y):
    """Gradient norms of the mean squared error of two linear layers, by hand."""
    (w1, b1), (w2, b2) = [layer.get_weights() for layer in model.layers]
    hidden = x @ w1 + b1
    error = hidden @ w2 + b2 - y
    d_out = 2 * error / error.size
    d_hidden = d_out @ w2.T
    output = np.sqrt(np.sum((hidden.T @ d_out) ** 2) + np.sum(d_out.sum(0) ** 2))
    first = np.sqrt(np.sum((x.T @ d_hidden) ** 2) + np.sum(d_hidden.sum(0) ** 2))
    return np.hypot(first, output), first, output


# Also the test that Keras still works as the monitor needs, on each backend:
# every trainer hands the step's gradients to `model.optimizer.apply()` (or a
# LossScaleOptimizer's `inner_optimizer`), and JAX's trainer carries the
# optimizer's `variables` through its compiled step. Else the norms are off.
@pytest.mark.parametrize("loss_scale", (None, "dynamic", "factor"))
def test_norms_equal_the_gradients_of_the_step(loss_scale):
    model, x, y = _linear_problem(loss_scale)
    optimizer = model.optimizer
    total, hidden, output = _expected_norms(model, x, y)
    monitor = GradientNormMonitor()
    history = model.fit(x, y, batch_size=8, epochs=2, callbacks=[monitor], verbose=0)

    assert model.optimizer is optimizer
    assert int(optimizer.iterations) == 2

    assert [record["step"] for record in monitor.records] == [1, 2]
    for record in monitor.records:
        assert record["grad_norm"] == pytest.approx(total, rel=1e-5)
        assert record["grad_norm/hidden"] == pytest.approx(hidden, rel=1e-5)
        assert record["grad_norm/output"] == pytest.approx(output, rel=1e-5)
    assert history.history["grad_norm"] == pytest.approx([total, total], rel=1e-5)
    assert history.history["grad_norm/output"] == pytest.approx([output] * 2, rel=1e-5)


def test_every_n_batches_and_global_only():
    model, x, y = _linear_problem()
    monitor = GradientNormMonitor(every_n_batches=3, per_layer=False)
    history = model.fit(x, y, batch_size=2, epochs=2, callbacks=[monitor], verbose=0)
    # 4 batches an epoch: steps 3 and 6 are logged, each epoch gets one.
    assert [record["step"] for record in monitor.records] == [3, 6]
    assert set(monitor.records[0]) == {"step", "grad_norm"}
    assert len(history.history["grad_norm"]) == 2


def test_monitor_leaves_the_model_as_it_was(tmp_path):
    model = RNNClassifier(3, vocabulary_size=20, hidden_dim=8)
    model.compile()
    ids = np.random.default_rng(0).integers(0, 20, size=(8, 5))
    labels = np.arange(8) % 3
    model.fit(ids, labels, epochs=1, verbose=0)
    count = len(model.optimizer.variables)

    optimizer = model.optimizer
    monitor = GradientNormMonitor()
    model.fit(ids, labels, batch_size=4, epochs=1, callbacks=[monitor], verbose=0)
    layers = [layer.name for layer in model.layers if layer.trainable_weights]
    assert "embedding" in layers and len(layers) >= 3
    assert set(monitor.records[0]) == {
        "step",
        "grad_norm",
        *(f"grad_norm/{name}" for name in layers),
    }
    layer_norms = [v for k, v in monitor.records[0].items() if "/" in k]
    assert monitor.records[0]["grad_norm"] == pytest.approx(
        np.hypot.reduce(layer_norms)
    )

    assert model.optimizer is optimizer
    assert len(model.optimizer.variables) == count
    history = model.fit(ids, labels, epochs=1, verbose=0)
    assert "grad_norm" not in history.history
    path = tmp_path / "model.keras"
    model.save(path)
    keras.saving.load_model(path)


def test_other_callbacks_see_the_model_optimizer(tmp_path):
    """Schedules set its learning rate; checkpoints save its state alone."""
    model, x, y = _linear_problem()
    optimizer = model.optimizer
    path = tmp_path / "checkpoint.keras"
    callbacks = [
        GradientNormMonitor(),
        keras.callbacks.LearningRateScheduler(lambda epoch, rate: 0.5**epoch),
        keras.callbacks.ModelCheckpoint(path),
    ]
    model.fit(x, y, batch_size=4, epochs=2, callbacks=callbacks, verbose=0)

    assert float(optimizer.learning_rate) == 0.5
    assert int(optimizer.iterations) == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = keras.saving.load_model(path)
    assert type(loaded.optimizer) is type(optimizer)
    saved = [keras.ops.convert_to_numpy(v) for v in loaded.optimizer.variables]
    now = [keras.ops.convert_to_numpy(v) for v in optimizer.variables]
    assert len(saved) == len(now)
    for a, b in zip(saved, now):
        np.testing.assert_allclose(a, b)


def test_a_new_fit_recovers_from_an_interrupted_one():
    class Interrupt(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise KeyboardInterrupt

    model, x, y = _linear_problem()
    optimizer = model.optimizer
    total, _, _ = _expected_norms(model, x, y)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, callbacks=[GradientNormMonitor(), Interrupt()], verbose=0)
    assert model.optimizer is not optimizer

    monitor = GradientNormMonitor()
    model.fit(x, y, batch_size=8, callbacks=[monitor], verbose=0)
    assert model.optimizer is optimizer
    assert monitor.records[0]["grad_norm"] == pytest.approx(total, rel=1e-5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="every_n_batches.*0"):
        GradientNormMonitor(every_n_batches=0)
