"""PyTorch's steps replayed from captured graphs train and predict as Keras' own.

On PyTorch a `Task`'s train, test and predict steps run the forward pass
(and the loss and its gradients) from graphs captured once per batch
signature (`keras_seq.backend.torch.graph_steps`). Against the same model run
eagerly (`run_eagerly=True`, Keras' own steps), from the same weights on
the same batches, the losses, metrics, predictions and trained weights
must agree. JAX and TensorFlow keep Keras' compiled steps; there the
same comparison holds between compiled and eager steps, and the graphs
are never used.
"""

import warnings

import keras
import numpy as np
import pytest

from keras_seq.backend.torch import captured_graphs
from keras_seq.backend.torch.captured_graphs import CapturedGraphs
from tests import application_cases
from tests.tiers import default_and_slow

ON_TORCH = keras.backend.backend() == "torch"
DEFAULT_CASES = [
    "text_classifier_mean",
    "tagger_lstm",
    "causal_lm_transformer",
    "seq2seq_transformer",
]
# Under JAX and TensorFlow the comparison is of Keras' own compiled and
# eager steps, not of ours: one case in their default run, the rest slow.
CASES = default_and_slow(
    list(application_cases.CASES),
    default=set(DEFAULT_CASES if ON_TORCH else DEFAULT_CASES[1:2]),
)


@pytest.fixture
def capture_at_once(monkeypatch):
    """Signatures are captured on their first call, not after `EAGER_CALLS`."""
    monkeypatch.setattr(captured_graphs, "EAGER_CALLS", 0)


def _train(case, run_eagerly, optimizer="adam"):
    keras.utils.set_random_seed(3)
    model = application_cases.build(case)
    model.compile(optimizer=optimizer, run_eagerly=run_eagerly)
    x, y = application_cases.batch(case, size=8, seed=1)
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    evaluation = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    predictions = model.predict(x, batch_size=4, verbose=0)
    return model, history.history, evaluation, predictions


def _assert_close(a, b, atol=1e-5):
    for left, right in zip(keras.tree.flatten(a), keras.tree.flatten(b)):
        np.testing.assert_allclose(left, right, rtol=1e-4, atol=atol)


def _assert_weights_close(model, other):
    # Adam moves a weight whose gradients are float noise by up to its
    # learning rate a step, whatever their size: compiled and eager steps
    # (XLA's float order against eager's) differ there by that much.
    _assert_close(model.get_weights(), other.get_weights(), atol=1e-4)


@pytest.mark.parametrize("case", CASES)
def test_steps_from_graphs_match_keras_eager_steps(capture_at_once, case):
    model, history, evaluation, predictions = _train(case, run_eagerly=False)
    eager, eager_history, eager_evaluation, eager_predictions = _train(
        case, run_eagerly=True
    )
    _assert_close(history, eager_history)
    _assert_close(evaluation, eager_evaluation)
    _assert_close(predictions, eager_predictions)
    _assert_weights_close(model, eager)
    steps = model._graph_steps()
    if ON_TORCH:
        # Captured, not fallen back to eager: training, then evaluation
        # and prediction (one forward graph for both).
        assert steps.gradients.captures == 1
        assert steps.forward.captures >= 1
    else:
        assert steps is None
    assert eager._graph_steps() is None


def test_loss_scaling_reaches_the_gradients(capture_at_once):
    """A LossScaleOptimizer's scale multiplies the loss the graph differentiates."""
    case = "text_classifier_mean"

    def scaled():
        return keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1))

    model, history, _, _ = _train(case, run_eagerly=False, optimizer=scaled())
    eager, eager_history, _, _ = _train(case, run_eagerly=True, optimizer=scaled())
    _assert_close(history, eager_history)
    _assert_weights_close(model, eager)


