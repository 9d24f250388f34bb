"""Turns `benchmarks/results/*.jsonl` into the result tables of BENCHMARKS.md.

Reads one JSON-lines file per backend (written by `make bench`), the
machine description (`machine.txt`: `nproc` and `lscpu`) and the exact
commands (`commands.txt`), and replaces the part of BENCHMARKS.md between
the `results:begin` and `results:end` markers with the tables: medians,
derived figures and the speed-ups against the peers measured in the same
process. Records from `--quick` runs are smoke checks, not measurements:
the report says so in a banner above the tables.

    python benchmarks/report.py [--results DIR] [--markdown BENCHMARKS.md]
    python benchmarks/report.py --print   # the tables on stdout only
"""

import argparse
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
BACKENDS = ("tensorflow", "jax", "torch")
BEGIN = "<!-- results:begin -->"
END = "<!-- results:end -->"


def load(results):
    """The records of every backend's file, in file order."""
    records = []
    for backend in BACKENDS:
        path = os.path.join(results, f"{backend}.jsonl")
        if not os.path.exists(path):
            continue
        with open(path) as file:
            for line in file:
                line = line.strip()
                if line:
                    records.append(json.loads(line))
    return records


def _read(path):
    if not os.path.exists(path):
        return None
    with open(path) as file:
        return file.read().strip()


def _fmt(value, digits=3):
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def _ms(seconds):
    return None if seconds is None else seconds * 1e3


def _ratio(record, peer):
    value = record.get("speedup_vs", {}).get(peer)
    return None if value is None else f"{value:.2f}x"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(cell) for cell in row) + " |")
    return "\n".join(lines)


def _cell(cell):
    return cell if isinstance(cell, str) else _fmt(cell)


def select(records, benchmark, **fields):
    return [
        record
        for record in records
        if record.get("benchmark") == benchmark
        and all(record.get(key) == value for key, value in fields.items())
    ]


def _sizes(record, keys=None):
    sizes = record.get("sizes", {})
    keys = keys or sorted(sizes)
    return ", ".join(f"{key} {sizes[key]}" for key in keys if key in sizes)


def peaks(records):
    rows = [
        [
            record["backend"],
            record.get("device", "-"),
            _sizes(record),
            record["flops_per_s"] / 1e9,
        ]
        for record in records
        if record.get("name") == "matmul_peak" and record.get("benchmark") == "encoder"
    ]
    if not rows:
        return ""
    return "Measured float32 matmul peak (in the encoder run):\n\n" + table(
        ["backend", "device", "size", "GFLOP/s"], rows
    )


def encoder(records):
    peers = [
        "keras_hub.TransformerEncoder",
        "keras.MultiHeadAttention block",
        "torch.nn",
    ]
    parts = []
    for mode, title in (
        ("train", "training (per `fit` step)"),
        ("predict", "inference"),
    ):
        rows = []
        for record in select(records, "encoder", mode=mode):
            rows.append(
                [
                    record["backend"],
                    record["name"],
                    _ms(record["median_s"]),
                    record["tokens_per_s"],
                    record["mfu"],
                    *[_ratio(record, peer) or "-" for peer in peers],
                ]
            )
        if rows:
            sizes = _sizes(select(records, "encoder", mode=mode)[0])
            parts.append(
                f"Encoder {title}; {sizes}:\n\n"
                + table(
                    ["backend", "candidate", "median ms", "tokens/s", "MFU"]
                    + [f"vs {peer}" for peer in peers],
                    rows,
                )
            )
    return "\n\n".join(parts)


def generation(records):
    parts = []
    rows = []
    for record in select(records, "generation"):
        if not record.get("mode", "").startswith(("total_", "target_")):
            continue
        sizes = record["sizes"]
        rows.append(
            [
                record["backend"],
                record["name"],
                str(sizes.get("total", sizes.get("target"))),
                sizes["new_tokens"],
                record["median_s"],
                record["tokens_per_s"],
                _ms(record["seconds_per_new_token"]),
                _ratio(record, "keras_hub.GPT2CausalLM") or "-",
            ]
        )
    if rows:
        parts.append(
            "Greedy generation (batch, prompt and model sizes in the JSON lines; "
            "Seq2SeqTransformer rows give the target length):\n\n"
            + table(
                [
                    "backend",
                    "model",
                    "total tokens",
                    "new",
                    "median s",
                    "tokens/s",
                    "ms per new token",
                    "vs GPT2CausalLM",
                ],
                rows,
            )
        )
    growth_rows = [
        [record["backend"], record["name"], _sizes(record), f"{record['growth']:.2f}x"]
        for record in select(records, "generation", mode="per_token_growth")
    ]
    if growth_rows:
        parts.append(
            "Growth of the time per new token from the shortest to the longest "
            "total length:\n\n"
            + table(["backend", "model", "lengths", "growth"], growth_rows)
        )
    check_rows = [
        [
            record["backend"],
            record["name"],
            record["traces_second_call"],
            record["traces_total"],
            record["compiled_backend"],
        ]
        for record in select(records, "generation", mode="retrace_check")
    ]
    if check_rows:
        parts.append(
            "Recompilation check: traces of the decode function during a second "
            "`generate` with the same shapes (0 = no recompilation; eager PyTorch "
            "runs the Python every call):\n\n"
            + table(
                ["backend", "model", "traces, 2nd call", "traces in all", "compiled"],
                check_rows,
            )
        )
    return "\n\n".join(parts)


