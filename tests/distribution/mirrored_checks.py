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


def _clipping():
    """The tasks' Adam, clipping at 0.1: the recurrent tasks' default
    clipnorm of 1.0 does not engage on these small batches (their
    gradients' norms stay below 0.7)."""
    return keras.optimizers.Adam(learning_rate=1e-3, clipnorm=0.1)


def _both(name, optimizer=None):
    """`(losses on one device, losses mirrored, mirrored model)`, same weights.

    `optimizer`: None for the task's default, or a function that makes one.
    """
    x, y = application_cases.batch(name, size=16)

    def compiled(model):
        # Without XLA: the comparison holds either way, and traces much faster.
        model.compile(optimizer=optimizer() if optimizer else "auto", jit_compile=False)
        return model

    keras.utils.set_random_seed(1)
    reference = compiled(application_cases.build(name))
    weights = reference.get_weights()
    # Built and compiled in the scope: the optimizer's variables too.
    with STRATEGY.scope():
        model = compiled(application_cases.build(name))
    model.set_weights(weights)
    return _train(reference, x, y), _train(model, x, y), model


def _loads_outside(model, name, tmp_path):
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    x, _ = application_cases.batch(name, size=16)
    loaded = keras.saving.load_model(path)  # outside the strategy
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5
    )


# Every application, with the optimizer it compiles by default: the
# generative tasks' loss skips padding (ignore_class=0), the taggers'
# skips padded steps, the recurrent and generative tasks clip at 1.0. The
# default run takes the CausalLM, which has a masked loss and clips (its
# largest gradients' norms are 5 to 7 here).
@pytest.mark.parametrize(
    "name",
    default_and_slow(list(application_cases.CASES), default={"causal_lm_transformer"}),
)
def test_mirrored_training_gives_the_losses_of_one_device(name, tmp_path):
    expected, losses, model = _both(name)
    np.testing.assert_allclose(losses, expected, atol=1e-5, rtol=0)
    _loads_outside(model, name, tmp_path)


# A recurrent model and a tagger (masked loss), with clipping that engages:
# the optimizer clips the whole batch's gradient, as one device does, not
# each replica's share of it.
@pytest.mark.slow
@pytest.mark.parametrize("name", ["rnn_classifier_lstm", "tagger_transformer"])
def test_mirrored_clipping_gives_the_losses_of_one_device(name):
    expected, losses, _ = _both(name, optimizer=_clipping)
    np.testing.assert_allclose(losses, expected, atol=1e-5, rtol=0)
