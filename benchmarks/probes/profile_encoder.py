"""One encoder candidate of `benchmarks/encoder.py`, training for a while.

A target for a sampling profiler: it builds one candidate at the
benchmark's sizes, warms it up, then runs `model.fit` epochs (10 steps
each) for `--seconds`, printing the median time per step, so that the
profile holds the training step and little else:

    KERAS_BACKEND=jax py-spy record --native --rate 200 -f raw -o jax.txt -- \\
        .venv/bin/python benchmarks/probes/profile_encoder.py
    .venv/bin/python benchmarks/probes/profile_summary.py jax.txt
"""

import argparse
import contextlib
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).parents[1]))

import encoder  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import timing  # noqa: E402


@contextlib.contextmanager
def backend_profiler(folder):
    """Records what runs inside with the backend's own profiler into `folder`.

    JAX and TensorFlow write an XSpace (`*.xplane.pb`, read by
    `profile_summary.py` or TensorBoard's profile plugin); PyTorch writes
    `torch_ops.txt`, its operator table sorted by self CPU time.
    """
    name = keras.backend.backend()
    if name == "jax":
        import jax

        with jax.profiler.trace(folder):
            yield
    elif name == "tensorflow":
        import tensorflow as tf

        tf.profiler.experimental.start(folder)
        try:
            yield
        finally:
            tf.profiler.experimental.stop()
    else:
        import torch

        with torch.profiler.profile() as profile:
            yield
        averages = profile.key_averages()
        table = averages.table(sort_by="self_cpu_time_total", row_limit=40)
        pathlib.Path(folder).mkdir(parents=True, exist_ok=True)
        (pathlib.Path(folder) / "torch_ops.txt").write_text(table)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--candidate",
        default="keras_seq.TransformerEncoder",
        choices=sorted(encoder.CANDIDATES),
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--trace",
        default=None,
        help="folder: also record a trace of two epochs with the backend's "
        "profiler (jax.profiler, tf.profiler, torch.profiler)",
    )
    args = parser.parse_args(argv)
    sizes, steps = encoder.FULL, 10
    timing.set_seed(0)
    rng = np.random.default_rng(0)
    shape = (steps * sizes["batch"], sizes["time"], sizes["dim"])
    x = rng.standard_normal(shape).astype("float32")
    y = rng.standard_normal(shape).astype("float32")
    train, _, _ = encoder.keras_candidate(args.candidate, sizes, (x, y))
    train()
    times, end = [], time.perf_counter() + args.seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        timing.sync(train())
        times.append((time.perf_counter() - start) / steps)
    if args.trace:
        with backend_profiler(args.trace):
            for _ in range(2):
                timing.sync(train())
    print(
        f"{args.candidate}: {len(times)} epochs, "
        f"median {1000 * statistics.median(times):.1f} ms per step, "
        f"steps (ms): {[round(1000 * t) for t in times]}"
    )


if __name__ == "__main__":
    main()
