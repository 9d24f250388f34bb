"""Step time of `keras-seq train` as 1 process against 2 processes (one host).

The same run (a tiny ViT on the 8x8 digits, `--batch-size 32`, 3 epochs)
launched alone and as 2 processes the engine's way on 127.0.0.1
(`tests/distribution/process_runs.py` sets the launcher's variables:
`KERAS_DISTRIBUTION_*`, `TF_CONFIG`, `torchrun`'s). The figure is Keras'
own per-step time of the last epoch (after compilation), as `fit` prints
it, for the backend of `KERAS_BACKEND`.

On one machine the 2 processes share its cores: the figure shows what
the communication costs (each step all-reduces the gradients between the
processes over TCP), not a speed-up. On a real cluster, run the launch
lines of docs/many_machines.md with `--batch-size 32 --epochs 3` on each
host and read the same line of process 0's log.

    KERAS_BACKEND=jax python benchmarks/multi_process.py [--limit 256]
"""

import argparse
import os
import pathlib
import re
import sys
import tempfile

ROOT = pathlib.Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from tests.distribution import process_runs  # noqa: E402

STEP = re.compile(r"- (\d+(?:\.\d+)?)(ms|s)/step")


def last_step_ms(output):
    """The per-step time of the last epoch `fit` printed, in milliseconds."""
    value, unit = STEP.findall(output)[-1]
    return float(value) * (1 if unit == "ms" else 1000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=256, help="training examples")
    args = parser.parse_args()
    backend = os.environ.get("KERAS_BACKEND", "jax")
    argv = [
        "train", "vit", "--data", "digits", "--tiny", "--limit", str(args.limit),
        "--batch-size", "32", "--epochs", "3", "--output", "out",
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        code, alone = process_runs.run_alone(backend, argv, folder / "alone")
        results = process_runs.run(backend, argv, folder / "cluster")
    for status, output in [(code, alone), *results]:
        if status != 0:
            raise SystemExit(output[-3000:])
    print(f"backend {backend}, global batch 32, {args.limit} training examples")
    print(f"1 process:   {last_step_ms(alone):.0f} ms/step")
    print(f"2 processes: {last_step_ms(results[0][1]):.0f} ms/step (process 0)")


if __name__ == "__main__":
    main()
