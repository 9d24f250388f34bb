"""PyTorch: a pure function of tensors, captured once as a graph and replayed.

On PyTorch every Keras layer call, `keras.ops` call and variable read of a
step runs Python, and at small sizes, or on a GPU, the step waits for it.
JAX and TensorFlow trace a step once and replay the trace; this does the
same on PyTorch. `torch.fx`'s `make_fx` runs the function once on fake
tensors (shapes and dtypes, no data) and records the PyTorch operations
it performs, backward passes included, as a graph; a call replays the
graph, which runs those operations only.

A graph holds for the shapes, dtypes and structure it was captured with
(its signature). Capturing costs about what a few dozen eager calls cost,
so a signature runs eagerly for its first `EAGER_CALLS` calls and is
captured on the next, if it comes: a long `fit` is captured within its
first steps, a call of a few steps never. Each new signature is captured
anew, as `tf.function` retraces, up to `MAX_GRAPHS`, past which the
function runs eagerly. A function whose Python reads the values of its
tensors (data-dependent control flow, `.item()`, `.numpy()`) cannot be
captured on fake tensors: the capture fails and the function runs
eagerly for that signature. Either way the results are the eager
function's.
"""

import warnings

import keras

from keras_seq.backend.torch.graph_simplification import simplify

# Calls of one signature run eagerly before it is captured.
EAGER_CALLS = 10
# Distinct input signatures captured per function before it runs eagerly.
MAX_GRAPHS = 16
# Signatures counted at most (beyond, counting starts again).
MAX_COUNTED = 256
_EAGER = "eager"


def can_capture():
    """Whether functions can be captured as graphs here (PyTorch only)."""
    return keras.backend.backend() == "torch"


def is_fake(value):
    """Whether `value` is a fake tensor: one of a graph being captured.

    A graph is captured on fake tensors, which have shapes and dtypes but
    no values to read.

    Example:

    >>> if keras.backend.backend() == "torch":
    ...     print(is_fake(keras.ops.ones((2,))))
    ... else:
    ...     print(False)
    False
    """
    from torch._subclasses.fake_tensor import is_fake as is_fake_tensor

    return is_fake_tensor(value)


class ReadingVariables:
    """`function(*args)`, which reads `variables`, as `CapturedGraphs`.

    The variables' values become inputs of the graphs (a
    `keras.StatelessScope` maps each variable to its value), so a graph
    reads the values it is handed.

    Args:
        function: as for `CapturedGraphs`, reading `variables`.
        variables: the Keras variables it reads.
        eager_calls: as for `CapturedGraphs`.
        compiles: as for `CapturedGraphs`.

    Attributes:
        graphs: the `CapturedGraphs`.
    """

    def __init__(self, function, variables, eager_calls=None, compiles=False):
        self.variables = list(variables)

        def reading(values, *args):
            mapping = zip(self.variables, values)
            with keras.StatelessScope(state_mapping=mapping):
                return function(*args)

        self.graphs = CapturedGraphs(reading, eager_calls, compiles=compiles)

    def with_current_values(self):
        """`function` reading the values the variables hold now.

        Read once for many calls (the steps of one decoding loop), not
        once a call.
        """
        values = [variable.value for variable in self.variables]
        # Walked once, not at every call.
        value_tensors, value_signature = _flatten(values)

        def call(*args):
            tensors, (kind, signatures) = _flatten(args)
            return self.graphs.call_flat(
                value_tensors + tensors,
                (kind, (value_signature, *signatures)),
                (values, *args),
            )

        return call


