"""Step time of data-parallel training on 1, 2, 4 and 8 devices (JAX).

A TextClassifier (2 encoder layers, dim 64, 4 heads, feed-forward 256,
64-token sequences, vocabulary 1000, no dropout) trained by `model.fit`
under `keras.distribution.DataParallel` over the first 1, 2, 4 and 8
devices JAX sees, at one global batch of 64 (64, 32, 16 and 8 examples a
device); milliseconds per step of a call of 10 steps, the device counts
timed in turns. Each count's model is built, compiled and trained in its
own distribution's scope.

On a CPU the devices are virtual: this script sets
`XLA_FLAGS=--xla_force_host_platform_device_count=8` before JAX starts,
which splits the CPU into 8 devices sharing the same cores. There the
figures show what sharding costs (the split batch, the gradients'
all-reduce, one program per device), not a speed-up. On a host with
accelerators the same script times the real ones (as many as it has, up
to 8).

    KERAS_BACKEND=jax python benchmarks/devices.py [--quick]
"""

import os

# Before JAX starts: a CPU shows up as 8 devices (accelerators are unaffected).
if "xla_force_host_platform_device_count" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=8"
    ).strip()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import timing  # noqa: E402

from keras_seq.applications import TextClassifier  # noqa: E402

BENCHMARK = "devices"
SIZES = dict(
    vocabulary=1000, length=64, num_layers=2, dim=64, heads=4, intermediate=256
)
QUICK_SIZES = dict(
    vocabulary=100, length=8, num_layers=1, dim=8, heads=2, intermediate=16
)
BATCH = 64
COUNTS = (1, 2, 4, 8)
STEPS = 10


def name_of(count):
    return f"{count} device" + ("s" if count > 1 else "")


def candidate(devices, sizes, x, y):
    """Trains one epoch of `x`, `y` data-parallel over `devices`."""
    distribution = keras.distribution.DataParallel(devices=devices)
    with distribution.scope():
        model = TextClassifier(
            vocabulary_size=sizes["vocabulary"],
            max_length=sizes["length"],
            classes=2,
            num_layers=sizes["num_layers"],
            num_heads=sizes["heads"],
            hidden_dim=sizes["dim"],
            intermediate_dim=sizes["intermediate"],
            dropout=0.0,
        )
        model.compile()
    train = timing.fit_one_epoch(model, x, y, BATCH)

    def run():
        with distribution.scope():
            return train()

    return run


def main(argv=None):
    parser = timing.parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    if timing.backend() != "jax":
        raise SystemExit(
            "benchmarks/devices.py times keras.distribution.DataParallel, which "
            f"runs on JAX only. Received: KERAS_BACKEND={timing.backend()}"
        )
    repeats = timing.repeats_of(args, default=5)
    steps = 2 if args.quick else STEPS
    sizes = QUICK_SIZES if args.quick else SIZES
    timing.set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(1, sizes["vocabulary"], size=(steps * BATCH, sizes["length"]))
    y = rng.integers(0, 2, size=steps * BATCH)
    devices = keras.distribution.list_devices()
    counts = [count for count in COUNTS if count <= len(devices)]
    candidates = {
        name_of(count): candidate(devices[:count], sizes, x, y) for count in counts
    }
    # Warm-up: the first call compiles; a second runs compiled.
    timed = timing.measure_interleaved(candidates, repeats, warmup=2)
    records = []
    for count in counts:
        measured = timing.per_step(timed[name_of(count)], steps)
        records.append(
            {
                "benchmark": BENCHMARK,
                "name": name_of(count),
                "mode": "fit",
                "sizes": dict(sizes, batch=BATCH, devices=count),
                **measured,
                "ms_per_step": 1000 * measured["median_s"],
                "examples_per_s": BATCH / measured["median_s"],
                # The machine's load while it ran: figures under load mean little.
                "load_average": os.getloadavg(),
                "cpu_count": os.cpu_count(),
                "quick": args.quick,
            }
        )
    for record in timing.add_speedups(records, [name_of(1)]):
        timing.emit(record, args.output)


if __name__ == "__main__":
    main()
