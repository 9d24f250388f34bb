"""Per-step overhead at tiny sizes: the CPU proxy of speed on an accelerator.

At sizes where the arithmetic costs next to nothing (2 encoder layers,
dim 64, 4 heads, feed-forward 256, 16 steps, batch 8, one thread) a step
takes what the framework's Python and dispatch take, which is what keeps
a GPU waiting. Times, on one thread:

- `fit`: milliseconds per step of `model.fit` (10 steps per call) of the
  encoder benchmark's keras-seq model, built as a `keras_seq.models.Task`
  (the base of every application, whose steps on PyTorch replay captured
  graphs), against `torch.nn.TransformerEncoder` trained by a plain
  PyTorch loop under PyTorch, and against the same Task compiled with
  `run_eagerly=True` (Keras' own eager steps, as before the graphs);
- `predict`: milliseconds per `predict_on_batch`, against the `torch.nn`
  model's forward under `torch.no_grad()` in eval mode;
- `generate`: milliseconds per generated token of a `CausalLM` of the same
  sizes (vocabulary 1000, batch 8, 16-token prompts, greedy, 128 tokens in
  all), against KerasHub's `GPT2CausalLM` of the same sizes; under PyTorch
  also the `CausalLM` compiled with `jit_compile=True` (its captured graphs
  compiled by `torch.compile`).

All candidates of a mode are timed in turns (`timing.measure_interleaved`),
each warmed up with enough calls for PyTorch's captured graphs to be in
use (`captured_graphs.EAGER_CALLS`).

    KERAS_BACKEND=torch python benchmarks/overhead.py [--quick]
"""

import os

# One thread, before any backend starts its thread pools.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import encoder  # noqa: E402
import generation  # noqa: E402
import keras  # noqa: E402
import timing  # noqa: E402

from keras_seq.backend.torch.captured_graphs import EAGER_CALLS  # noqa: E402
from keras_seq.models import Task  # noqa: E402

BENCHMARK = "overhead"
SIZES = dict(num_layers=2, batch=8, time=16, dim=64, heads=4, intermediate=256)
GENERATION = dict(
    vocabulary=1000,
    num_layers=2,
    dim=64,
    heads=4,
    intermediate=256,
    batch=8,
    prompt=16,
    totals=(128,),
)
STEPS = 10


def one_thread():
    if timing.backend() == "torch":
        import torch

        torch.set_num_threads(1)


def task_candidate(sizes, data, run_eagerly=False):
    """`(train, predict)` of the encoder benchmark's keras-seq model as a Task."""
    stack = encoder.build_keras("keras_seq.TransformerEncoder", sizes)
    model = Task(stack.inputs, stack.outputs, init_config={})
    model.compile(
        optimizer=keras.optimizers.Adam(1e-4), loss="mse", run_eagerly=run_eagerly
    )
    x, y = data
    train = timing.fit_one_epoch(model, x, y, sizes["batch"])
    return train, lambda: model.predict_on_batch(x[: sizes["batch"]])


def encoder_candidates(sizes, steps):
    data = encoder.random_data(sizes, steps)
    candidates = {"keras_seq.Task": task_candidate(sizes, data)}
    if timing.backend() == "torch":
        # Keras' own eager steps (PyTorch runs eagerly anyway): the same
        # model without the captured graphs.
        candidates["keras_seq.Task(run_eagerly)"] = task_candidate(
            sizes, data, run_eagerly=True
        )
        candidates["torch.nn"] = encoder.torch_candidate(sizes, data)
    return candidates


def generators(sizes):
    candidates = {
        "keras_seq.CausalLM": generation.KerasSeqGenerator(
            generation.keras_seq_lm(sizes)
        ),
        "keras_hub.GPT2CausalLM": generation.KerasHubGenerator(sizes),
    }
    if timing.backend() == "torch":
        # The captured graphs also compiled by torch.compile (warm-up:
        # tens of seconds of TorchInductor).
        model = generation.keras_seq_lm(sizes)
        model.compile(sampler="greedy", jit_compile=True)
        candidates["keras_seq.CausalLM(jit_compile)"] = generation.KerasSeqGenerator(
            model
        )
    return candidates


def main(argv=None):
    parser = timing.parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    one_thread()
    repeats = timing.repeats_of(args, default=7)
    steps = 2 if args.quick else STEPS
    timing.set_seed(0)
    sizes = dict(SIZES)
    generation_sizes = dict(GENERATION)
    if args.quick:
        generation_sizes["totals"] = (24,)

    candidates = encoder_candidates(sizes, steps)
    # Quick runs smoke the code: their figures mean nothing, uncaptured.
    warmup = 1 if args.quick else EAGER_CALLS + 2
    timed = {
        "fit": timing.measure_interleaved(
            {name: candidate[0] for name, candidate in candidates.items()},
            repeats,
            warmup=-(-warmup // steps) + 1,
        ),
        "predict": timing.measure_interleaved(
            {name: candidate[1] for name, candidate in candidates.items()},
            repeats,
            warmup=warmup,
        ),
    }
    timed["fit"] = {
        name: timing.per_step(measured, steps)
        for name, measured in timed["fit"].items()
    }
    total = generation_sizes["totals"][0]
    new_tokens = total - generation_sizes["prompt"]
    prompt = generation.prompts(generation_sizes)
    timed["generate"] = {
        name: timing.per_step(measured, new_tokens)
        for name, measured in timing.measure_interleaved(
            {
                name: lambda generator=generator: generator(prompt, total)
                for name, generator in generators(generation_sizes).items()
            },
            repeats,
        ).items()
    }
    eager = "keras_seq.Task(run_eagerly)"
    peers = {"fit": ["torch.nn", eager], "predict": ["torch.nn", eager]}
    peers["generate"] = ["keras_hub.GPT2CausalLM"]
    for mode, results in timed.items():
        mode_sizes = generation_sizes if mode == "generate" else sizes
        records = [
            {
                "benchmark": BENCHMARK,
                "name": name,
                "mode": mode,
                "sizes": dict(mode_sizes, threads=1),
                **measured,
                "ms_per_step": 1000 * measured["median_s"],
                "quick": args.quick,
            }
            for name, measured in results.items()
        ]
        for record in timing.add_speedups(records, peers[mode]):
            timing.emit(record, args.output)


if __name__ == "__main__":
    main()
