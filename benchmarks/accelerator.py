"""keras-seq on an accelerator: mixed-precision training, inference, generation.

What issue 21 measured on a GPU with the kit in `../shared/gpu`, as the
project's own benchmark: one backend per process, one JSON line per
measurement (`timing.emit`), the sections in turn (`--sections` to choose):

- `matmul_peak`: the bfloat16 matrix-multiply rate, 8192 x 8192 on an
  accelerator (`timing.matmul_peak_flops`); the encoder's MFU is against it;
- `preset`: the shipped `mnist_vit` preset's predictions on the default
  device against the same preset's on the CPU, made by a CPU-only process
  of the same backend (`cpu_predictions`; on a CPU, this process) (the
  largest difference of probabilities, both accuracies, the share of equal
  answers);
- `encoder`: a 4-layer BERT-base-sized encoder (dim 768, 12 heads,
  feed-forward 3072, 512 tokens, batch 32) under `mixed_bfloat16`, trained
  by `fit` over 24 batches and run by `predict_on_batch`
  (`encoder.keras_candidate`): keras-seq against KerasHub's
  `TransformerEncoder`, and under PyTorch `torch.nn.TransformerEncoder` in a
  plain loop under `torch.autocast`, with Adam's loop and with fused Adam
  (`encoder.torch_candidate`); tokens/s, model FLOP/s and MFU;
- `encoder_jit`: keras-seq's encoder compiled with `jit_compile=True` (XLA;
  `torch.compile` under PyTorch) against `jit_compile=False`, with the
  first call (the compilation) timed apart;
- `generation`: greedy generation of a 6-layer, 768-wide `CausalLM`
  (vocabulary 50,257, batch 8, 16-token prompts) against KerasHub's
  `GPT2CausalLM` of the same sizes at 256 and 1,024 tokens in all, under
  `mixed_bfloat16` (`generation.compare_causal_lms`; milliseconds per step
  = `seconds_per_new_token`);
- `smoke`: a `TextClassifier` and a `CausalLM` trained under
  `mixed_bfloat16` (their losses per epoch, where their variables live, the
  dtype they compute in; the language model learns to count).

A section that fails emits a record with its `error` and the next runs.
On a CPU it runs as well (then it measures the CPU); `--quick` takes tiny
sizes and one repeat, a smoke run that measures nothing.

    KERAS_BACKEND=jax python benchmarks/accelerator.py [--quick] [--sections a,b]
"""

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import traceback

import encoder
import generation
import keras
import numpy as np
import timing

BENCHMARK = "accelerator"
SECTIONS = ("matmul_peak", "preset", "encoder", "encoder_jit", "generation", "smoke")
MIXED = "mixed_bfloat16"
FULL = {
    "matrix": 8192,
    "examples": 512,
    "encoder": dict(
        num_layers=4, batch=32, time=512, dim=768, heads=12, intermediate=3072
    ),
    "encoder_steps": 24,
    "generation": dict(
        vocabulary=50257,
        num_layers=6,
        dim=768,
        heads=12,
        intermediate=3072,
        batch=8,
        prompt=16,
        totals=(256, 1024),
    ),
    "smoke_examples": 4096,
    "smoke_epochs": 4,
    "smoke_model": dict(num_layers=2, hidden_dim=128, intermediate_dim=256),
}
QUICK = {
    "matrix": 256,
    "examples": 32,
    "encoder": encoder.QUICK,
    "encoder_steps": 2,
    "generation": dict(generation.QUICK, totals=(12, 20)),
    "smoke_examples": 64,
    "smoke_epochs": 2,
    "smoke_model": dict(num_layers=1, hidden_dim=16, intermediate_dim=32),
}


