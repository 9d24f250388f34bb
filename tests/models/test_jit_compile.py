"""`jit_compile=True` trains, predicts and generates as the default does.

`jit_compile` is XLA under TensorFlow and JAX, and `torch.compile` under
PyTorch, where a tiny model's `fit` spends minutes in Dynamo
recompilations on 2 cores: there the fit test is in the slow run.
`generate` is compiled by `tf.function` (XLA with `jit_compile`) under
TensorFlow, always by `jax.jit` under JAX, and runs eagerly under PyTorch.
"""

import keras
import numpy as np
import pytest

from keras_seq.applications import CausalLM
from keras_seq.applications import TextClassifier

SIZES = {"num_layers": 2, "num_heads": 2, "hidden_dim": 16, "intermediate_dim": 32}
RNG = np.random.default_rng(0)
IDS = RNG.integers(1, 20, size=(8, 8)).astype("int32")


def _compiled(builder, jit_compile):
    keras.utils.set_random_seed(0)
    model = builder()
    model.compile(jit_compile=jit_compile)
    assert model.jit_compile is jit_compile
    return model


# Slow under PyTorch only (see the module docstring).
TORCH_SLOW = pytest.mark.slow if keras.backend.backend() == "torch" else ()


@pytest.mark.parametrize("case", [pytest.param("text_classifier", marks=TORCH_SLOW)])
def test_fit_and_predict_match_the_default(case):
    labels = RNG.integers(0, 2, size=8)
    outputs = {}
    for jit_compile in (False, True):
        model = _compiled(
            lambda: TextClassifier(20, 8, 2, dropout=0.0, **SIZES), jit_compile
        )
        history = model.fit(IDS, labels, epochs=2, batch_size=4, verbose=0)
        outputs[jit_compile] = (history.history["loss"], model.predict(IDS, verbose=0))
    np.testing.assert_allclose(outputs[True][0], outputs[False][0], rtol=1e-4)
    np.testing.assert_allclose(outputs[True][1], outputs[False][1], atol=1e-5)


def test_generate_matches_the_default():
    prompts = IDS[:4, :3]
    generated = {}
    for jit_compile in (False, True):
        model = _compiled(lambda: CausalLM(20, max_length=12, **SIZES), jit_compile)
        generated[jit_compile] = [
            model.generate(prompts, max_length=12, sampler=sampler)
            for sampler in ("greedy", "beam")
        ]
    for compiled, default in zip(generated[True], generated[False]):
        np.testing.assert_array_equal(compiled, default)