def attention(records):
    rows = []
    for record in select(records, "attention"):
        rows.append(
            [
                record["backend"],
                str(record["sizes"]["time"]),
                record["mode"],
                record["name"],
                _ms(record["median_s"]),
                None
                if record.get("peak_memory_bytes") is None
                else record["peak_memory_bytes"] / 2**20,
                _ratio(record, "keras_seq.MultiHeadSelfAttention(explicit_scores)")
                or "-",
                _ratio(record, "keras.MultiHeadAttention") or "-",
            ]
        )
    if not rows:
        return ""
    methods = sorted(
        {
            r["memory_method"]
            for r in select(records, "attention")
            if r.get("memory_method")
        }
    )
    sizes = _sizes(select(records, "attention")[0], ["batch", "heads", "dim", "causal"])
    return (
        f"Self-attention, {sizes} (`train`: forward, backward and update; "
        f"`predict`: forward). Peak memory: {'; '.join(methods) or '-'}.\n\n"
        + table(
            [
                "backend",
                "tokens",
                "mode",
                "path",
                "median ms",
                "peak MiB",
                "vs explicit scores",
                "vs keras.MultiHeadAttention",
            ],
            rows,
        )
    )


def recurrent(records):
    rows = [
        [
            record["backend"],
            record["mode"],
            record["name"],
            _ms(record["median_s"]),
            record["tokens_per_s"],
            _ratio(record, "keras.layers(Embedding+LSTM+Dense)") or "-",
        ]
        for record in select(records, "recurrent")
    ]
    if not rows:
        return ""
    sizes = _sizes(select(records, "recurrent")[0])
    return f"LSTM classifier; {sizes}:\n\n" + table(
        ["backend", "mode", "model", "median ms", "tokens/s", "vs plain keras.layers"],
        rows,
    )


def applications(records):
    by_key = {}
    for record in select(records, "applications"):
        by_key.setdefault((record["backend"], record["name"]), {})[record["mode"]] = (
            record
        )
    rows = []
    for (backend, name), modes in by_key.items():
        train = modes.get("train", {})
        batch = modes.get("predict_batch", {})
        latency = modes.get("latency", {})
        rows.append(
            [
                backend,
                name,
                train.get("parameters"),
                train.get("examples_per_s"),
                batch.get("examples_per_s"),
                _ms(latency.get("median_s")),
            ]
        )
    if not rows:
        return ""
    batch = _sizes(select(records, "applications")[0], ["batch", "steps_per_call"])
    return f"Applications at default sizes ({batch}):\n\n" + table(
        [
            "backend",
            "application",
            "parameters",
            "training examples/s",
            "prediction examples/s",
            "latency, 1 example, ms",
        ],
        rows,
    )


def demo(records):
    rows = [
        [record["backend"], record["mode"], record["median_s"], record["repeats"]]
        for record in select(records, "demo")
    ]
    if not rows:
        return ""
    return "`make demo` commands, wall seconds:\n\n" + table(
        ["backend", "step", "median s", "runs"], rows
    )


def render(results):
    records = load(results)
    sections = []
    if not records:
        sections.append("Not yet measured: run `make bench` on a quiet machine.")
    if any(record.get("quick") for record in records):
        sections.append(
            "**Smoke run (`--quick`, tiny sizes, one repeat): these figures "
            "check the scripts and measure nothing.**"
        )
    machine = _read(os.path.join(results, "machine.txt"))
    if machine:
        sections.append("Machine (`nproc`, `lscpu`):\n\n```\n" + machine + "\n```")
    commands = _read(os.path.join(results, "commands.txt"))
    if commands:
        sections.append("Commands, in the order run:\n\n```\n" + commands + "\n```")
    versions = {
        record["backend"]: record["versions"]
        for record in records
        if record.get("name") == "matmul_peak" and "versions" in record
    }
    if versions:
        sections.append(
            "Versions: "
            + "; ".join(
                f"{backend}: "
                + ", ".join(f"{key} {value}" for key, value in sorted(found.items()))
                for backend, found in versions.items()
            )
        )
    for title, make in (
        ("Matmul peak", peaks),
        ("1. Encoder training and inference", encoder),
        ("2. Generation", generation),
        ("3. Long sequences", attention),
        ("4. Recurrent", recurrent),
        ("5a. Applications", applications),
        ("5b. `make demo`", demo),
    ):
        body = make(records)
        sections.append(f"### {title}\n\n" + (body or "Not yet measured."))
    return "\n\n".join(sections) + "\n"


def update(markdown, body):
    with open(markdown) as file:
        text = file.read()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{markdown} has no {BEGIN} ... {END} section")
    text = pattern.sub(lambda _: f"{BEGIN}\n{body}{END}", text)
    with open(markdown, "w") as file:
        file.write(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=os.path.join(HERE, "results"))
    parser.add_argument(
        "--markdown", default=os.path.join(os.path.dirname(HERE), "BENCHMARKS.md")
    )
    parser.add_argument("--print", action="store_true", help="print, write nothing")
    args = parser.parse_args(argv)
    body = render(args.results)
    if args.print:
        print(body)
    else:
        update(args.markdown, body)
        print(f"wrote the results of {args.results} into {args.markdown}")


if __name__ == "__main__":
    main()
