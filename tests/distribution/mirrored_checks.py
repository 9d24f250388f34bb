"""`fit` in tf.distribute.MirroredStrategy over 2 logical CPU devices.

Not collected by itself: `test_multi_device.py` runs this file in a
fresh TensorFlow process, with `KERAS_SEQ_MIRRORED_CHECKS=1`, which
splits the CPU into 2 logical devices before TensorFlow starts.

One strategy serves the whole process. A second MirroredStrategy over the
same devices starts its collective keys where the first one's did, and
its first gradient all-reduce meets the shapes the first one left
("Shape mismatch in the collective instance 100 ... expected shape [323]
but another member in the group expected shape [51]", with plain Keras
models as well).
"""

import os

import keras
import numpy as np
import pytest

from tests import application_cases
from tests.tiers import default_and_slow

ENABLED = (
    os.environ.get("KERAS_SEQ_MIRRORED_CHECKS") == "1"
    and keras.backend.backend() == "tensorflow"
)

if ENABLED:
    import tensorflow as tf

    _cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        _cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    STRATEGY = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])

pytestmark = [
    pytest.mark.multi_device,
    pytest.mark.skipif(
        not ENABLED,
        reason="run by test_multi_device.py under TensorFlow "
        "(KERAS_SEQ_MIRRORED_CHECKS=1 before TensorFlow starts)",
    ),
]


def _train(model, x, y):
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return np.array(history.history["loss"])


def _both(name):
    """`(losses on one device, losses mirrored, mirrored model)`, same weights."""
    x, y = application_cases.batch(name, size=16)
    keras.utils.set_random_seed(1)
    reference = application_cases.build(name)
    # Without XLA: the comparison holds either way, and traces much faster.
    reference.compile(jit_compile=False)
    weights = reference.get_weights()
    # Built and compiled in the scope: the optimizer's variables too.
    with STRATEGY.scope():
        model = application_cases.build(name)
        model.compile(jit_compile=False)
    model.set_weights(weights)
    return _train(reference, x, y), _train(model, x, y), model


# Models whose loss has no padding mask and whose optimizer does not clip.
MATCHING = ["text_classifier_mean", "vit", "vivit_spatiotemporal"]


def _loads_outside(model, name, tmp_path):
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    x, _ = application_cases.batch(name, size=16)
    loaded = keras.saving.load_model(path)  # outside the strategy
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5
    )


@pytest.mark.parametrize(
    "name", default_and_slow(MATCHING, default={"text_classifier_mean"})
)
def test_mirrored_training_gives_the_losses_of_one_device(name, tmp_path):
    expected, losses, model = _both(name)
    np.testing.assert_allclose(losses, expected, atol=1e-5, rtol=0)
    _loads_outside(model, name, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(application_cases.CASES))
def test_every_application_trains_mirrored_and_loads_outside(name, tmp_path):
    _, losses, model = _both(name)
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]
    _loads_outside(model, name, tmp_path)
