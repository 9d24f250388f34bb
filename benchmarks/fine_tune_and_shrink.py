"""Fine-tune cheaply, ship small: quantized presets, and LoRA against full tuning.

Two measurements, one JSON line each (`timing.emit`):

- `shrink`: each shipped preset as it ships (float32) and after
  `model.quantize("int8")` and `quantize("float8")`: its held-out figure
  on the first `--examples` test examples (the figure of its model card,
  `keras_seq.evaluation.held_out`), the size of its `.keras` file, and the
  CPU time of scoring those examples (raw inputs through the preprocessor,
  then `predict`, or `generate` for a generator; median of `--repeats`,
  after the scoring that compiles).
- `lora`: the `rotten_tomatoes` preset fine-tuned for two epochs on the
  first `--train-examples` training reviews (Adam, learning rate 1e-4,
  batches of 32), in full and with LoRA adapters of rank 4 (query and
  value): its trainable weights, the mean time of a training step in the
  second epoch (the first compiles), the process's peak resident memory
  (each run in a fresh process, `ru_maxrss`) and the held-out accuracy
  reached on the first `--examples` test reviews.

    KERAS_BACKEND=jax python benchmarks/fine_tune_and_shrink.py [--quick]
        [--presets rotten_tomatoes,mnist_vit] [--examples 200] [--output FILE]
    python benchmarks/fine_tune_and_shrink.py --report FILE [FILE ...]
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_seq.applications  # noqa: E402, F401  (registers the builders)
from benchmarks import timing  # noqa: E402
from keras_seq.evaluation import held_out  # noqa: E402
from keras_seq.models import Task  # noqa: E402
from keras_seq.presets import shipped  # noqa: E402
from keras_seq.presets.format import read_metadata  # noqa: E402

MODES = ("float32", "int8", "float8")
LORA_RANK = 4


def shrink(name, examples, repeats, output):
    metadata = read_metadata(name)
    figure = held_out.get(metadata["dataset"])
    inputs, targets = figure.examples("test", examples)
    for mode in MODES:
        model = Task.from_preset(name)
        if mode != "float32":
            model.quantize(mode)
        scores = figure.measure(model, inputs, targets)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            model.save(path)
            size = os.path.getsize(path)
        # Scored once above (which compiled), then timed: the figure's own
        # calls, `predict` for a classifier, `generate` for a generator.
        measured = timing.measure(
            lambda model=model: figure.measure(model, inputs, targets),
            repeats,
            warmup=0,
        )
        timing.emit(
            {
                "benchmark": "fine_tune_and_shrink",
                "name": f"shrink/{name}/{mode}",
                "backend": timing.backend(),
                "device": timing.device(),
                "sizes": {"examples": len(targets)},
                "metric": figure.metric,
                "value": float(scores[figure.metric]),
                "card_value": metadata["metric"]["value"],
                "keras_file_bytes": size,
                **{k: v for k, v in measured.items() if k != "times_s"},
            },
            output,
        )


def lora_run(mode, train_examples, test_examples, output):
    """One fine-tuning run of `rotten_tomatoes`, in full or with LoRA."""
    figure = held_out.get("rotten_tomatoes")
    x, y = figure.examples("train", train_examples)
    x_test, y_test = figure.examples("test", test_examples)
    model = Task.from_preset("rotten_tomatoes")
    if mode == "lora":
        model.enable_lora(LORA_RANK)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4))
    trainable = sum(int(np.prod(v.shape)) for v in model.trainable_weights)
    batch_size = 32
    steps = -(-len(x) // batch_size)
    # The first epoch compiles a step for each padded length; the second is timed.
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    step_s = (time.perf_counter() - start) / steps
    scores = figure.measure(model, x_test, y_test)
    # ru_maxrss is in kilobytes on Linux.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    timing.emit(
        {
            "benchmark": "fine_tune_and_shrink",
            "name": f"lora/rotten_tomatoes/{mode}",
            "backend": timing.backend(),
            "device": timing.device(),
            "sizes": {
                "train_examples": len(y),
                "test_examples": len(y_test),
                "batch_size": batch_size,
                "rank": LORA_RANK if mode == "lora" else None,
            },
            "trainable_weights": trainable,
            "total_weights": model.count_params(),
            "step_s": step_s,
            "peak_memory_bytes": peak,
            "memory_method": "ru_maxrss of a fresh process",
            "metric": figure.metric,
            "value": float(scores[figure.metric]),
        },
        output,
    )


def report(paths):
    """Prints BENCHMARKS.md's tables from the JSON lines of `paths`."""
    import json

    records = [
        json.loads(line)
        for path in paths
        for line in open(path, encoding="utf-8")
        if '"fine_tune_and_shrink"' in line
    ]
    shrinks = [r for r in records if r["name"].startswith("shrink/")]
    print(
        "| preset | mode | backend | figure (first examples) | .keras bytes | "
        "scoring ms |"
    )
    print("|---|---|---|---|---|---|")
    for r in sorted(shrinks, key=lambda r: (r["name"].split("/")[1], r["backend"])):
        _, name, mode = r["name"].split("/")
        print(
            f"| {name} | {mode} | {r['backend']} | {r['value']:.4g} "
            f"({r['sizes']['examples']}) | {r['keras_file_bytes']:,} | "
            f"{1000 * r['median_s']:.1f} |"
        )
    print()
    print("| run | backend | trainable weights | step ms | peak memory MB | accuracy |")
    print("|---|---|---|---|---|---|")
    for r in [r for r in records if r["name"].startswith("lora/")]:
        print(
            f"| {r['name'].split('/')[-1]} | {r['backend']} | "
            f"{r['trainable_weights']:,} of {r['total_weights']:,} | "
            f"{1000 * r['step_s']:.0f} | {r['peak_memory_bytes'] / 2**20:.0f} | "
            f"{r['value']:.4f} |"
        )


def main():
    parser = timing.parser(__doc__.splitlines()[0])
    parser.add_argument("--presets", default=",".join(sorted(shipped.SHIPPED_PRESETS)))
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--train-examples", type=int, default=2000)
    parser.add_argument("--skip", choices=("shrink", "lora"), default=None)
    parser.add_argument("--lora-run", choices=("full", "lora"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--report", nargs="+", metavar="JSONL", help="print the tables of these runs"
    )
    args = parser.parse_args()
    if args.report:
        return report(args.report)
    examples = 8 if args.quick else args.examples
    train_examples = 64 if args.quick else args.train_examples
    if args.lora_run:
        return lora_run(args.lora_run, train_examples, examples, args.output)
    if args.skip != "shrink":
        for name in args.presets.split(","):
            shrink(name, examples, timing.repeats_of(args, default=3), args.output)
    if args.skip != "lora":
        for mode in ("full", "lora"):
            # A fresh process each: its peak memory is this run's alone.
            subprocess.run(
                [sys.executable, __file__, "--lora-run", mode]
                + (["--quick"] if args.quick else [])
                + ["--examples", str(examples)]
                + ["--train-examples", str(train_examples)]
                + (["--output", args.output] if args.output else []),
                check=True,
            )


if __name__ == "__main__":
    main()
