"""keras_seq.layers in a plain `keras.Model`, under each `tf.distribute` strategy.

A researcher stacks the layers in a functional model of their own and
trains it in a strategy's scope. Each case trains one such model (dropout
0, SGD, batches of 8 in order) from the same weights three ways: on one
device with no strategy, under `OneDeviceStrategy`, and under a
`MirroredStrategy` over 2 logical CPU devices of its own (each case makes
a new one, as a notebook or a loop over models does); the losses of every
epoch agree. A second `MirroredStrategy` in a process reused the first
one's collective keys and failed on its first gradient all-reduce ("Shape
mismatch in the collective instance 100"; see
`keras_seq/backend/tensorflow/collective_keys.py`).

Every model ends in one output per example: a masked loss over tokens is,
in a plain model under `MirroredStrategy`, Keras' mean of the replicas'
own means (Keras' layers give the same), which only the tasks correct
(`tests/distribution/mirrored_checks.py`).

Logical devices are fixed before TensorFlow starts, so the cases run in
one fresh process: this module run as a script prints their losses.
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from keras import ops

from keras_seq import layers
from tests.tiers import default_and_slow

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULT = "LOSSES "
VOCABULARY = 60
LENGTH = 16


def _ids(rng):
    ids = rng.integers(1, VOCABULARY, size=(32, LENGTH))
    lengths = rng.integers(2, LENGTH + 1, size=32)
    ids[np.arange(LENGTH) >= lengths[:, None]] = 0
    return ids.astype("int32")


def _head(x):
    return keras.layers.Dense(3, activation="softmax")(x)


def _ids_input(name="ids"):
    return keras.Input((LENGTH,), dtype="int32", name=name)


def _issue_model():
    ids = _ids_input()
    x = layers.TokenAndPositionEmbedding(VOCABULARY, LENGTH, 32)(ids)
    x = layers.TransformerEncoder(num_heads=4, intermediate_dim=64, dropout=0.0)(x)
    return keras.Model(ids, _head(layers.MaskedMeanPooling()(x)))


def _attention_model():
    ids = _ids_input()
    x = keras.layers.Embedding(VOCABULARY, 16, mask_zero=True)(ids)
    x = layers.PositionalEmbedding(LENGTH)(x)
    x = layers.MultiHeadSelfAttention(num_heads=2, causal=True)(x)
    return keras.Model(ids, _head(layers.MaskedMeanPooling()(x)))


def _encoder_decoder_model():
    source, target = _ids_input("source"), _ids_input("target")
    types = keras.Input((LENGTH,), dtype="int32", name="types")
    x = layers.TokenAndPositionEmbedding(
        VOCABULARY,
        LENGTH,
        16,
        kind="sinusoidal",
        num_token_types=2,
        layer_norm_epsilon=1e-5,
    )(source, token_type_ids=types)
    encoded = layers.TransformerEncoder(2, 32, norm_first=True)(x)
    y = layers.TokenAndPositionEmbedding(VOCABULARY, LENGTH, 16)(target)
    y = layers.TransformerDecoder(2, 32)(y, encoder_outputs=encoded)
    outputs = _head(layers.MaskedMeanPooling()(y))
    return keras.Model([source, target, types], outputs)


def _stacks_model():
    ids = _ids_input()
    x = layers.TokenAndPositionEmbedding(VOCABULARY, LENGTH, 16)(ids)
    x = layers.ClassToken()(x)
    x = layers.TransformerEncoderStack(2, 2, 32)(x)
    logits = layers.TransformerDecoderStack(VOCABULARY, LENGTH, 2, 2, 16, 32)(ids)
    pooled = layers.MaskedMeanPooling()(logits)
    return keras.Model(ids, _head(keras.layers.Concatenate()([x[:, 0], pooled])))


def _recurrent_model():
    ids = _ids_input()
    x = keras.layers.Embedding(VOCABULARY, 16, mask_zero=True)(ids)
    x = layers.RecurrentStack("lstm", 2, 8, bidirectional=True, return_sequences=False)(
        x
    )
    logits = layers.RecurrentDecoderStack("gru", VOCABULARY, 1, 8)(ids)
    pooled = layers.MaskedMeanPooling()(logits)
    return keras.Model(ids, _head(keras.layers.Concatenate()([x, pooled])))


def _patches_model():
    images = keras.Input((8, 8, 1))
    x = layers.PatchEmbedding(patch_size=4, embedding_dim=16, class_token=True)(images)
    x = layers.TransformerEncoder(2, 32)(x)
    return keras.Model(images, _head(x[:, 0]))


def _tubelets_model():
    videos = keras.Input((4, 8, 8, 1))
    x = layers.TubeletEmbedding(tubelet_size=(2, 4, 4), embedding_dim=16)(videos)
    x = ops.reshape(x, (-1, 2, 4, 16))  # (batch, time slots, patches, dim)
    x = layers.FactorisedAttentionEncoder(2, 32, factorisation="dot_product")(x)
    return keras.Model(videos, _head(ops.mean(x, axis=(1, 2))))


def _data(name, rng):
    if name == "encoder_decoder":
        return [_ids(rng), _ids(rng), rng.integers(0, 2, (32, LENGTH))]
    if name == "patches":
        return rng.normal(size=(32, 8, 8, 1)).astype("float32")
    if name == "tubelets":
        return rng.normal(size=(32, 4, 8, 8, 1)).astype("float32")
    return _ids(rng)


CASES = {
    "issue": _issue_model,
    "attention": _attention_model,
    "encoder_decoder": _encoder_decoder_model,
    "stacks": _stacks_model,
    "recurrent": _recurrent_model,
    "patches": _patches_model,
    "tubelets": _tubelets_model,
}


def _fit(name, weights, x, y, strategy=None):
    """Per-epoch losses of the case's model from `weights`, in `strategy`'s scope."""
    import tensorflow as tf

    with (strategy or tf.distribute.get_strategy()).scope():
        model = CASES[name]()
        model.compile(
            optimizer=keras.optimizers.SGD(0.1),
            loss="sparse_categorical_crossentropy",
            jit_compile=False,  # The same either way; traces faster.
        )
    model.set_weights(weights)
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return history.history["loss"]


def _run(name):
    """`{strategy: losses}` of one case, or `{"error": message}`."""
    import tensorflow as tf

    rng = np.random.default_rng(sorted(CASES).index(name))
    x, y = _data(name, rng), rng.integers(0, 3, size=32)
    keras.utils.set_random_seed(1)
    weights = CASES[name]().get_weights()
    try:
        return {
            "none": _fit(name, weights, x, y),
            "one_device": _fit(
                name, weights, x, y, tf.distribute.OneDeviceStrategy("/cpu:0")
            ),
            "mirrored": _fit(
                name,
                weights,
                x,
                y,
                tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]),
            ),
        }
    except Exception as error:  # Reported per case, with TensorFlow's first line.
        return {"error": f"{type(error).__name__}: {str(error).strip()[-2000:]}"}


def _main(names):
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    print(RESULT + json.dumps({name: _run(name) for name in names}), flush=True)


pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="tf.distribute strategies are TensorFlow's; JAX's devices are "
    "checked by test_multi_device.py, and PyTorch has no keras.distribution",
)


@pytest.fixture(scope="module")
def losses(request):
    """The losses of every case this run selected, from one fresh process."""
    names = sorted(
        {
            item.callspec.params["name"]
            for item in request.session.items
            if getattr(item, "module", None) is request.module
            and hasattr(item, "callspec")
        }
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_XDIST") and key != "PYTEST_CURRENT_TEST"
    }
    environment["KERAS_BACKEND"] = "tensorflow"
    module = "tests.distribution.test_layers_under_mirrored_strategy"
    result = subprocess.run(
        [sys.executable, "-m", module, *names],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith(RESULT)]
    assert result.returncode == 0 and lines, (result.stdout + result.stderr)[-6000:]
    return json.loads(lines[-1][len(RESULT) :])


# The default run takes the two smallest models, so that a second
# MirroredStrategy trains: the attention alone, then the issue's model (a
# learned position table, an encoder, masked pooling).
@pytest.mark.parametrize(
    "name", default_and_slow(list(CASES), default={"attention", "issue"})
)
def test_every_strategy_gives_the_losses_of_one_device(name, losses):
    case = losses[name]
    assert "error" not in case, case.get("error")
    expected = case["none"]
    np.testing.assert_allclose(case["one_device"], expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(case["mirrored"], expected, rtol=1e-4, atol=1e-6)


if __name__ == "__main__":
    _main(sys.argv[1:])
