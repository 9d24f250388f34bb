"""What every benchmark shares: timing, the matmul peak, FLOP counts, output.

Each benchmark script prints one JSON line per measurement (`emit`), with
the same fields everywhere:

- `benchmark` (the script), `name` (what was timed), `backend`, `device`;
- `sizes` (a dict of the sizes that matter), `repeats`;
- `median_s` (median seconds of one repeat, after a warm-up that also
  compiles), `min_s`, `max_s`;
- derived figures (`tokens_per_s`, `examples_per_s`, `mfu`, ...);
- `peak_memory_bytes` and `memory_method` where measured;
- `speedup_vs`: for each peer timed in the same process at the same sizes,
  peer median / this median (above 1: this one is faster).

Run as a script, it prints the measured float32 matrix-multiply peak:

    KERAS_BACKEND=jax python benchmarks/timing.py [--quick]
"""

import argparse
import json
import math
import os
import platform
import statistics
import threading
import time

import keras
import numpy as np


def parser(description):
    """The command line every benchmark takes: `--quick`, `--repeats`, `--output`."""
    result = argparse.ArgumentParser(description=description)
    result.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes and one repeat: checks the script runs, measures nothing",
    )
    result.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed repeats after the warm-up (default: 5, or 1 with --quick)",
    )
    result.add_argument(
        "--output",
        default=None,
        help="also append the JSON lines to this file",
    )
    return result


def repeats_of(args, default=5):
    """The number of timed repeats: `--repeats`, else 1 quick or `default`."""
    if args.repeats is not None:
        return max(1, args.repeats)
    return 1 if args.quick else default


def backend():
    return keras.backend.backend()


def device():
    """`"gpu"` when the backend sees an accelerator, else `"cpu"`."""
    name = backend()
    if name == "torch":
        import torch

        return "gpu" if torch.cuda.is_available() else "cpu"
    if name == "jax":
        import jax

        return "cpu" if jax.default_backend() == "cpu" else jax.default_backend()
    import tensorflow as tf

    return "gpu" if tf.config.list_logical_devices("GPU") else "cpu"


def sync(value):
    """Waits until `value` (a tensor or nested structure of them) is computed."""
    leaves = [leaf for leaf in keras.tree.flatten(value) if leaf is not None]
    if not leaves:
        return value
    name = backend()
    if name == "jax":
        import jax

        jax.block_until_ready(leaves)
    elif name == "torch":
        import torch

        if torch.cuda.is_available():
            torch.cuda.synchronize()
    else:
        # Eager TensorFlow may run asynchronously on an accelerator: reading
        # one element back waits for the whole computation.
        for leaf in leaves:
            if hasattr(leaf, "numpy"):
                np.asarray(keras.ops.convert_to_numpy(keras.ops.ravel(leaf)[:1]))
    return value


def fit_one_epoch(model, x, y, batch_size):
    """A function of no argument that trains `model` one epoch on `x`, `y`.

    `model.fit` on the arrays in order, `batch_size` at a time. Under
    TensorFlow it is fed a `tf.data.Dataset` of the same batches with
    tf.data's autotuning off: Keras' own pipeline for arrays autotunes,
    and at the end of an epoch its iterator then waits for the autotuning
    thread's timed wait (periods of 10 ms doubling: a call ends at 1.27,
    2.55 or 5.11 s after the pipeline started), a wait that has nothing
    to do with the model (`benchmarks/probes/tf_fit_modes.py`).
    """
    if keras.backend.backend() != "tensorflow":
        return lambda: model.fit(
            x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False
        )
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
    dataset = dataset.with_options(options)
    return lambda: model.fit(dataset, epochs=1, verbose=0)


def per_step(measured, steps):
    """`measure`'s figures of a call of `steps` steps, as figures of one step."""
    measured = dict(measured)
    for key in ("median_s", "min_s", "max_s"):
        measured[key] /= steps
    measured["times_s"] = [t / steps for t in measured["times_s"]]
    return measured


def measure(function, repeats, warmup=1):
    """Runs `function` `warmup` times, then times `repeats` runs.

    `function` is called with no argument; whatever it returns is waited
    for (`sync`) inside the timed region.

    Returns:
        A dict: `median_s`, `min_s`, `max_s`, `repeats`, `times_s`.
    """
    return measure_interleaved({"function": function}, repeats, warmup)["function"]


def measure_interleaved(functions, repeats, warmup=1):
    """`measure` of several functions, taking turns within each repeat.

    Each repeat runs every function once, in order, so a slow drift of the
    machine (its clock, its caches, other load) reaches every candidate
    alike instead of whichever happened to be timed last.

    Args:
        functions: a dict of names to functions called with no argument.

    Returns:
        A dict of the same names to `measure`'s dicts.
    """
    for function in functions.values():
        for _ in range(warmup):
            sync(function())
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            sync(function())
            times[name].append(time.perf_counter() - start)
    return {
        name: {
            "median_s": statistics.median(values),
            "min_s": min(values),
            "max_s": max(values),
            "repeats": repeats,
            "times_s": values,
        }
        for name, values in times.items()
    }


def matmul_peak_flops(size=None, repeats=5, dtype="float32"):
    """The measured matrix-multiply rate of this process, in FLOP/s.

    Times `keras.ops.matmul` of two `size x size` matrices of `dtype`
    (float32 unless told; `"bfloat16"` for mixed precision; 2 size^3
    FLOPs) on the backend's default device: the best of `repeats` after a
    warm-up, the peak a model can hope to reach here.
    """
    if size is None:
        size = 4096 if device() != "cpu" else 2048
    rng = np.random.default_rng(0)
    a, b = (
        keras.ops.cast(rng.standard_normal((size, size)).astype("float32"), dtype)
        for _ in range(2)
    )
    result = measure(lambda: keras.ops.matmul(a, b), repeats)
    return 2.0 * size**3 / result["min_s"], size


