"""PyTorch: a simplified captured graph computes what its function does.

`keras_seq.backend.torch.graph_simplification` folds constants, merges repeated
operations and drops unused ones in the graphs that
`keras_seq.backend.torch.captured_graphs` replays. It exists on PyTorch only:
JAX and TensorFlow compile with XLA and `tf.function`, which simplify
their own graphs; on them the steps and decoding loops that replay these
graphs are compared with eager runs by test_graph_steps.py and
tests/generation/test_captured_decode.py.
"""

import keras
import numpy as np
import pytest
from keras import ops

from keras_seq.backend.torch.captured_graphs import CapturedGraphs

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "torch",
    reason="captured graphs are PyTorch's; the other backends compile theirs",
)


def _operations(captured):
    (graph,) = captured.graphs.values()
    return [node for node in graph.graph.nodes if node.op == "call_function"]


def _masked_twice(x, index):
    # Two layers' worth of the same mask, from a constant range.
    outputs = []
    for _ in range(2):
        positions = ops.arange(ops.shape(x)[-1], dtype="int32")[None, :]
        mask = ops.less_equal(positions, index)
        x = ops.where(mask, x + 1.0, 0.0)
        outputs.append(x)
    return outputs


def test_constants_are_folded_and_repeats_merged_with_the_same_results():
    x = ops.convert_to_tensor(np.arange(12, dtype="float32").reshape(3, 4))
    index = ops.convert_to_tensor(np.int32(2))
    captured = CapturedGraphs(_masked_twice, eager_calls=0)
    replayed = captured(x, index)
    for got, expected in zip(replayed, _masked_twice(x, index)):
        np.testing.assert_array_equal(
            ops.convert_to_numpy(got), ops.convert_to_numpy(expected)
        )
    targets = [str(node.target) for node in _operations(captured)]
    assert not any("arange" in target for target in targets), targets
    # One comparison serves both masks.
    assert sum("less_equal" in target for target in targets) == 1, targets


def test_a_constant_that_leaves_the_graph_is_new_at_every_call():
    captured = CapturedGraphs(lambda x: (x * 2, ops.zeros((3,))), eager_calls=0)
    x = ops.ones((3,))
    _, zeros = captured(x)
    zeros.add_(5.0)  # A caller may write to what it gets.
    _, zeros_again = captured(x)
    np.testing.assert_array_equal(ops.convert_to_numpy(zeros_again), 0.0)


def test_a_constant_written_in_place_is_made_at_every_call():
    def accumulate(x):
        total = ops.zeros((3,))
        total.add_(x)
        return total * 1.0

    captured = CapturedGraphs(accumulate, eager_calls=0)
    for value in (1.0, 2.0):
        got = captured(ops.full((3,), value))
        np.testing.assert_array_equal(ops.convert_to_numpy(got), value)
