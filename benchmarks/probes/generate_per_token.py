"""Milliseconds per new token of `CausalLM.generate`, keras-seq only.

The sizes of `benchmarks/generation.py` (batch 8, 16-token prompts, 2
layers, dim 256); each total length warmed up once, then the best of two
calls. A quick before/after check of a change to the decode, without the
peers:

    KERAS_BACKEND=jax python benchmarks/probes/generate_per_token.py [256 1024]

Under TensorFlow `generate` compiles with XLA unless the model was
compiled with `jit_compile=False`: `--no-jit-compile` does that
(`--jit-compile` compiles with `jit_compile=True`). `--trace DIR` also
records one more call at each length with the backend's profiler into
`DIR/<total>` (`profile_encoder.py`'s `backend_profiler`), for
`profile_summary.py DIR/<total>`.
"""

import argparse
import os
import sys
import time

import keras

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import generation  # noqa: E402
from profile_encoder import backend_profiler  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("totals", type=int, nargs="*", default=[256, 1024])
    parser.add_argument("--jit-compile", action="store_true")
    parser.add_argument("--no-jit-compile", action="store_true")
    parser.add_argument("--trace", default=None, help="folder of the profiles")
    args = parser.parse_args(argv)
    sizes = dict(generation.FULL)
    model = generation.keras_seq_lm(sizes)
    if args.jit_compile or args.no_jit_compile:
        model.compile(sampler="greedy", jit_compile=bool(args.jit_compile))
    prompts = generation.prompts(sizes)
    for total in args.totals:
        model.generate(prompts, max_length=total)
        times = []
        for _ in range(2):
            start = time.perf_counter()
            model.generate(prompts, max_length=total)
            times.append(time.perf_counter() - start)
        per_token = min(times) / (total - sizes["prompt"]) * 1e3
        backend = keras.backend.backend()
        print(f"{backend} total {total}: {per_token:.2f} ms per new token")
        if args.trace:
            with backend_profiler(os.path.join(args.trace, str(total))):
                model.generate(prompts, max_length=total)


if __name__ == "__main__":
    main()