@contextlib.contextmanager
def dtype_policy(name):
    """Sets the global dtype policy for the models built inside."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def devices():
    """The accelerators the backend sees, by name (empty on a CPU)."""
    name = timing.backend()
    if name == "torch":
        import torch

        count = torch.cuda.device_count()
        return [torch.cuda.get_device_name(index) for index in range(count)]
    if name == "jax":
        import jax

        return [str(device) for device in jax.devices() if device.platform != "cpu"]
    import tensorflow as tf

    return [device.name for device in tf.config.list_logical_devices("GPU")]


def matmul_peak(sizes, args, state):
    size = sizes["matrix"] if timing.device() != "cpu" or args.quick else 2048
    state["peak"] = timing.emit_peak(BENCHMARK, args, size=size, dtype="bfloat16")


def preset(sizes, args, state):
    images, labels = _digits(sizes["examples"])
    predicted = _preset_predictions(images)
    if timing.device() == "cpu":
        reference, where = predicted, "this process (no accelerator)"
    else:
        reference, where = cpu_predictions(len(images)), "a CPU-only process"
    timing.emit(
        {
            "benchmark": BENCHMARK,
            "name": "preset_mnist_vit",
            "sizes": {"examples": len(images)},
            "reference": where,
            "max_abs_diff_vs_cpu": float(np.abs(predicted - reference).max()),
            "accuracy": float((predicted.argmax(-1) == labels).mean()),
            "cpu_accuracy": float((reference.argmax(-1) == labels).mean()),
            "same_answer": float((predicted.argmax(-1) == reference.argmax(-1)).mean()),
            "quick": args.quick,
        },
        args.output,
    )


def _digits(examples):
    from keras_seq.datasets import mnist

    images, labels = mnist.load_data("test")
    return images[:examples], labels[:examples]


def _preset_predictions(images):
    from keras_seq.applications import ViT

    return ViT.from_preset("mnist_vit").predict(images, verbose=0)


def cpu_predictions(examples):
    """The `mnist_vit` predictions of the first test digits, made on the CPU.

    In a process of the same backend that sees no accelerator
    (`CUDA_VISIBLE_DEVICES=""`, `JAX_PLATFORMS=cpu`): a model built under
    `keras.device("cpu")` fails to build under PyTorch.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "reference.npy")
        environment = dict(
            os.environ,
            CUDA_VISIBLE_DEVICES="",
            JAX_PLATFORMS="cpu",
            KERAS_BACKEND=timing.backend(),
        )
        command = [sys.executable, os.path.abspath(__file__)]
        command += ["--cpu-reference", path, "--examples", str(examples)]
        subprocess.run(command, env=environment, check=True, capture_output=True)
        return np.load(path)


def encoder_section(sizes, args, state):
    shape, steps = sizes["encoder"], sizes["encoder_steps"]
    data = encoder.random_data(shape, steps)
    with dtype_policy(MIXED):
        candidates = {
            name: encoder.keras_candidate(name, shape, data)
            for name in ("keras_seq.TransformerEncoder", "keras_hub.TransformerEncoder")
        }
    if timing.backend() == "torch":
        for name, fused in (("torch.nn", False), ("torch.nn(fused Adam)", True)):
            candidates[name] = encoder.torch_candidate(
                shape, data, autocast="bfloat16", fused_adam=fused
            )
    results = encoder.time_candidates(candidates, timing.repeats_of(args, 3), steps)
    peers = [name for name in candidates if name != "keras_seq.TransformerEncoder"]
    encoder.emit_results(
        BENCHMARK,
        results,
        shape,
        steps,
        state.get("peak"),
        args,
        peers,
        {"policy": MIXED},
    )


def encoder_jit(sizes, args, state):
    shape, steps = sizes["encoder"], sizes["encoder_steps"]
    data = encoder.random_data(shape, steps)
    candidates, first_call = {}, {}
    for jit_compile in (False, True):
        name = f"keras_seq.TransformerEncoder(jit_compile={jit_compile})"
        with dtype_policy(MIXED):
            candidates[name] = encoder.keras_candidate(
                "keras_seq.TransformerEncoder", shape, data, jit_compile
            )
        start = time.perf_counter()
        timing.sync(candidates[name][0]())
        first_call[name] = time.perf_counter() - start
    results = encoder.time_candidates(candidates, timing.repeats_of(args, 3), steps)
    for name in results:
        results[name][2]["first_call_s"] = first_call[name]
    encoder.emit_results(
        BENCHMARK + ".jit",
        results,
        shape,
        steps,
        state.get("peak"),
        args,
        [name for name in candidates if "False" in name],
        {"policy": MIXED},
    )