class CapturedGraphs:
    """`function(*args)`, captured once per input signature and replayed.

    Args:
        function: a pure function of nested structures of tensors (and
            None) to nested structures of tensors: what it reads of
            variables comes in as arguments, what it would write goes out
            as results.
        eager_calls: calls of a signature that run eagerly before it is
            captured (default `EAGER_CALLS`).
        differentiates: whether `function` computes gradients (calls
            `torch.autograd.grad`). Its graph then holds the operations
            PyTorch dispatches, the backward pass's included. Otherwise
            the graph holds the operations as the function calls them
            (`pre_dispatch`: an `einsum` is one operation, not the six
            views and a matmul it dispatches to): half the operations
            to replay. Either graph is then simplified
            (`keras_seq.backend.torch.graph_simplification`).
        compiles: whether each graph is also compiled with `torch.compile`
            (TorchInductor: fused kernels, generated C++ on a CPU and Triton
            on a GPU) on its first call, which then takes tens of seconds.
            Where compiling fails, a warning, and the graph is replayed.

    Attributes:
        captures: how many graphs have been captured.

    Example (PyTorch):

    >>> if keras.backend.backend() == "torch":
    ...     double = CapturedGraphs(lambda x: x * 2, eager_calls=0)
    ...     y = double(keras.ops.ones((2,)))
    ...     print(keras.ops.convert_to_numpy(y).tolist(), double.captures)
    ... else:
    ...     print([2.0, 2.0], 1)
    [2.0, 2.0] 1
    """

    def __init__(
        self, function, eager_calls=None, differentiates=False, compiles=False
    ):
        self.function = function
        self.eager_calls = EAGER_CALLS if eager_calls is None else eager_calls
        self.differentiates = differentiates
        self.compiles = compiles
        self.graphs = {}
        self.calls = {}
        self.captures = 0

    def __call__(self, *args):
        tensors, signature = _flatten(args)
        return self.call_flat(tensors, signature, args)

    def call_flat(self, tensors, signature, args):
        """`function(*args)`, where `_flatten(args)` gave `tensors, signature`."""
        import torch

        try:
            graph = self.graphs.get(signature)
        except TypeError:
            # An argument that is no tensor and cannot be hashed.
            return self.function(*args)
        if graph is None:
            calls = self.calls.get(signature, 0)
            if calls < self.eager_calls:
                if len(self.calls) >= MAX_COUNTED:
                    self.calls.clear()
                self.calls[signature] = calls + 1
                return self.function(*args)
            graph = self._capture(signature, tensors)
        if graph is _EAGER:
            return self.function(*args)
        with torch.no_grad():
            return graph(*tensors)

    def _capture(self, signature, tensors):
        from torch.fx.experimental.proxy_tensor import make_fx

        if len(self.graphs) >= MAX_GRAPHS:
            return _EAGER

        # A function of the tensors alone, flat: the graph's own inputs.
        def flat_function(*tensors):
            return self.function(*_unflatten(signature, iter(tensors)))

        try:
            graph = make_fx(
                flat_function,
                tracing_mode="fake",
                pre_dispatch=not self.differentiates,
            )(*tensors)
        except Exception:
            # Data-dependent Python cannot run on fake tensors: the eager
            # function computes the same, at eager speed.
            graph = _EAGER
        else:
            simplify(graph)
            self.captures += 1
            if self.compiles:
                graph = _CompiledOnFirstCall(graph)
        self.graphs[signature] = graph
        return graph

    def clear(self):
        """Drops every graph and count (the function's meaning changed)."""
        self.graphs.clear()
        self.calls.clear()


class _CompiledOnFirstCall:
    """A captured graph, compiled by `torch.compile` when first called."""

    def __init__(self, graph):
        import torch

        self.graph = graph
        self._call = self._first_call
        self._compiled = torch.compile(graph, dynamic=False)

    def __call__(self, *tensors):
        return self._call(*tensors)

    def _first_call(self, *tensors):
        try:
            outputs = self._compiled(*tensors)
        except Exception as error:
            # No C++ compiler, or an operation Inductor lacks: the graph
            # computes the same, replayed.
            warnings.warn(
                "torch.compile could not compile a captured graph; it is "
                f"replayed instead ({type(error).__name__}: "
                f"{str(error).splitlines()[0][:200] if str(error) else ''})",
                stacklevel=2,
            )
            self._call = self.graph
            return self.graph(*tensors)
        self._call = self._compiled
        return outputs


def _flatten(value):
    """`(tensors, signature)`: the tensors of `value`, and the rest of it.

    `value` nests lists, tuples and dicts of tensors, None and Python
    values. The signature holds the structure, each tensor's shape,
    dtype, device and whether it requires gradients, and the other values
    as they are: what a graph holds for. (`keras.tree` does the same in
    ten times the time, which a small step would feel.)
    """
    tensors = []

    def walk(value):
        if isinstance(value, (list, tuple)):
            return (type(value), tuple(walk(item) for item in value))
        if isinstance(value, dict):
            return (dict, tuple((key, walk(value[key])) for key in sorted(value)))
        if hasattr(value, "shape") and hasattr(value, "requires_grad"):
            tensors.append(value)
            return (
                _TENSOR,
                tuple(value.shape),
                value.dtype,
                value.device,
                value.requires_grad,
            )
        return (None, value)

    return tensors, walk(value)


def _unflatten(signature, tensors):
    """`value` from `_flatten`'s signature and an iterator of its tensors."""
    kind, content = signature[0], signature[1]
    if kind is _TENSOR:
        return next(tensors)
    if kind is dict:
        return {key: _unflatten(item, tensors) for key, item in content}
    if kind in (list, tuple):
        return kind(_unflatten(item, tensors) for item in content)
    return content


_TENSOR = "tensor"
