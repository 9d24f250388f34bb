"""Memory for time in training: rematerialisation and gradient accumulation.

A CausalLM (4 transformer layers, width 128, dropout 0) trains on random
tokens of `--length` steps, three ways, each in a fresh process so that its
peak resident memory (`ru_maxrss`) is its own: as it is (`plain`, batches
of `--batch-size`), with `compile(remat=True)` (`remat`), and with batches
four times smaller accumulated over four steps
(`compile(gradient_accumulation_steps=4)`, `accumulate`: the same update,
see tests/models/test_memory.py). One JSON line each: the peak memory and
the mean time of an update (of `--batch-size` examples), after the first
(which compiles).

    KERAS_BACKEND=torch python benchmarks/training_memory.py [--quick]
        [--length 512] [--batch-size 32] [--output FILE]
"""

import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks import timing  # noqa: E402
from keras_seq.applications import CausalLM  # noqa: E402

RUNS = {
    "plain": {},
    "remat": {"remat": True},
    "accumulate": {"gradient_accumulation_steps": 4},
}


def one_run(run, length, batch_size, updates, output):
    keras.utils.set_random_seed(0)
    width = 16 if length < 64 else 128
    model = CausalLM(
        256,
        length,
        num_layers=4,
        num_heads=4,
        hidden_dim=width,
        intermediate_dim=4 * width,
    )
    options = RUNS[run]
    model.compile(optimizer=keras.optimizers.SGD(0.01), **options)
    steps = options.get("gradient_accumulation_steps", 1)
    tokens = np.random.default_rng(0).integers(
        1, 256, size=(batch_size * (updates + 1), length + 1)
    )
    x, y = tokens[:, :-1], tokens[:, 1:]
    fit = {"batch_size": batch_size // steps, "verbose": 0, "shuffle": False}
    first = batch_size  # the first update compiles
    model.fit(x[:first], y[:first], epochs=1, **fit)
    start = time.perf_counter()
    model.fit(x[first:], y[first:], epochs=1, **fit)
    update_s = (time.perf_counter() - start) / updates
    timing.emit(
        {
            "benchmark": "training_memory",
            "name": f"training_memory/{run}",
            "sizes": {
                "length": length,
                "batch_size": batch_size,
                "updates": updates,
                "width": width,
                "accumulation_steps": steps,
            },
            "update_s": update_s,
            # ru_maxrss is in kilobytes on Linux.
            "peak_memory_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            * 1024,
            "memory_method": "ru_maxrss of a fresh process",
        },
        output,
    )


def main(argv=None):
    parser = timing.parser(__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--updates", type=int, default=3)
    parser.add_argument("--run", choices=tuple(RUNS), help="one run, in this process")
    args = parser.parse_args(argv)
    length = 16 if args.quick else args.length
    batch_size = 8 if args.quick else args.batch_size
    updates = 1 if args.quick else args.updates
    if args.run or args.quick:
        for run in [args.run] if args.run else RUNS:
            one_run(run, length, batch_size, updates, args.output)
        return
    for run in RUNS:
        # A fresh process each: its peak memory is this run's alone.
        subprocess.run(
            [sys.executable, __file__, "--run", run, "--length", str(length)]
            + ["--batch-size", str(batch_size), "--updates", str(updates)]
            + (["--output", args.output] if args.output else []),
            check=True,
        )


if __name__ == "__main__":
    main()
