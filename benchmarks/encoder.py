"""Transformer encoder training and inference against its peers, with MFU.

Times a stack of encoder layers on float inputs `(batch, time, dim)` with a
mean-squared-error loss against a random target, Adam, no dropout,
post-norm (every candidate's default):

- training: `model.fit` over `--steps` batches per call (one epoch),
  median seconds per call divided by the steps;
- inference: `model.predict_on_batch` of one batch;

every candidate built first, then timed in turns within each repeat
(`timing.measure_interleaved`), so a drift of the machine reaches all alike.

Candidates, in one process at the same sizes: `keras_seq.layers.
TransformerEncoder`; `keras_hub.layers.TransformerEncoder`; the same block
written from `keras.layers.MultiHeadAttention`, `LayerNormalization` and
`Dense`; under PyTorch also `torch.nn.TransformerEncoder`, trained by a
plain PyTorch loop (and run under `torch.no_grad()` in eval mode for
inference). Model-FLOP utilisation is against the float32 matmul peak
measured in the same process (`timing.matmul_peak_flops`).

    KERAS_BACKEND=torch python benchmarks/encoder.py [--quick]
"""

import keras
import keras_hub
import numpy as np
import timing

from keras_seq import layers

BENCHMARK = "encoder"
FULL = dict(num_layers=2, batch=32, time=128, dim=256, heads=4, intermediate=1024)
QUICK = dict(num_layers=1, batch=4, time=16, dim=32, heads=2, intermediate=64)
EPSILON = 1e-5


def keras_mha_block(x, heads, intermediate):
    """A post-norm encoder block from `keras.layers` only."""
    dim = x.shape[-1]
    attention = keras.layers.MultiHeadAttention(heads, dim // heads)(x, x)
    x = keras.layers.LayerNormalization(epsilon=EPSILON)(x + attention)
    hidden = keras.layers.Dense(intermediate, activation="relu")(x)
    return keras.layers.LayerNormalization(epsilon=EPSILON)(
        x + keras.layers.Dense(dim)(hidden)
    )


CANDIDATES = {
    "keras_seq.TransformerEncoder": lambda x, heads, intermediate: (
        layers.TransformerEncoder(heads, intermediate, layer_norm_epsilon=EPSILON)(x)
    ),
    "keras_hub.TransformerEncoder": lambda x, heads, intermediate: (
        keras_hub.layers.TransformerEncoder(
            intermediate, heads, layer_norm_epsilon=EPSILON
        )(x)
    ),
    "keras.MultiHeadAttention block": keras_mha_block,
}
PEERS = ["keras_hub.TransformerEncoder", "keras.MultiHeadAttention block", "torch.nn"]


def build_keras(name, sizes, jit_compile="auto"):
    inputs = keras.Input((sizes["time"], sizes["dim"]))
    x = inputs
    for _ in range(sizes["num_layers"]):
        x = CANDIDATES[name](x, sizes["heads"], sizes["intermediate"])
    model = keras.Model(inputs, x)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-4), loss="mse", jit_compile=jit_compile
    )
    return model


def keras_candidate(name, sizes, data, jit_compile="auto"):
    """`(train, predict, extra)` of a Keras candidate: one fit epoch, one batch.

    The model computes in the global dtype policy (`mixed_bfloat16` set
    around the call gives a mixed-precision model).
    """
    x, y = data
    model = build_keras(name, sizes, jit_compile)
    batch = sizes["batch"]

    train = timing.fit_one_epoch(model, x, y, batch)

    def predict():
        return model.predict_on_batch(x[:batch])

    jit = getattr(model, "jit_compile", None)
    return train, predict, {"jit_compile": jit if isinstance(jit, bool) else None}


