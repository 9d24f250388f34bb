import keras
import numpy as np
import pytest

from keras_seq.applications import RNNClassifier
from keras_seq.callbacks import GradientNormMonitor


def _linear_problem(loss_scale=False):
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
    optimizer = keras.optimizers.SGD(0.0, clipnorm=1e-3)
    if loss_scale:
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


@pytest.mark.parametrize("loss_scale", (False, True))
def test_norms_equal_the_gradients_of_the_step(loss_scale):
    model, x, y = _linear_problem(loss_scale)
    total, hidden, output = _expected_norms(model, x, y)
    monitor = GradientNormMonitor()
    history = model.fit(x, y, batch_size=8, epochs=2, callbacks=[monitor], verbose=0)

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

    monitor = GradientNormMonitor()
    model.fit(ids, labels, batch_size=4, epochs=1, callbacks=[monitor], verbose=0)
    assert set(monitor.records[0]) == {
        "step",
        "grad_norm",
        "grad_norm/embedding",
        "grad_norm/rnn_0",
        "grad_norm/predictions",
    }
    layer_norms = [v for k, v in monitor.records[0].items() if "/" in k]
    assert monitor.records[0]["grad_norm"] == pytest.approx(
        np.hypot.reduce(layer_norms)
    )

    assert len(model.optimizer.variables) == count
    history = model.fit(ids, labels, epochs=1, verbose=0)
    assert "grad_norm" not in history.history
    path = tmp_path / "model.keras"
    model.save(path)
    keras.saving.load_model(path)


def test_bad_arguments():
    with pytest.raises(ValueError, match="every_n_batches.*0"):
        GradientNormMonitor(every_n_batches=0)
