"""PyTorch encoder inference: where keras-seq's time goes against `torch.nn`.

At the encoder benchmark's sizes (`encoder.FULL`, a batch of 32), times in
turns, per call, and counts the process's minor page faults per call
(`resource.getrusage`, fresh memory the kernel had to map):

- the keras-seq candidate through `predict_on_batch`, as the benchmark does,
  and KerasHub's `TransformerEncoder` the same way;
- the same Keras model called directly under `torch.no_grad()`;
- `torch.nn.TransformerEncoder` in eval mode under `torch.no_grad()`, which
  takes PyTorch's inference fast path (one native op per layer);
- the same module with the fast path turned off
  (`torch.backends.mha.set_fastpath_enabled(False)`).

PyTorch allocates CPU tensors with the C library's `malloc`, which hands
big blocks back to the kernel and maps them anew on the next call; how
often depends on the allocator's settings, so run it both ways:

    KERAS_BACKEND=torch .venv/bin/python benchmarks/probes/torch_inference.py
    MALLOC_MMAP_THRESHOLD_=4000000000 MALLOC_TRIM_THRESHOLD_=4000000000 \\
        KERAS_BACKEND=torch .venv/bin/python benchmarks/probes/torch_inference.py

`--profile` then prints `torch.profiler`'s operator tables of ten calls
of keras-seq's `model(x)` and of `torch.nn` with its fast path off.
"""

import argparse
import pathlib
import resource
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).parents[1]))

import encoder  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import timing  # noqa: E402


def page_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument(
        "--profile", action="store_true", help="also print operator tables"
    )
    args = parser.parse_args(argv)
    if keras.backend.backend() != "torch":
        raise SystemExit("Run it with KERAS_BACKEND=torch.")
    import torch

    sizes = encoder.FULL
    timing.set_seed(0)
    rng = np.random.default_rng(0)
    shape = (sizes["batch"], sizes["time"], sizes["dim"])
    data = (rng.standard_normal(shape).astype("float32"),) * 2
    _, keras_predict, _ = encoder.keras_candidate(
        "keras_seq.TransformerEncoder", sizes, data
    )
    _, keras_hub_predict, _ = encoder.keras_candidate(
        "keras_hub.TransformerEncoder", sizes, data
    )
    model = encoder.build_keras("keras_seq.TransformerEncoder", sizes)
    inputs = torch.from_numpy(data[0])

    def keras_call():
        with torch.no_grad():
            return model(inputs, training=False)

    _, torch_predict, _ = encoder.torch_candidate(sizes, data)

    def torch_without_fast_path():
        torch.backends.mha.set_fastpath_enabled(False)
        try:
            return torch_predict()
        finally:
            torch.backends.mha.set_fastpath_enabled(True)

    candidates = {
        "keras-seq predict_on_batch": keras_predict,
        "keras-seq model(x) under no_grad": keras_call,
        "keras_hub predict_on_batch": keras_hub_predict,
        "torch.nn eval, fast path": torch_predict,
        "torch.nn eval, no fast path": torch_without_fast_path,
    }
    for function in candidates.values():
        function(), function()
    calls = {name: [] for name in candidates}
    for _ in range(args.repeats):
        for name, function in candidates.items():
            faults, start = page_faults(), time.perf_counter()
            function()
            calls[name].append((time.perf_counter() - start, page_faults() - faults))
    medians = {}
    for name, measured in calls.items():
        medians[name] = statistics.median(seconds for seconds, _ in measured)
        print(
            f"{name}: median {1000 * medians[name]:.1f} ms, "
            f"{statistics.median(faults for _, faults in measured):.0f} page faults"
        )
    ours = medians["keras-seq predict_on_batch"]
    print(
        "torch.nn / keras-seq: "
        f"{medians['torch.nn eval, fast path'] / ours:.2f}x with the fast path, "
        f"{medians['torch.nn eval, no fast path'] / ours:.2f}x without"
    )
    if args.profile:
        for name in ("keras-seq model(x) under no_grad", "torch.nn eval, no fast path"):
            with torch.profiler.profile() as profile:
                for _ in range(10):
                    candidates[name]()
            table = profile.key_averages().table(
                sort_by="self_cpu_time_total", row_limit=12
            )
            print(f"{name}, ten calls:\n{table}")


if __name__ == "__main__":
    main()