def torch_candidate(sizes, data, autocast=None, fused_adam=False):
    """`torch.nn.TransformerEncoder` with a plain training loop.

    Args:
        autocast: None (float32), or a dtype name (`"bfloat16"`) that the
            forward passes of training and inference run in under
            `torch.autocast`, as Keras' `mixed_bfloat16` policy computes.
        fused_adam: whether Adam updates all parameters in one fused kernel
            (`torch.optim.Adam(fused=True)`) instead of a loop over them.
    """
    import contextlib

    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    layer = torch.nn.TransformerEncoderLayer(
        sizes["dim"],
        sizes["heads"],
        sizes["intermediate"],
        dropout=0.0,
        activation="relu",
        layer_norm_eps=EPSILON,
        batch_first=True,
    )
    model = torch.nn.TransformerEncoder(
        layer, sizes["num_layers"], enable_nested_tensor=False
    ).to(device)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=1e-4, **({"fused": True} if fused_adam else {})
    )
    loss_fn = torch.nn.MSELoss()
    batch = sizes["batch"]
    x = torch.from_numpy(data[0]).to(device)
    y = torch.from_numpy(data[1]).to(device)
    batches = [(x[i : i + batch], y[i : i + batch]) for i in range(0, len(x), batch)]

    def precision():
        if autocast is None:
            return contextlib.nullcontext()
        return torch.autocast(device, dtype=getattr(torch, autocast))

    def train():
        model.train()
        for inputs, targets in batches:
            optimizer.zero_grad(set_to_none=True)
            with precision():
                loss = loss_fn(model(inputs).float(), targets)
            loss.backward()
            optimizer.step()
        return loss.detach()

    def predict():
        model.eval()
        with torch.no_grad(), precision():
            return model(x[:batch])

    return train, predict, {}


def time_candidates(candidates, repeats, steps):
    """Times `{name: (train, predict, extra)}` in turns: training, then inference.

    Returns `{name: (per-step training figures, inference figures, extra)}`.
    """
    # The candidates take turns in every repeat (`measure_interleaved`).
    training = timing.measure_interleaved(
        {name: candidate[0] for name, candidate in candidates.items()}, repeats
    )
    inference = timing.measure_interleaved(
        {name: candidate[1] for name, candidate in candidates.items()}, repeats
    )
    return {
        name: (timing.per_step(training[name], steps), inference[name], candidate[2])
        for name, candidate in candidates.items()
    }


def emit_results(benchmark, results, sizes, steps, peak, args, peers=PEERS, extra=None):
    """Emits a record per candidate and mode of `time_candidates`' results.

    Model FLOP/s and tokens/s for each; the MFU against `peak` (FLOP/s)
    when there is one; speed-ups against `peers`.
    """
    flops = {
        mode: timing.encoder_flops(
            sizes["batch"],
            sizes["time"],
            sizes["dim"],
            sizes["intermediate"],
            sizes["num_layers"],
            training=mode == "train",
        )
        for mode in ("train", "predict")
    }
    for index, mode in enumerate(("train", "predict")):
        records = []
        for name, result in results.items():
            measured = result[index]
            seconds = measured["median_s"]
            record = {
                "benchmark": benchmark,
                "name": name,
                "mode": mode,
                "sizes": dict(sizes, steps_per_call=steps),
                **measured,
                **result[2],
                **(extra or {}),
                "model_flops": flops[mode],
                "flops_per_s": flops[mode] / seconds,
                "tokens_per_s": sizes["batch"] * sizes["time"] / seconds,
                "examples_per_s": sizes["batch"] / seconds,
                "quick": args.quick,
            }
            if peak:
                record["peak_flops_per_s"] = peak
                record["mfu"] = flops[mode] / seconds / peak
            records.append(record)
        for record in timing.add_speedups(records, peers):
            timing.emit(record, args.output)


def main(argv=None):
    parser = timing.parser(__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None, help="batches per fit call")
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    steps = args.steps or (2 if args.quick else 10)
    repeats = timing.repeats_of(args)
    timing.set_seed(0)
    peak = timing.emit_peak(BENCHMARK, args)

    data = random_data(sizes, steps)
    candidates = {name: keras_candidate(name, sizes, data) for name in CANDIDATES}
    if timing.backend() == "torch":
        candidates["torch.nn"] = torch_candidate(sizes, data)
    results = time_candidates(candidates, repeats, steps)
    emit_results(BENCHMARK, results, sizes, steps, peak, args)


def random_data(sizes, steps):
    """Inputs and targets of `steps` batches, `(steps * batch, time, dim)` each."""
    rng = np.random.default_rng(0)
    shape = (steps * sizes["batch"], sizes["time"], sizes["dim"])
    return (
        rng.standard_normal(shape).astype("float32"),
        rng.standard_normal(shape).astype("float32"),
    )


if __name__ == "__main__":
    main()
