"""TensorFlow's two speeds of `model.fit`, and what the slow one waits for.

Trains the encoder benchmark's keras-seq candidate (`encoder.FULL` sizes,
`--steps` batches a call) in turns through four ways of feeding it: `fit`
on NumPy arrays, `fit` on a plain `tf.data.Dataset.from_tensor_slices(...)
.batch(32)`, the same dataset with tf.data's autotuning off
(`timing.fit_one_epoch`, what the benchmarks time), and `train_on_batch`
on each batch. For every call it prints the seconds it took, the shares
of the machine's CPU time that were idle and stolen by the hypervisor
(`/proc/stat`), and the longest stretch in which no thread of the process
ran (`/proc/self/task/*/stat`, sampled every 2 ms from a thread of its
own).

A slow call ends with the machine idle, at 10 ms x (2^k - 1) after the
call's tf.data iterator started (1.27, 2.55, 5.11 s): the iterator's
destructor waits for tf.data's autotuning thread, whose timed waits start
at 10 ms and double. With autotuning off no call waits:

    KERAS_BACKEND=tensorflow python benchmarks/probes/tf_fit_modes.py \\
        [--calls 10] [--steps 10]
"""

import argparse
import pathlib
import statistics
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).parents[1]))

import encoder  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import timing  # noqa: E402


def machine_ticks():
    """The machine's idle and stolen CPU time and its total, in ticks (Linux)."""
    ticks = [int(value) for value in open("/proc/stat").readline().split()[1:]]
    return ticks[3], ticks[7], sum(ticks)


class LongestStall:
    """The longest stretch, in seconds, in which no other thread ran."""

    def __enter__(self):
        self.seconds, self._stop = 0.0, threading.Event()
        self._sampler = threading.Thread(target=self._sample)
        self._sampler.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._sampler.join()

    def _sample(self):
        me, stalled_since = str(threading.get_native_id()), None
        while not self._stop.is_set():
            now = time.perf_counter()
            if self._running_threads(me):
                stalled_since = None
            elif stalled_since is None:
                stalled_since = now
            else:
                self.seconds = max(self.seconds, now - stalled_since)
            time.sleep(0.002)

    @staticmethod
    def _running_threads(me):
        running = 0
        for task in pathlib.Path("/proc/self/task").iterdir():
            try:
                stat = (task / "stat").read_text()
            except OSError:  # the thread ended
                continue
            running += task.name != me and stat[stat.rindex(")") + 2] == "R"
        return running


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10, help="calls of each way")
    parser.add_argument("--steps", type=int, default=10, help="batches per call")
    args = parser.parse_args(argv)
    sizes, steps = encoder.FULL, args.steps
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
        "fit(dataset, autotune off)": timing.fit_one_epoch(model, x, y, batch),
        "train_on_batch": on_batches,
    }
    for run in ways.values():
        run()
    calls = {name: [] for name in ways}
    for _ in range(args.calls):
        for name, run in ways.items():
            ticks = machine_ticks()
            with LongestStall() as stall:
                start = time.perf_counter()
                run()
                seconds = time.perf_counter() - start
            idle, stolen, total = (
                after - before for after, before in zip(machine_ticks(), ticks)
            )
            calls[name].append((seconds, idle / total, stolen / total, stall.seconds))
    for name, measured in calls.items():
        median = statistics.median(call[0] for call in measured)
        print(
            f"{name}: median {1000 * median / steps:.0f} ms per step; "
            "(seconds, idle share, stolen share, longest stall s) per call: "
            f"{[tuple(round(value, 2) for value in call) for call in measured]}"
        )


if __name__ == "__main__":
    main()
