"""Greedy generation: keras_seq `CausalLM` against KerasHub's `GPT2CausalLM`.

Random weights, the same sizes for both (2 decoder layers, dim 256, 4
heads, feed-forward 1024, vocabulary 1000, batch 8, 16-token prompts),
greedy, no end token, so every call generates up to the full length:

- `CausalLM` (transformer): `model.generate(prompts, max_length=total)`;
- `keras_hub.models.GPT2CausalLM(GPT2Backbone(...), preprocessor=None)`,
  compiled with `sampler="greedy"`: without a preprocessor its `generate`
  takes `{"token_ids", "padding_mask"}` already padded to the total length
  and needs `stop_token_ids=None` (its default `"auto"` reads the
  preprocessor's end token);

at total lengths 256, 512 and 1024 tokens (240, 496 and 1008 new ones):
tokens/s (new tokens of the whole batch per second) and seconds per new
token. Also the recurrent `CausalLM(backbone="lstm")`, and
`Seq2SeqTransformer` translation (source 64 tokens, targets of 64 and 128).

Each candidate is warmed up (compiled) at each length before timing. The
recompilation check calls `generate` once more with the same shapes and
counts traces of the decode function: `CausalLM.make_generate_function()
.traces` (an `InferenceFunction`), and for KerasHub a counter wrapped
around the instance's `generate_step`. Eager PyTorch runs the Python of
the decode on every call, so there a trace per call is expected.

    KERAS_BACKEND=tensorflow python benchmarks/generation.py [--quick]
"""

import keras
import keras_hub
import numpy as np
import timing

from keras_seq.applications import CausalLM
from keras_seq.applications import Seq2SeqTransformer

BENCHMARK = "generation"
FULL = dict(
    vocabulary=1000,
    num_layers=2,
    dim=256,
    heads=4,
    intermediate=1024,
    batch=8,
    prompt=16,
    totals=(256, 512, 1024),
    source=64,
    targets=(64, 128),
)
QUICK = dict(
    vocabulary=50,
    num_layers=1,
    dim=16,
    heads=2,
    intermediate=32,
    batch=2,
    prompt=4,
    totals=(12, 20),
    source=6,
    targets=(8,),
)
PEERS = ["keras_hub.GPT2CausalLM"]


def prompts(sizes, seed=0):
    rng = np.random.default_rng(seed)
    shape = (sizes["batch"], sizes["prompt"])
    return rng.integers(1, sizes["vocabulary"], size=shape).astype("int32")


def keras_seq_lm(sizes, backbone="transformer", dtype=None):
    model = CausalLM(
        vocabulary_size=sizes["vocabulary"],
        max_length=max(sizes["totals"]),
        backbone=backbone,
        num_layers=sizes["num_layers"],
        num_heads=sizes["heads"],
        hidden_dim=sizes["dim"],
        intermediate_dim=sizes["intermediate"],
        dtype=dtype,
    )
    # Greedy, as the peer: CausalLM's own default samples top-k.
    model.compile(sampler="greedy")
    return model


class KerasSeqGenerator:
    def __init__(self, model):
        self.model = model

    def __call__(self, prompt, total):
        return self.model.generate(prompt, max_length=total)

    def traces(self):
        return self.model.make_generate_function("greedy", None).traces


class KerasHubGenerator:
    """GPT2CausalLM on token ids, without a preprocessor."""

    def __init__(self, sizes, dtype=None):
        backbone = keras_hub.models.GPT2Backbone(
            vocabulary_size=sizes["vocabulary"],
            num_layers=sizes["num_layers"],
            num_heads=sizes["heads"],
            hidden_dim=sizes["dim"],
            intermediate_dim=sizes["intermediate"],
            dropout=0.0,
            max_sequence_length=max(sizes["totals"]),
            dtype=dtype,
        )
        self.model = keras_hub.models.GPT2CausalLM(
            backbone, preprocessor=None, dtype=dtype
        )
        self.model.compile(sampler="greedy")
        self._traces = 0
        step = self.model.generate_step

        def counted(*args, **kwargs):
            self._traces += 1
            return step(*args, **kwargs)

        # Read by make_generate_function when it first compiles.
        self.model.generate_step = counted

    def __call__(self, prompt, total):
        batch, length = prompt.shape
        token_ids = np.zeros((batch, total), "int32")
        token_ids[:, :length] = prompt
        padding_mask = token_ids != 0
        inputs = {"token_ids": token_ids, "padding_mask": padding_mask}
        return self.model.generate(inputs, stop_token_ids=None)["token_ids"]

    def traces(self):
        return self._traces


