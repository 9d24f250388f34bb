"""Measurements of `generate` that need a fresh process of their own.

Run as `python -m tests.generation.generation_probe <probe> [options]`
under the backend to measure (`KERAS_BACKEND`); it prints one JSON object.
Peak resident memory (`ru_maxrss`) only ever grows, so each measurement of
a peak takes a process of its own.

Probes:
    peak: builds a small transformer `CausalLM` and generates `--tokens`
        tokens for a batch of prompts; reports the process's peak memory.
    repeat: generates from the same prompt `--calls` times; reports the
        time of each call, the resident memory after each, and how often
        the compiled generate function was traced.
"""

import argparse
import json
import os
import resource
import sys
import time

import numpy as np


def _megabytes_peak():
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _megabytes_now():
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _causal_lm(**kwargs):
    import keras

    from keras_seq.applications import CausalLM

    keras.utils.set_random_seed(0)
    return CausalLM(**kwargs)


def peak(tokens, batch_size, hidden_dim):
    model = _causal_lm(
        vocabulary_size=100,
        max_length=tokens,
        num_layers=1,
        num_heads=2,
        hidden_dim=hidden_dim,
        intermediate_dim=2 * hidden_dim,
    )
    prompts = np.random.default_rng(0).integers(1, 100, size=(batch_size, 4))
    before = _megabytes_peak()
    ids = model.generate(prompts, max_length=tokens)
    assert ids.shape == (batch_size, tokens), ids.shape
    return {"peak_mb_before": before, "peak_mb": _megabytes_peak()}


def repeat(calls, backbone):
    sizes = {"num_layers": 1, "hidden_dim": 16}
    if backbone == "transformer":
        sizes.update(num_heads=2, intermediate_dim=32)
    model = _causal_lm(vocabulary_size=50, max_length=16, backbone=backbone, **sizes)
    prompt = np.array([[3, 7, 4], [5, 0, 0]], "int32")
    seconds, megabytes = [], []
    for _ in range(calls):
        start = time.perf_counter()
        model.generate(prompt)
        seconds.append(time.perf_counter() - start)
        megabytes.append(_megabytes_now())
    make_function = getattr(model, "make_generate_function", None)
    traces = make_function().traces if make_function else None
    return {"seconds": seconds, "rss_mb": megabytes, "traces": traces}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("probe", choices=("peak", "repeat"))
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--hidden-dim", type=int, default=16)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--backbone", default="gru")
    args = parser.parse_args(argv)
    if args.probe == "peak":
        result = peak(args.tokens, args.batch_size, args.hidden_dim)
    else:
        result = repeat(args.calls, args.backbone)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
