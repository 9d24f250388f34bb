"""`jit_compile=True` (XLA) trains, predicts and generates as the default does.

On TensorFlow and JAX (where `generate` is always compiled by `jax.jit`,
whatever `jit_compile` says). Keras' `jit_compile` is `torch.compile` under
PyTorch: it works with keras-seq (a tiny TextClassifier's `fit` ran, after
167 s of Dynamo recompilations on these 2 cores), which is too slow for
this suite.
"""

import keras
import numpy as np
import pytest

from keras_seq.applications import CausalLM
from keras_seq.applications import TextClassifier

pytestmark = pytest.mark.skipif(
    keras.backend.backend() == "torch",
    reason="jit_compile is torch.compile under PyTorch (see the module docstring)",
)
SIZES = {"num_layers": 2, "num_heads": 2, "hidden_dim": 16, "intermediate_dim": 32}
RNG = np.random.default_rng(0)
IDS = RNG.integers(1, 20, size=(8, 8)).astype("int32")


def _trained(builder, y, jit_compile):
    keras.utils.set_random_seed(0)
    model = builder()
    model.compile(jit_compile=jit_compile)
    assert model.jit_compile is jit_compile
    history = model.fit(IDS, y, epochs=2, batch_size=4, verbose=0)
    return model, history.history["loss"]


def test_fit_and_predict_match_without_xla():
    labels = RNG.integers(0, 2, size=8)
    outputs = {}
    for jit_compile in (False, True):
        model, losses = _trained(
            lambda: TextClassifier(20, 8, 2, dropout=0.0, **SIZES), labels, jit_compile
        )
        outputs[jit_compile] = (losses, model.predict(IDS, verbose=0))
    np.testing.assert_allclose(outputs[True][0], outputs[False][0], rtol=1e-4)
    np.testing.assert_allclose(outputs[True][1], outputs[False][1], atol=1e-5)


@pytest.mark.skipif(
    keras.backend.backend() == "jax",
    reason="generate is always jax.jit-compiled under JAX (test_generate_function.py)",
)
def test_generate_matches_without_xla():
    targets = RNG.integers(1, 20, size=(8, 8))
    prompts = IDS[:4, :3]
    generated = {}
    for jit_compile in (False, True):
        model, _ = _trained(
            lambda: CausalLM(20, max_length=12, **SIZES), targets, jit_compile
        )
        generated[jit_compile] = [
            model.generate(prompts, max_length=12, sampler=sampler)
            for sampler in ("greedy", "beam")
        ]
    for with_xla, without in zip(generated[True], generated[False]):
        np.testing.assert_array_equal(with_xla, without)
