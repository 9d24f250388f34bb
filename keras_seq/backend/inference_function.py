"""Runs inference compiled once per input shapes, recording no gradients.

The one place with backend branches for running a model outside `fit`
(its `generate` loop):

- JAX: `jax.jit` of the function as a pure function of its inputs and of
  the values of the variables it reads (a `keras.StatelessScope` maps each
  variable to its value); the values of the variables it assigns (a
  sampler's seed) come back out and are written to the variables. A
  function traced anew on every call would capture the weights in a fresh
  closure each time: slow, and memory grows without end.
- TensorFlow: `tf.function`, reading and assigning the variables directly
  (with `jit_compile=True`, compiled by XLA; with `"auto"`, by XLA unless
  XLA cannot compile the function, which then runs without it).
- PyTorch: the function itself, eagerly, under `torch.no_grad()`: eager
  PyTorch otherwise records the graph of every step for a backward pass
  that never comes, and memory grows with the square of the length.
- anywhere, `compiled=False`: the portable fallback, the function itself
  (under `no_gradients()`).
"""

import contextlib
import itertools
import warnings

import keras
from keras import tree


@contextlib.contextmanager
def no_gradients():
    """A context in which no gradient is recorded.

    `torch.no_grad()` under PyTorch; TensorFlow and JAX record nothing
    outside a `GradientTape` or `jax.grad` anyway.

    Example:

    >>> with no_gradients():
    ...     y = keras.ops.square(keras.Variable([3.0]))
    >>> keras.ops.convert_to_numpy(y).tolist()
    [9.0]
    """
    if keras.backend.backend() == "torch":
        import torch

        with torch.no_grad():
            yield
    else:
        yield


class InferenceFunction:
    """`function(*inputs, **static)`, compiled once per input shapes.

    Args:
        function: computes tensors from `inputs` (tensors, or nested lists,
            tuples and dicts of them, NumPy arrays included) and keyword
            arguments `static` (hashable Python values: each new value
            compiles anew). It may read `variables` and assign
            `updated_variables`, and no other variable.
        variables: the Keras variables it reads (a model's `variables`).
        updated_variables: the Keras variables it assigns (the state of a
            sampler's seed generator), kept up to date after each call.
        compiled: False runs `function` eagerly (the portable fallback).
        jit_compile: under TensorFlow, whether XLA compiles the function:
            True, False, or `"auto"`: XLA, and where XLA fails to compile
            it (an operation XLA lacks, as a custom sampler may use), a
            warning and `tf.function` without XLA from then on (`jax.jit`
            always compiles; PyTorch runs eagerly).

    Attributes:
        traces: how often `function` ran as Python: once per compilation
            when compiled, once per call when eager (and under PyTorch).
        jit_compile: as given; False once `"auto"` fell back.

    Example:

    >>> scale = keras.Variable(np.full(3, 2.0, "float32"))
    >>> double = InferenceFunction(lambda x: x * scale, variables=[scale])
    >>> keras.ops.convert_to_numpy(double(np.ones(3, "float32"))).tolist()
    [2.0, 2.0, 2.0]
    """

    def __init__(
        self,
        function,
        variables=(),
        updated_variables=(),
        compiled=True,
        jit_compile=False,
    ):
        self.function = function
        self.variables = list(variables)
        self.updated_variables = list(updated_variables)
        self.compiled = compiled
        self.jit_compile = jit_compile
        self.traces = 0
        backend = keras.backend.backend()
        if not compiled or backend not in ("jax", "tensorflow"):
            self._call = self._run
        elif backend == "jax":
            self._call = self._jax_function()
        else:
            self._call = self._tensorflow_function(jit_compile)

    def __call__(self, *inputs, **static):
        inputs = tree.map_structure(keras.ops.convert_to_tensor, inputs)
        with no_gradients():
            return self._call(*inputs, **static)

    def _run(self, *inputs, **static):
        self.traces += 1
        return self.function(*inputs, **static)

    def _tensorflow_function(self, jit_compile):
        import tensorflow as tf

        # A function of this instance's own: TensorFlow counts retracing
        # per Python function, and every instance traces once.
        def run(*inputs, **static):
            return self._run(*inputs, **static)

        compiled = tf.function(run, jit_compile=bool(jit_compile))
        if jit_compile != "auto":
            return compiled

        def call(*inputs, **static):
            try:
                return compiled(*inputs, **static)
            except (
                tf.errors.InvalidArgumentError,
                tf.errors.UnimplementedError,
            ) as error:
                # XLA compiles the whole function before it runs, so a
                # failure to compile leaves no variable half-assigned.
                warnings.warn(
                    "XLA could not compile the function; it runs without XLA "
                    f"from now on ({type(error).__name__}: "
                    f"{str(error).splitlines()[0][:200]})",
                    stacklevel=4,
                )
                self.jit_compile = False
                self._call = self._tensorflow_function(False)
                return self._call(*inputs, **static)

        return call

    def _jax_function(self):
        import jax

        def stateless(values, updated_values, inputs, static):
            mapping = itertools.chain(
                zip(self.variables, values),
                zip(self.updated_variables, updated_values),
            )
            with keras.StatelessScope(state_mapping=mapping) as scope:
                outputs = self._run(*inputs, **dict(static))
            updated = [
                _current_value(scope, variable, value)
                for variable, value in zip(self.updated_variables, updated_values)
            ]
            return outputs, updated

        compiled = jax.jit(stateless, static_argnums=3)

        def call(*inputs, **static):
            outputs, updated = compiled(
                [variable.value for variable in self.variables],
                [variable.value for variable in self.updated_variables],
                inputs,
                tuple(sorted(static.items())),
            )
            for variable, value in zip(self.updated_variables, updated):
                variable.assign(value)
            return outputs

        return call


def _current_value(scope, variable, value):
    current = scope.get_current_value(variable)
    return value if current is None else current
