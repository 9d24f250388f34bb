"""One attention layer's decoding step over a key/value cache, by layout.

A compiled loop of `cache_length` steps, each writing one step's keys and
values (batch 8, 4 heads, head size 64) into the cache and attending one
query over it, for three ways of holding and reading the cache:

- `time_major`: `(batch, 2, time, heads, dim)` into
  `keras.ops.dot_product_attention`;
- `heads_first`: `(batch, 2, heads, time, dim)`, transposed views into
  `keras.ops.dot_product_attention`;
- `heads_first_einsum`: the same cache read by two einsums.

Under PyTorch `slice_update` clones the cache on every write (the layers
write in place instead, `keras_seq/layers/cache_writes.py`), so there the
figures measure the clone more than the layout.

    KERAS_BACKEND=jax python benchmarks/probes/cache_layout.py [cache_length]
"""

import sys
import time

import keras
import numpy as np
from keras import ops

from keras_seq.backend.inference_function import no_gradients

BATCH, HEADS, DIM = 8, 4, 64


def step(layout, cache, index, query, steps, length):
    visible = (ops.arange(length) <= index)[None, None, None, :]
    if layout == "time_major":
        cache = ops.slice_update(cache, (0, 0, index, 0, 0), steps)
        return cache, ops.dot_product_attention(
            query, cache[:, 0], cache[:, 1], mask=visible
        )
    cache = ops.slice_update(
        cache, (0, 0, 0, index, 0), ops.transpose(steps, (0, 1, 3, 2, 4))
    )
    if layout == "heads_first":
        key = ops.transpose(cache[:, 0], (0, 2, 1, 3))
        value = ops.transpose(cache[:, 1], (0, 2, 1, 3))
        return cache, ops.dot_product_attention(query, key, value, mask=visible)
    logits = ops.einsum("bqhd,bhkd->bhqk", query, cache[:, 0]) / DIM**0.5
    probabilities = ops.softmax(ops.where(visible, logits, -1e9), axis=-1)
    return cache, ops.einsum("bhqk,bhkd->bqhd", probabilities, cache[:, 1])


def compiled(function):
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        return jax.jit(function)
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(function)
    return function


def time_layout(layout, length):
    rng = np.random.default_rng(0)
    query = ops.convert_to_tensor(rng.random((BATCH, 1, HEADS, DIM), "float32"))
    steps = ops.convert_to_tensor(rng.random((BATCH, 2, 1, HEADS, DIM), "float32"))
    shape = (BATCH, 2, length, HEADS, DIM)
    if layout != "time_major":
        shape = (BATCH, 2, HEADS, length, DIM)

    def loop(cache):
        def body(index, state):
            cache, total = state
            cache, outputs = step(layout, cache, index, query, steps, length)
            return cache, total + outputs

        return ops.fori_loop(0, length, body, (cache, ops.zeros_like(query)))

    run = compiled(loop)
    with no_gradients():
        ops.convert_to_numpy(run(ops.zeros(shape))[1])
        start = time.perf_counter()
        ops.convert_to_numpy(run(ops.zeros(shape))[1])
    return (time.perf_counter() - start) / length


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    length = int(argv[0]) if argv else 1024
    for layout in ("time_major", "heads_first", "heads_first_einsum"):
        seconds = time_layout(layout, length)
        print(
            f"{keras.backend.backend()} {layout}, {length} slots: "
            f"{seconds * 1e3:.2f} ms per step"
        )


if __name__ == "__main__":
    main()