def generation_section(sizes, args, state):
    generation.compare_causal_lms(
        dict(sizes["generation"]),
        timing.repeats_of(args, 2),
        args,
        benchmark=BENCHMARK + ".generation",
        dtype=MIXED,
    )


def smoke(sizes, args, state):
    from keras_seq.applications import CausalLM
    from keras_seq.applications import TextClassifier

    rng = np.random.default_rng(0)
    n, epochs = sizes["smoke_examples"], sizes["smoke_epochs"]
    split = n * 7 // 8
    with dtype_policy(MIXED):
        ids = rng.integers(1, 1000, (n, 64)).astype("int32")
        labels = ((ids[:, :8] < 500).sum(1) >= 4).astype("int32")
        model = TextClassifier(1000, 64, 2, **sizes["smoke_model"])
        model.compile(metrics=["accuracy"])
        history = model.fit(
            ids[:split],
            labels[:split],
            validation_data=(ids[split:], labels[split:]),
            epochs=epochs,
            batch_size=min(128, split),
            verbose=0,
        ).history
        _emit_smoke("smoke_text_classifier", model, history, args, epochs)

        lm = CausalLM(64, max_length=128, num_heads=4, **sizes["smoke_model"])
        lm.compile(sampler="greedy")
        sequences = np.tile(np.arange(1, 33, dtype="int32"), (max(64, n // 8), 4))[
            :, :65
        ]
        history = lm.fit(
            sequences[:, :-1],
            sequences[:, 1:],
            epochs=epochs + 1,
            batch_size=64,
            verbose=0,
        ).history
        generated = np.asarray(lm.generate(sequences[:4, :8], max_length=40))
        counts_up = float((np.diff(generated[0]) % 32 == 1).mean())
        _emit_smoke(
            "smoke_causal_lm", lm, history, args, epochs + 1, counts_up=counts_up
        )


def _emit_smoke(name, model, history, args, epochs, **fields):
    variable = model.trainable_variables[0].value
    where = variable.devices() if hasattr(variable, "devices") else variable.device
    timing.emit(
        {
            "benchmark": BENCHMARK,
            "name": name,
            "sizes": {"epochs": epochs},
            "loss": [float(value) for value in history["loss"]],
            "loss_fell": bool(history["loss"][-1] < history["loss"][0]),
            "variable_on": str(where),
            "compute_dtype": model.compute_dtype,
            "variable_dtype": model.trainable_variables[0].dtype,
            "quick": args.quick,
            **fields,
        },
        args.output,
    )


RUNNERS = {
    "matmul_peak": matmul_peak,
    "preset": preset,
    "encoder": encoder_section,
    "encoder_jit": encoder_jit,
    "generation": generation_section,
    "smoke": smoke,
}


def main(argv=None):
    parser = timing.parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated, among {', '.join(SECTIONS)} (default: all)",
    )
    parser.add_argument("--cpu-reference", help=argparse.SUPPRESS)
    parser.add_argument("--examples", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cpu_reference:  # `cpu_predictions`' process
        np.save(args.cpu_reference, _preset_predictions(_digits(args.examples)[0]))
        return
    chosen = [section for section in args.sections.split(",") if section]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {unknown}; choose among {SECTIONS}")
    sizes = QUICK if args.quick else FULL
    timing.set_seed(0)
    timing.emit(
        {
            "benchmark": BENCHMARK,
            "name": "devices",
            "sizes": {},
            "accelerators": devices(),
            "versions": timing.versions(),
            "sections": chosen,
            "quick": args.quick,
        },
        args.output,
    )
    state = {}
    for section in chosen:
        start = time.perf_counter()
        record = {"benchmark": BENCHMARK, "name": section, "mode": "section"}
        try:
            RUNNERS[section](sizes, args, state)
        except Exception as error:  # noqa: BLE001 - each section reports its own
            record["error"] = f"{type(error).__name__}: {str(error)[:600]}"
            record["traceback"] = traceback.format_exc()[-2000:]
        record.update(sizes={}, seconds=time.perf_counter() - start, quick=args.quick)
        timing.emit(record, args.output)
        keras.backend.clear_session()


if __name__ == "__main__":
    main()