def encoder_flops(batch, time_steps, dim, intermediate_dim, num_layers, training):
    """Model FLOPs of a stack of transformer encoder layers, per batch.

    Counts the matrix multiplications (2 FLOPs per multiply-add): per token
    and layer, the query, key, value and output projections (8 dim^2), the
    scores and their weighted sum of values (4 time dim) and the
    feed-forward network (4 dim intermediate_dim). A training step counts
    three times the forward pass (forward, and twice for the backward).
    Normalizations, softmax and biases are left out, as in the usual MFU.
    """
    per_token = 8 * dim * dim + 4 * time_steps * dim + 4 * dim * intermediate_dim
    forward = batch * time_steps * num_layers * per_token
    return 3 * forward if training else forward


class PeakMemory:
    """The peak memory of what runs inside `with PeakMemory() as memory:`.

    On a GPU the backend's own allocator statistics (peak bytes allocated
    on device 0, after a reset where the backend allows it). On a CPU the
    peak growth of the process's resident set size over its size on entry,
    sampled every millisecond from `/proc/self/statm` by a thread (Linux
    only; elsewhere nothing is measured). `bytes` is None when unmeasured;
    `method` says which.
    """

    def __init__(self, interval=0.001):
        self.interval = interval
        self.bytes = None
        self.method = None

    def __enter__(self):
        self._device = device()
        name = backend()
        self._stop = threading.Event()
        self._thread = None
        if self._device != "cpu" and name == "torch":
            import torch

            torch.cuda.reset_peak_memory_stats()
            self._start = torch.cuda.max_memory_allocated()
            self.method = "torch.cuda.max_memory_allocated"
        elif self._device != "cpu" and name == "jax":
            import jax

            stats = jax.devices()[0].memory_stats() or {}
            self._start = stats.get("bytes_in_use", 0)
            self.method = "jax memory_stats peak_bytes_in_use - bytes_in_use on entry"
        elif self._device != "cpu":
            import tensorflow as tf

            tf.config.experimental.reset_memory_stats("GPU:0")
            self._start = tf.config.experimental.get_memory_info("GPU:0")["current"]
            self.method = "tf.config.experimental.get_memory_info peak - current"
        elif os.path.exists("/proc/self/statm"):
            self._page = os.sysconf("SC_PAGE_SIZE")
            self._start = self._rss()
            self._peak = self._start
            self.method = "resident set size growth, sampled every 1 ms"
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _rss(self):
        with open("/proc/self/statm") as file:
            return int(file.read().split()[1]) * self._page

    def _sample(self):
        while not self._stop.is_set():
            self._peak = max(self._peak, self._rss())
            time.sleep(self.interval)

    def __exit__(self, *exc):
        name = backend()
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._peak = max(self._peak, self._rss())
            self.bytes = self._peak - self._start
        elif self.method is None:
            return False
        elif name == "torch":
            import torch

            self.bytes = torch.cuda.max_memory_allocated() - self._start
        elif name == "jax":
            import jax

            stats = jax.devices()[0].memory_stats() or {}
            peak = stats.get("peak_bytes_in_use")
            self.bytes = None if peak is None else peak - self._start
        else:
            import tensorflow as tf

            self.bytes = tf.config.experimental.get_memory_info("GPU:0")["peak"]
            self.bytes -= self._start
        return False


def add_speedups(records, peers):
    """Sets `speedup_vs` of each record: peer median / its median.

    Args:
        records: dicts with `name` and `median_s`, measured at the same sizes.
        peers: the names of the records that count as peers of every other.
    """
    by_name = {record["name"]: record for record in records}
    for record in records:
        record["speedup_vs"] = {
            peer: by_name[peer]["median_s"] / record["median_s"]
            for peer in peers
            if peer in by_name and peer != record["name"] and record["median_s"] > 0
        }
    return records


def emit(record, output=None):
    """Prints `record` as one JSON line (and appends it to `output`)."""
    record = dict(record)
    record.setdefault("backend", backend())
    record.setdefault("device", device())
    line = json.dumps(record, sort_keys=True, default=_json_default)
    print(line, flush=True)
    if output:
        with open(output, "a") as file:
            file.write(line + "\n")
    return record


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serializable: {value!r}")


def finite(value):
    """Whether `value` and every number inside it is finite."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return all(finite(item) for item in value)
    return True


def versions():
    """The versions of what is measured, for the record."""
    import keras_hub

    result = {
        "python": platform.python_version(),
        "keras": keras.__version__,
        "keras_hub": keras_hub.__version__,
    }
    name = backend()
    if name == "torch":
        import torch

        result["torch"] = torch.__version__
    elif name == "jax":
        import jax

        result["jax"] = jax.__version__
    else:
        import tensorflow as tf

        result["tensorflow"] = tf.__version__
    return result


def emit_peak(benchmark, args, size=None, dtype="float32"):
    """Measures and emits the matmul peak (of `dtype`); returns it in FLOP/s."""
    if size is None and args.quick:
        size = 256
    peak, size = matmul_peak_flops(
        size, repeats=repeats_of(args, default=5), dtype=dtype
    )
    emit(
        {
            "benchmark": benchmark,
            "name": "matmul_peak",
            "sizes": {"matrix": size},
            "dtype": dtype,
            "repeats": repeats_of(args, default=5),
            "flops_per_s": peak,
            "versions": versions(),
            "quick": args.quick,
        },
        args.output,
    )
    return peak


def set_seed(seed=0):
    keras.utils.set_random_seed(seed)


def main():
    args = parser(__doc__.splitlines()[0]).parse_args()
    emit_peak("timing", args)


if __name__ == "__main__":
    main()