def test_dropout_draws_new_noise_at_every_step(capture_at_once):
    keras.utils.set_random_seed(0)
    model = application_cases.applications.TextClassifier(
        30, 8, 3, dropout=0.5, **application_cases.TRANSFORMER
    )
    # No update: only the dropout noise can tell the steps apart.
    model.compile(optimizer=keras.optimizers.SGD(0.0))
    x, y = application_cases.batch("text_classifier_mean", size=4)
    losses = {float(model.train_on_batch(x, y)[0]) for _ in range(4)}
    assert len(losses) > 1
    if ON_TORCH:
        assert model._graph_steps().gradients.captures == 1


def test_recompiling_drops_the_graphs(capture_at_once):
    case = "text_classifier_mean"
    model, _, _, _ = _train(case, run_eagerly=False)
    first = model._graph_steps()
    x, y = application_cases.batch(case, size=4, seed=1)
    summed = keras.losses.SparseCategoricalCrossentropy(
        from_logits=model.output_kind() == "logits", reduction="sum"
    )
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss=summed)
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    expected = summed(y, model.predict(x, verbose=0))
    np.testing.assert_allclose(
        history.history["loss"][0], keras.ops.convert_to_numpy(expected), rtol=1e-5
    )
    if ON_TORCH:
        assert model._graph_steps() is not first
        assert model._graph_steps().gradients.captures == 1


@pytest.mark.skipif(
    not ON_TORCH,
    reason="capturing is PyTorch's: JAX and TensorFlow jit Keras' steps, "
    "tested by the comparisons above on every backend",
)
def test_a_function_reading_its_values_runs_eagerly():
    """Data-dependent Python is never baked into a graph: it runs eagerly."""
    scale_by_sum = CapturedGraphs(lambda x: x * int(keras.ops.sum(x)), eager_calls=0)
    for values in ([1.0, 2.0], [3.0, 4.0]):
        x = keras.ops.convert_to_tensor(np.array(values, "float32"))
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(scale_by_sum(x)), np.array(values) * sum(values)
        )
    assert scale_by_sum.captures == 0


@pytest.mark.skipif(
    not ON_TORCH,
    reason="capturing is PyTorch's: JAX and TensorFlow jit Keras' steps, "
    "tested by the comparisons above on every backend",
)
def test_each_signature_is_captured_after_its_eager_calls():
    calls = []

    def double(x):
        calls.append(tuple(x.shape))
        return x * 2

    captured = CapturedGraphs(double, eager_calls=2)
    for rows in (1, 1, 1, 1, 3, 3, 3, 3):
        x = keras.ops.ones((rows, 2))
        np.testing.assert_allclose(keras.ops.convert_to_numpy(captured(x)), 2.0)
    # Each shape: two eager calls, one capture (Python runs), then replays.
    assert captured.captures == 2
    assert calls == [(1, 2)] * 3 + [(3, 2)] * 3


@pytest.mark.parametrize("option", ["run_eagerly", "jit_compile"])
def test_eager_and_torch_compile_keep_keras_steps(option):
    model = application_cases.build("text_classifier_mean")
    model.compile(**{option: True})
    assert model._graph_steps() is None


@pytest.mark.skipif(
    not ON_TORCH,
    reason="capturing is PyTorch's: JAX and TensorFlow jit Keras' steps, "
    "tested by the comparisons above on every backend",
)
def test_a_graph_that_cannot_be_compiled_is_replayed_with_a_warning(monkeypatch):
    import torch

    def compiler_that_fails(graph, **kwargs):
        def call(*tensors):
            raise RuntimeError("no C++ compiler found")

        return call

    monkeypatch.setattr(torch, "compile", compiler_that_fails)
    double = CapturedGraphs(lambda x: x * 2, eager_calls=0, compiles=True)
    with pytest.warns(UserWarning, match="torch.compile could not compile"):
        y = double(keras.ops.ones((2,)))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(y), 2.0)
    # Replayed from then on, warned once.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = double(keras.ops.full((2,), 3.0))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(y), 6.0)
    assert double.captures == 1
