"""Training on 8 devices with keras.distribution, under JAX.

Not collected by itself: `test_multi_device.py` runs this file in a
subprocess whose JAX sees 8 virtual CPU devices
(`XLA_FLAGS=--xla_force_host_platform_device_count=8`, which must be set
before JAX starts). Run alone, it needs the same:

    XLA_FLAGS=--xla_force_host_platform_device_count=8 KERAS_BACKEND=jax \
        pytest tests/distribution/multi_device_checks.py

Every check compares a distributed run with one device from the same
weights on the same global batches.
"""

import functools
import os

import keras
import numpy as np
import pytest

from keras_seq import distribution
from tests import application_cases
from tests.tiers import default_and_slow

DEVICES = 8


def _device_count():
    if keras.backend.backend() != "jax":
        return 0
    import jax

    return jax.device_count()


pytestmark = [
    pytest.mark.multi_device,
    pytest.mark.skipif(
        _device_count() < DEVICES,
        reason=f"needs JAX with {DEVICES} devices (test_multi_device.py runs "
        "this file with 8 virtual CPU devices)",
    ),
]


def build(name):
    """Case `name` with 4 heads, so that a model axis of 4 divides them."""
    builder, arguments, _ = application_cases.CASES[name]
    if "num_heads" in arguments:
        arguments = {**arguments, "num_heads": 4}
    return builder(**arguments, dropout=0.0)


class StepLosses(keras.callbacks.Callback):
    """The loss after every training step (Keras' running mean of the epoch)."""

    def on_train_begin(self, logs=None):
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))


def train(model, x, y, epochs=2):
    model.compile()
    steps = StepLosses()
    model.fit(
        x, y, batch_size=8, epochs=epochs, shuffle=False, verbose=0, callbacks=[steps]
    )
    return np.array(steps.losses)


@functools.cache
def one_device(name):
    """`(initial weights, losses, trained model)` of case `name` on one device."""
    keras.utils.set_random_seed(1)
    model = build(name)
    weights = model.get_weights()
    x, y = application_cases.batch(name, size=16)
    return weights, train(model, x, y), model


def distributed(name, strategy):
    """`(losses, model)` of case `name` trained under `strategy`."""
    weights, _, _ = one_device(name)
    with strategy.scope():
        model = build(name)
    model.set_weights(weights)
    x, y = application_cases.batch(name, size=16)
    return train(model, x, y), model


def mesh_2x4():
    return keras.distribution.DeviceMesh(
        (2, 4), ("batch", "model"), keras.distribution.list_devices()
    )


def model_parallel(name):
    return keras.distribution.ModelParallel(
        layout_map=distribution.layout_map(build(name), mesh_2x4()),
        batch_dim_name="batch",
    )


def _padded(spec, rank):
    axes = tuple(spec) + (None,) * (rank - len(tuple(spec)))
    return tuple(None if axis is None else axis for axis in axes)


LOSS_CASES = ["text_classifier_mean", "vit", "causal_lm_transformer"]


@pytest.mark.parametrize("name", LOSS_CASES)
def test_data_parallel_gives_the_losses_of_one_device(name):
    losses, model = distributed(name, keras.distribution.DataParallel())
    np.testing.assert_allclose(losses, one_device(name)[1], atol=1e-5, rtol=0)
    kernel = model.trainable_weights[0].value
    assert len(kernel.sharding.device_set) == DEVICES
    assert kernel.sharding.is_fully_replicated


@pytest.mark.parametrize(
    "name", default_and_slow(LOSS_CASES, default={"text_classifier_mean"})
)
def test_model_parallel_on_2x4_matches_one_device_and_shards_as_named(name, tmp_path):
    losses, model = distributed(name, model_parallel(name))
    np.testing.assert_allclose(losses, one_device(name)[1], atol=1e-5, rtol=0)

    layouts = distribution.layout_map(model, mesh_2x4())
    split = 0
    for variable in model.weights:
        sharding = variable.value.sharding
        layout = layouts[variable.path]
        if layout is None:
            assert sharding.is_fully_replicated, variable.path
        else:
            split += 1
            assert _padded(sharding.spec, len(variable.shape)) == tuple(layout.axes), (
                variable.path
            )
            assert not sharding.is_fully_replicated, variable.path
    assert split >= 6 * application_cases.TRANSFORMER["num_layers"]

    # Saved sharded, loaded on one device: the same predictions.
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    x, _ = application_cases.batch(name, size=16)
    loaded = keras.saving.load_model(path)  # no distribution: one device
    assert all(len(v.value.sharding.device_set) == 1 for v in loaded.weights)
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5
    )


