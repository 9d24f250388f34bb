import keras
import numpy as np
import pytest

from keras_seq.backend.inference_function import InferenceFunction
from keras_seq.backend.inference_function import no_gradients

COMPILED = keras.backend.backend() in ("jax", "tensorflow")


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("compiled", (True, False))
def test_reads_the_variables_current_values(compiled):
    # Compiled under JAX the values are inputs, not constants baked in.
    scale = keras.Variable(np.full(3, 2.0, "float32"))
    function = InferenceFunction(
        lambda x: x * scale, variables=[scale], compiled=compiled
    )
    np.testing.assert_allclose(_numpy(function(np.ones(3, "float32"))), 2.0)
    scale.assign(np.full(3, 3.0, "float32"))
    np.testing.assert_allclose(_numpy(function(np.ones(3, "float32"))), 3.0)
    assert function.traces == (1 if compiled and COMPILED else 2)


def test_compiles_once_per_shapes_and_static_arguments():
    function = InferenceFunction(lambda x, power: x**power)
    for _ in range(3):
        function(np.ones(3, "float32"), power=2)
    function(np.ones(4, "float32"), power=2)
    function(np.ones(4, "float32"), power=3)
    assert function.traces == (3 if COMPILED else 5)


def test_compiled_and_eager_update_a_seed_alike():
    # A sampler's seed generator: each call draws anew, and both paths draw
    # the same numbers from the same seed.
    draws = {}
    for compiled in (True, False):
        seed = keras.random.SeedGenerator(7)

        def draw(x, seed=seed):
            return x + keras.random.uniform((3,), seed=seed)

        function = InferenceFunction(
            draw, updated_variables=[seed.state], compiled=compiled
        )
        draws[compiled] = [_numpy(function(np.zeros(3, "float32"))) for _ in (1, 2)]
    assert not np.allclose(draws[True][0], draws[True][1])
    np.testing.assert_allclose(draws[True], draws[False])


def test_nested_inputs_and_outputs():
    function = InferenceFunction(lambda x, y: {"sum": x["a"] + y[0]})
    outputs = function({"a": np.ones(2, "float32")}, [np.ones(2, "float32")])
    np.testing.assert_allclose(_numpy(outputs["sum"]), 2.0)


@pytest.mark.parametrize("compiled", (True, False))
def test_records_no_gradients(compiled):
    weight = keras.Variable(np.ones(3, "float32"))
    function = InferenceFunction(
        lambda x: x * weight, variables=[weight], compiled=compiled
    )
    outputs = function(np.ones(3, "float32"))
    if keras.backend.backend() == "torch":
        assert not outputs.requires_grad
        with no_gradients():
            assert not (keras.ops.convert_to_tensor(weight) * 2).requires_grad
