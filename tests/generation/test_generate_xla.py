"""Under TensorFlow `generate` compiles with XLA unless told not to.

Without XLA, TensorFlow's graph executor copies the whole key/value cache
at every step; under XLA the decode loop writes it in place (BENCHMARKS.md,
"TensorFlow with XLA"). So a model whose `compile()` left `jit_compile` to
"auto" generates under XLA on TensorFlow, even on a CPU where Keras' "auto"
means no XLA for `fit`; `jit_compile=False` keeps XLA off. A sampler that
XLA cannot compile falls back, with a warning, to `tf.function` alone.
"""

import warnings

import keras
import numpy as np
import pytest

from keras_seq.applications import CausalLM

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="whether XLA compiles generate is a choice under TensorFlow only: "
    "JAX always jits it, PyTorch replays captured steps (test_captured_decode.py)",
)
SIZES = {"num_layers": 1, "num_heads": 2, "hidden_dim": 16, "intermediate_dim": 32}
PROMPTS = np.random.default_rng(0).integers(1, 20, size=(2, 3)).astype("int32")


def causal_lm(**compile_kwargs):
    keras.utils.set_random_seed(0)
    model = CausalLM(20, max_length=8, **SIZES)
    model.compile(**compile_kwargs)
    return model


def test_xla_unless_the_user_says_otherwise():
    assert CausalLM(20, max_length=8, **SIZES).generate_jit_compile() == "auto"
    assert causal_lm().generate_jit_compile() == "auto"
    assert causal_lm(jit_compile="auto").generate_jit_compile() == "auto"
    assert causal_lm(jit_compile=True).generate_jit_compile() is True
    assert causal_lm(jit_compile=False).generate_jit_compile() is False
    model = causal_lm(jit_compile=False)
    model.jit_compile = True
    assert model.generate_jit_compile() is True
    assert causal_lm(run_eagerly=True).generate_jit_compile() is False


def _numpy_greedy():
    """A greedy sampler whose argmax runs in NumPy: XLA cannot compile it."""
    import tensorflow as tf
    from keras_hub.samplers import GreedySampler

    class NumpyGreedy(GreedySampler):
        def get_next_token(self, probabilities):
            token = tf.numpy_function(
                lambda p: np.argmax(p, axis=-1).astype("int32"),
                [probabilities],
                tf.int32,
            )
            return tf.ensure_shape(token, probabilities.shape[:-1])

    return NumpyGreedy()


def test_a_sampler_xla_cannot_compile_falls_back():
    model = causal_lm()
    sampler = _numpy_greedy()
    function = model.make_generate_function(sampler)
    assert function.jit_compile == "auto"
    with pytest.warns(UserWarning, match="XLA could not compile"):
        generated = model.generate(PROMPTS, max_length=8, sampler=sampler)
    assert function.jit_compile is False
    expected = causal_lm(jit_compile=False).generate(
        PROMPTS, max_length=8, sampler="greedy"
    )
    np.testing.assert_array_equal(generated, expected)
    # The fallback is kept: no second attempt, no second warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        again = model.generate(PROMPTS, max_length=8, sampler=sampler)
    np.testing.assert_array_equal(again, expected)