def test_generation_of_a_model_parallel_causal_lm_equals_one_device():
    name = "causal_lm_transformer"
    keras.utils.set_random_seed(1)
    reference = build(name)
    with model_parallel(name).scope():
        model = build(name)
    model.set_weights(reference.get_weights())
    prompts = np.array([[5, 9, 2, 0], [7, 3, 0, 0]], "int32")
    expected = reference.generate(prompts, max_length=8, sampler="greedy")
    np.testing.assert_array_equal(
        model.generate(prompts, max_length=8, sampler="greedy"), expected
    )


def _raw_text_classifier():
    from keras_seq.applications import TextClassifier
    from keras_seq.preprocessing import TextClassifierPreprocessor
    from keras_seq.preprocessing import character_tokenizer

    texts = [f"review {i}: " + "good " * (i % 5) + "bad " * (i % 3) for i in range(16)]
    tokenizer = character_tokenizer(texts)
    model = TextClassifier(
        vocabulary_size=tokenizer.vocabulary_size(),
        max_length=48,
        classes=2,
        num_layers=1,
        num_heads=4,
        hidden_dim=16,
        intermediate_dim=32,
        dropout=0.0,
        preprocessor=TextClassifierPreprocessor(tokenizer, 48),
    )
    return model, texts, np.arange(16) % 2


@pytest.mark.slow
def test_data_parallel_takes_raw_inputs_through_the_preprocessor():
    keras.utils.set_random_seed(1)
    reference, texts, labels = _raw_text_classifier()
    with keras.distribution.DataParallel().scope():
        keras.utils.set_random_seed(1)
        model, _, _ = _raw_text_classifier()
    model.set_weights(reference.get_weights())
    np.testing.assert_allclose(
        train(model, texts, labels), train(reference, texts, labels), atol=1e-5
    )
    # 5 texts: predict pads them to a batch of 8, one row a device.
    np.testing.assert_allclose(
        model.predict(texts[:5], verbose=0),
        reference.predict(texts[:5], verbose=0),
        atol=1e-5,
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", list(application_cases.CASES))
def test_data_parallel_trains_every_application(name):
    losses, _ = distributed(name, keras.distribution.DataParallel())
    np.testing.assert_allclose(losses, one_device(name)[1], atol=1e-5, rtol=0)


@pytest.mark.parametrize(
    "flags", default_and_slow(["--mesh 2x4", "--devices 8"], default={"--mesh 2x4"})
)
def test_keras_seq_train_runs_on_the_devices(flags, tmp_path, capsys):
    from keras_seq.cli import main

    output = str(tmp_path / "run")
    status = main(
        [
            "train",
            "text_classifier",
            "--tiny",
            "--limit",
            "40",
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--output",
            output,
            *flags.split(),
        ]
    )
    captured = capsys.readouterr()
    assert status == 0, captured.err[-2000:]
    kind = (
        "model-parallel on a 2x4 mesh"
        if flags.startswith("--mesh")
        else "data-parallel over 8"
    )
    assert kind in captured.err
    assert (
        "8 training and 8 validation examples past the last whole batch" in captured.err
    )
    loaded = keras.saving.load_model(os.path.join(output, "model.keras"))
    assert loaded.predict(["a fine film", "dull"], verbose=0).shape == (2, 2)


def test_a_mesh_that_does_not_divide_the_heads_fails_in_one_line(capsys):
    from keras_seq.cli import main

    status = main(
        [
            "train",
            "text_classifier",
            "--tiny",
            "--limit",
            "16",
            "--batch-size",
            "8",
            "--mesh",
            "1x8",
            "--output",
            "/nonexistent/never-written",
        ]
    )
    assert status == 2
    assert "do not split over 8 devices" in capsys.readouterr().err.splitlines()[-1]
