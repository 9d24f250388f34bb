"""Milliseconds per generated token under TensorFlow: XLA (the default) or not.

The CPU proxy's generation sizes (`overhead.GENERATION`: `CausalLM`, 2
layers, dim 64, 4 heads, feed-forward 256, vocabulary 1000, batch 8,
16-token prompts, 128 tokens in all, greedy, one thread). Two models with
the same weights: `compile()` left at `jit_compile="auto"` (under
TensorFlow `generate` then compiles with XLA,
`GenerativeTask.generate_jit_compile`) and `compile(jit_compile=False)`;
their first calls (the compilations) timed apart, then `--repeats` calls
of each in turns (`timing.measure_interleaved`); whether both generate the
same tokens.

    KERAS_BACKEND=tensorflow python benchmarks/probes/generate_xla.py [--repeats 15]
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import generation  # noqa: E402
import numpy as np  # noqa: E402
import overhead  # noqa: E402
import timing  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    sizes = dict(overhead.GENERATION)
    total = sizes["totals"][0]
    new_tokens = total - sizes["prompt"]
    timing.set_seed(0)
    prompts = generation.prompts(sizes)
    default = generation.keras_seq_lm(sizes)
    off = generation.keras_seq_lm(sizes)
    off.compile(sampler="greedy", jit_compile=False)
    off.set_weights(default.get_weights())
    models = {"jit_compile=auto": default, "jit_compile=False": off}
    first = {}
    for name, model in models.items():
        start = time.perf_counter()
        model.generate(prompts, max_length=total)
        first[name] = time.perf_counter() - start
    same = np.array_equal(
        default.generate(prompts, max_length=total),
        off.generate(prompts, max_length=total),
    )
    measured = timing.measure_interleaved(
        {
            name: lambda model=model: model.generate(prompts, max_length=total)
            for name, model in models.items()
        },
        args.repeats,
    )
    for name, model in models.items():
        times = [1000 * t / new_tokens for t in measured[name]["times_s"]]
        record = {
            "name": name,
            "generate_jit_compile": model.generate_jit_compile(),
            "first_call_s": round(first[name], 2),
            "ms_per_token_median": round(float(np.median(times)), 3),
            "ms_per_token_min": round(min(times), 3),
            "ms_per_token": [round(t, 3) for t in times],
            "same_tokens": bool(same),
            "backend": timing.backend(),
        }
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
