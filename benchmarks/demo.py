"""`make demo` wall time: `keras-seq train`, then `keras-seq predict`.

Runs the two commands of `make demo` (the default application,
TextClassifier on the Rotten Tomatoes reviews) in subprocesses under the
current `KERAS_BACKEND`, into a temporary folder, and reports the wall
time of each and of both (imports, data loading, loading the shipped
word vectors and saving included: what a new user waits for). One run by
default: it trains a model. `--quick` trains the hidden tiny setup on 64 examples for
one epoch instead, which checks the script and measures nothing.

    KERAS_BACKEND=jax python benchmarks/demo.py [--quick]
"""

import os
import subprocess
import sys
import tempfile
import time

import timing

BENCHMARK = "demo"
REVIEWS = ["a gripping, funny and moving film", "dull, flat and far too long"]


def command():
    """The `keras-seq` command of this interpreter's environment."""
    return [sys.executable, "-m", "keras_seq"]


def main(argv=None):
    parser = timing.parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    repeats = timing.repeats_of(args, default=1)
    extra = ["--tiny", "--limit", "64", "--epochs", "1"] if args.quick else []
    environment = dict(os.environ, KERAS_BACKEND=timing.backend())
    times = {"train": [], "predict": [], "total": []}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            output = os.path.join(folder, "text_classifier")
            start = time.perf_counter()
            subprocess.run(
                [*command(), "train", "--output", output, *extra],
                check=True,
                env=environment,
                stdout=subprocess.DEVNULL,
            )
            trained = time.perf_counter()
            subprocess.run(
                [*command(), "predict", output, *REVIEWS],
                check=True,
                env=environment,
                stdout=subprocess.DEVNULL,
            )
            done = time.perf_counter()
        times["train"].append(trained - start)
        times["predict"].append(done - trained)
        times["total"].append(done - start)
    for mode, values in times.items():
        values = sorted(values)
        timing.emit(
            {
                "benchmark": BENCHMARK,
                "name": "make demo",
                "mode": mode,
                "sizes": {"quick_setup": args.quick},
                "repeats": repeats,
                "median_s": values[len(values) // 2],
                "min_s": values[0],
                "max_s": values[-1],
                "times_s": values,
                "quick": args.quick,
            },
            args.output,
        )


if __name__ == "__main__":
    main()