def time_generator(name, generator, sizes, repeats, args, extra=None):
    prompt = prompts(sizes)
    records = []
    for total in sizes["totals"]:
        measured = timing.measure(lambda total=total: generator(prompt, total), repeats)
        new = total - sizes["prompt"]
        seconds = measured["median_s"]
        records.append(
            {
                "benchmark": BENCHMARK,
                "name": name,
                "mode": f"total_{total}",
                "sizes": {
                    key: sizes[key]
                    for key in (
                        "vocabulary",
                        "num_layers",
                        "dim",
                        "heads",
                        "intermediate",
                        "batch",
                        "prompt",
                    )
                }
                | {"total": total, "new_tokens": new},
                **measured,
                "tokens_per_s": sizes["batch"] * new / seconds,
                "seconds_per_new_token": seconds / new,
                "quick": args.quick,
                **(extra or {}),
            }
        )
    # The same shapes again: a compiled decode must not trace anew.
    before = generator.traces()
    output = generator(prompt, sizes["totals"][-1])
    check = {
        "benchmark": BENCHMARK,
        "name": name,
        "mode": "retrace_check",
        "sizes": {"batch": sizes["batch"], "total": sizes["totals"][-1]},
        "traces_total": generator.traces(),
        "traces_second_call": generator.traces() - before,
        "compiled_backend": timing.backend() in ("jax", "tensorflow"),
        "output_shape": list(np.shape(output)),
        "quick": args.quick,
    }
    return records, check


def growth(records):
    """Seconds per new token at the longest total over the shortest."""
    first, last = records[0], records[-1]
    return last["seconds_per_new_token"] / first["seconds_per_new_token"]


def time_seq2seq(sizes, repeats, args):
    model = Seq2SeqTransformer(
        sizes["vocabulary"],
        sizes["vocabulary"],
        max_length=sizes["source"],
        target_max_length=max(sizes["targets"]),
        num_layers=sizes["num_layers"],
        num_heads=sizes["heads"],
        hidden_dim=sizes["dim"],
        intermediate_dim=sizes["intermediate"],
    )
    model.compile()
    rng = np.random.default_rng(1)
    source = rng.integers(
        3, sizes["vocabulary"], size=(sizes["batch"], sizes["source"])
    ).astype("int32")
    records = []
    for target in sizes["targets"]:
        measured = timing.measure(
            lambda target=target: model.generate(
                source, max_length=target, start_token_id=1
            ),
            repeats,
        )
        seconds = measured["median_s"]
        records.append(
            {
                "benchmark": BENCHMARK,
                "name": "keras_seq.Seq2SeqTransformer",
                "mode": f"target_{target}",
                "sizes": {
                    "vocabulary": sizes["vocabulary"],
                    "num_layers": sizes["num_layers"],
                    "dim": sizes["dim"],
                    "heads": sizes["heads"],
                    "intermediate": sizes["intermediate"],
                    "batch": sizes["batch"],
                    "source": sizes["source"],
                    "target": target,
                    "new_tokens": target - 1,
                },
                **measured,
                "tokens_per_s": sizes["batch"] * (target - 1) / seconds,
                "seconds_per_new_token": seconds / (target - 1),
                "quick": args.quick,
            }
        )
    return records


def compare_causal_lms(sizes, repeats, args, benchmark=BENCHMARK, dtype=None):
    """Times `CausalLM` and `GPT2CausalLM` at every total length, and emits.

    Records per total length (with speed-ups), the growth of the time per
    new token, and the recompilation checks. `dtype`: both models' dtype
    policy (`"mixed_bfloat16"`), None for the global one.
    """
    transformer = {}
    checks = []
    for name, make in (
        (
            "keras_seq.CausalLM",
            lambda: KerasSeqGenerator(keras_seq_lm(sizes, dtype=dtype)),
        ),
        ("keras_hub.GPT2CausalLM", lambda: KerasHubGenerator(sizes, dtype)),
    ):
        extra = {"dtype": dtype} if dtype else None
        records, check = time_generator(name, make(), sizes, repeats, args, extra)
        transformer[name] = records
        checks.append(check)
        keras.backend.clear_session()
    emitted = []
    for index in range(len(sizes["totals"])):
        group = [records[index] for records in transformer.values()]
        for record in timing.add_speedups(group, PEERS):
            emitted.append(record)
    for name, records in transformer.items():
        emitted.append(
            {
                "benchmark": BENCHMARK,
                "name": name,
                "mode": "per_token_growth",
                "sizes": {
                    "from_total": sizes["totals"][0],
                    "to_total": sizes["totals"][-1],
                },
                "growth": growth(records),
                "quick": args.quick,
            }
        )
    for record in emitted + checks:
        timing.emit(dict(record, benchmark=benchmark), args.output)


def main(argv=None):
    parser = timing.parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    repeats = timing.repeats_of(args, default=3)
    timing.set_seed(0)

    compare_causal_lms(sizes, repeats, args)

    lstm_sizes = dict(sizes)
    records, check = time_generator(
        "keras_seq.CausalLM(lstm)",
        KerasSeqGenerator(keras_seq_lm(lstm_sizes, backbone="lstm")),
        lstm_sizes,
        repeats,
        args,
    )
    for record in records + [check]:
        timing.emit(record, args.output)
    keras.backend.clear_session()
    for record in time_seq2seq(sizes, repeats, args):
        timing.emit(record, args.output)


if __name__ == "__main__":
    main()
