"""Times keras_seq's attention and encoder layers against their peers.

Forward passes of one batch through a functional model (compiled the way
`model.predict` compiles on each backend), median of several runs after a
warm-up. Peers: `keras.layers.MultiHeadAttention` and KerasHub's
`TransformerEncoder`, at the same sizes and in the same process.

    KERAS_BACKEND=jax python benchmarks/attention.py
"""

import argparse
import statistics
import time

import keras
import keras_hub
import numpy as np

from keras_seq import layers


def _model(layer_fn, time_steps, dim):
    inputs = keras.Input((time_steps, dim))
    return keras.Model(inputs, layer_fn(inputs))


def _candidates(heads, dim, intermediate_dim, causal):
    key_dim = dim // heads
    return {
        "keras_seq.MultiHeadSelfAttention": lambda x: layers.MultiHeadSelfAttention(
            heads, causal=causal
        )(x),
        "keras_seq.MultiHeadSelfAttention (explicit scores)": lambda x: (
            layers.MultiHeadSelfAttention(heads, causal=causal)(
                x, return_attention_scores=True
            )[0]
        ),
        "keras.layers.MultiHeadAttention": lambda x: keras.layers.MultiHeadAttention(
            heads, key_dim
        )(x, x, use_causal_mask=causal),
        "keras_seq.TransformerEncoder": lambda x: layers.TransformerEncoder(
            heads, intermediate_dim
        )(x),
        "keras_hub.layers.TransformerEncoder": lambda x: (
            keras_hub.layers.TransformerEncoder(intermediate_dim, heads)(x)
        ),
    }


def _median_seconds(model, batch, repeats):
    model.predict_on_batch(batch)  # compile and warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.asarray(model.predict_on_batch(batch))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--time", type=int, default=256)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--causal", action="store_true")
    args = parser.parse_args()

    batch = np.random.default_rng(0).normal(size=(args.batch_size, args.time, args.dim))
    batch = batch.astype("float32")
    print(
        f"backend={keras.backend.backend()} batch={args.batch_size} time={args.time} "
        f"dim={args.dim} heads={args.heads} causal={args.causal}"
    )
    candidates = _candidates(args.heads, args.dim, 2 * args.dim, args.causal)
    for name, layer_fn in candidates.items():
        model = _model(layer_fn, args.time, args.dim)
        seconds = _median_seconds(model, batch, args.repeats)
        print(f"{name:55s} {seconds * 1e3:8.2f} ms")


if __name__ == "__main__":
    main()
