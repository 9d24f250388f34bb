"""Long sequences: self-attention forward and backward, fused against explicit.

`keras_seq.layers.MultiHeadSelfAttention` on float inputs `(1, time, 256)`,
4 heads, at 512, 1024, 2048 and 4096 tokens, two ways:

- `fused`: `layer(x)`, the path through `keras.ops.dot_product_attention`
  (the backend's fused kernel where it has one);
- `explicit_scores`: `layer(x, return_attention_scores=True)[0]`, the
  einsum path that materialises the `(batch, heads, time, time)` scores;

and, as a peer, `keras.layers.MultiHeadAttention` at the same sizes.
Each is a one-layer functional model; `train` times
`model.train_on_batch` (forward, backward and an SGD update of the small
projection weights; a mean-squared-error loss), `predict` times
`model.predict_on_batch`. Peak memory of one timed call is measured with
`timing.PeakMemory` (on a CPU: growth of the resident set size, sampled;
on a GPU: the backend's allocator peak): `memory_method` says which.
(This file replaces the earlier forward-only attention timings; the
encoder comparisons moved to `encoder.py`.)

    KERAS_BACKEND=jax python benchmarks/attention.py [--quick] [--causal]
"""

import keras
import numpy as np
import timing

from keras_seq import layers

BENCHMARK = "attention"
FULL = dict(batch=1, heads=4, dim=256, times=(512, 1024, 2048, 4096))
QUICK = dict(batch=1, heads=2, dim=32, times=(32, 64))
PEERS = [
    "keras_seq.MultiHeadSelfAttention(explicit_scores)",
    "keras.MultiHeadAttention",
]


def candidates(heads, dim, causal):
    return {
        "keras_seq.MultiHeadSelfAttention(fused)": lambda x: (
            layers.MultiHeadSelfAttention(heads, causal=causal)(x)
        ),
        "keras_seq.MultiHeadSelfAttention(explicit_scores)": lambda x: (
            layers.MultiHeadSelfAttention(heads, causal=causal)(
                x, return_attention_scores=True
            )[0]
        ),
        "keras.MultiHeadAttention": lambda x: keras.layers.MultiHeadAttention(
            heads, dim // heads
        )(x, x, use_causal_mask=causal),
    }


def time_candidate(layer_fn, x, y, repeats):
    inputs = keras.Input(x.shape[1:])
    model = keras.Model(inputs, layer_fn(inputs))
    model.compile(optimizer=keras.optimizers.SGD(1e-3), loss="mse")
    results = {}
    for mode, call in (
        ("train", lambda: model.train_on_batch(x, y)),
        ("predict", lambda: model.predict_on_batch(x)),
    ):
        measured = timing.measure(call, repeats)
        with timing.PeakMemory() as memory:
            timing.sync(call())
        measured["peak_memory_bytes"] = memory.bytes
        measured["memory_method"] = memory.method
        results[mode] = measured
    return results


def main(argv=None):
    parser = timing.parser(__doc__.splitlines()[0])
    parser.add_argument("--causal", action="store_true", help="causal attention")
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    repeats = timing.repeats_of(args)
    timing.set_seed(0)
    rng = np.random.default_rng(0)
    for time_steps in sizes["times"]:
        shape = (sizes["batch"], time_steps, sizes["dim"])
        x = rng.standard_normal(shape).astype("float32")
        y = rng.standard_normal(shape).astype("float32")
        results = {
            name: time_candidate(layer_fn, x, y, repeats)
            for name, layer_fn in candidates(
                sizes["heads"], sizes["dim"], args.causal
            ).items()
        }
        for mode in ("train", "predict"):
            records = [
                {
                    "benchmark": BENCHMARK,
                    "name": name,
                    "mode": mode,
                    "sizes": {
                        "batch": sizes["batch"],
                        "heads": sizes["heads"],
                        "dim": sizes["dim"],
                        "time": time_steps,
                        "causal": args.causal,
                    },
                    **result[mode],
                    "tokens_per_s": sizes["batch"]
                    * time_steps
                    / result[mode]["median_s"],
                    "quick": args.quick,
                }
                for name, result in results.items()
            ]
            for record in timing.add_speedups(records, PEERS):
                timing.emit(record, args.output)
        keras.backend.clear_session()


if __name__ == "__main__":
    main()
