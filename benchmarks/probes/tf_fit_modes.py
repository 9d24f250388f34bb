"""TensorFlow's two speeds of `model.fit`: time and cores used per call.

Trains the encoder benchmark's keras-seq candidate (`encoder.FULL` sizes,
10 batches a call) in turns through three ways of feeding it: `fit` on
NumPy arrays (what `benchmarks/encoder.py` times), `fit` on a plain
`tf.data.Dataset.from_tensor_slices(...).batch(32)`, and `train_on_batch`
on each batch. For every call it prints the milliseconds per step and the
cores the process kept busy (process CPU time over wall time; 2 cores
here). A slow call runs on about one core:

    KERAS_BACKEND=tensorflow python benchmarks/probes/tf_fit_modes.py [--calls 10]
"""

import argparse
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).parents[1]))

import encoder  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10, help="calls of each way")
    args = parser.parse_args(argv)
    sizes, steps = encoder.FULL, 10
    batch = sizes["batch"]
    rng = np.random.default_rng(0)
    shape = (steps * batch, sizes["time"], sizes["dim"])
    x = rng.standard_normal(shape).astype("float32")
    y = rng.standard_normal(shape).astype("float32")
    model = encoder.build_keras("keras_seq.TransformerEncoder", sizes)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch)

    def on_batches():
        for start in range(0, len(x), batch):
            model.train_on_batch(x[start : start + batch], y[start : start + batch])

    ways = {
        "fit(arrays)": lambda: model.fit(
            x, y, batch_size=batch, verbose=0, shuffle=False
        ),
        "fit(dataset)": lambda: model.fit(dataset, verbose=0),
        "train_on_batch": on_batches,
    }
    for run in ways.values():
        run()
    calls = {name: [] for name in ways}
    for _ in range(args.calls):
        for name, run in ways.items():
            cpu, start = time.process_time(), time.perf_counter()
            run()
            wall = time.perf_counter() - start
            calls[name].append(
                (1000 * wall / steps, (time.process_time() - cpu) / wall)
            )
    for name, measured in calls.items():
        slow = sum(cores < 1.5 for _, cores in measured)
        print(
            f"{name}: median {statistics.median(ms for ms, _ in measured):.0f} ms "
            f"per step, {slow} of {len(measured)} calls on under 1.5 cores; "
            f"(ms, cores) per call: "
            f"{[(round(ms), round(cores, 2)) for ms, cores in measured]}"
        )


if __name__ == "__main__":
    main()
