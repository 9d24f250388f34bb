"""Smoke tests of benchmarks/: every script's `--quick` mode, and the report.

Each script runs in this process under the current `KERAS_BACKEND`, at its
tiny quick sizes and one repeat, and must print well-formed JSON lines with
finite figures. The figures themselves mean nothing here.
"""

import importlib
import json
import math
import os
import sys

import keras
import pytest

BENCHMARKS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "benchmarks",
)
if BENCHMARKS not in sys.path:
    sys.path.insert(0, BENCHMARKS)

import timing  # noqa: E402  (benchmarks/ is not a package)

REQUIRED = {"benchmark", "name", "backend", "device", "sizes"}


def run_quick(module_name, capsys, tmp_path, *arguments):
    module = importlib.import_module(module_name)
    output = tmp_path / "results.jsonl"
    module.main(["--quick", "--output", str(output), *arguments])
    printed = [line for line in capsys.readouterr().out.splitlines() if line]
    records = [json.loads(line) for line in printed if line.startswith("{")]
    written = [json.loads(line) for line in output.read_text().splitlines()]
    assert records == written
    assert records, f"{module_name} printed no JSON line"
    for record in records:
        assert REQUIRED <= set(record), record
        assert record["backend"] == keras.backend.backend()
        assert timing.finite(record), record
        if "median_s" in record:
            assert record["median_s"] > 0
            assert record["repeats"] == 1
            assert record["quick"] is True
    return records


def by_name(records, **fields):
    return {
        record["name"]: record
        for record in records
        if all(record.get(key) == value for key, value in fields.items())
    }


def test_encoder_quick(capsys, tmp_path):
    records = run_quick("encoder", capsys, tmp_path)
    peak = by_name(records)["matmul_peak"]
    assert peak["flops_per_s"] > 0
    train = by_name(records, mode="train")
    expected = {
        "keras_seq.TransformerEncoder",
        "keras_hub.TransformerEncoder",
        "keras.MultiHeadAttention block",
    }
    if keras.backend.backend() == "torch":
        expected.add("torch.nn")
    assert set(train) == expected
    assert set(by_name(records, mode="predict")) == expected
    ours = train["keras_seq.TransformerEncoder"]
    assert 0 < ours["mfu"]
    assert set(ours["speedup_vs"]) == expected - {"keras_seq.TransformerEncoder"}


def test_generation_quick(capsys, tmp_path):
    records = run_quick("generation", capsys, tmp_path)
    names = {record["name"] for record in records}
    assert names == {
        "keras_seq.CausalLM",
        "keras_hub.GPT2CausalLM",
        "keras_seq.CausalLM(lstm)",
        "keras_seq.Seq2SeqTransformer",
    }
    checks = by_name(records, mode="retrace_check")
    assert set(checks) == {
        "keras_seq.CausalLM",
        "keras_hub.GPT2CausalLM",
        "keras_seq.CausalLM(lstm)",
    }
    for check in checks.values():
        assert check["output_shape"] == [
            check["sizes"]["batch"],
            check["sizes"]["total"],
        ]
    ours = by_name(records, mode="total_12")["keras_seq.CausalLM"]
    assert ours["tokens_per_s"] > 0
    assert "keras_hub.GPT2CausalLM" in ours["speedup_vs"]


@pytest.mark.slow
def test_overhead_quick(capsys, tmp_path):
    records = run_quick("overhead", capsys, tmp_path)
    expected = {"keras_seq.Task"}
    generators = {"keras_seq.CausalLM", "keras_hub.GPT2CausalLM"}
    if keras.backend.backend() == "torch":
        expected |= {"torch.nn", "keras_seq.Task(run_eagerly)"}
        generators |= {"keras_seq.CausalLM(jit_compile)"}  # torch.compile's too
    assert set(by_name(records, mode="fit")) == expected
    assert set(by_name(records, mode="predict")) == expected
    generate = by_name(records, mode="generate")
    assert set(generate) == generators
    assert generate["keras_seq.CausalLM"]["ms_per_step"] > 0


@pytest.mark.slow
def test_attention_quick(capsys, tmp_path):
    records = run_quick("attention", capsys, tmp_path)
    assert {record["sizes"]["time"] for record in records} == {32, 64}
    fused = by_name(records, mode="train")["keras_seq.MultiHeadSelfAttention(fused)"]
    assert "keras_seq.MultiHeadSelfAttention(explicit_scores)" in fused["speedup_vs"]
    assert "memory_method" in fused


@pytest.mark.slow
def test_recurrent_quick(capsys, tmp_path):
    records = run_quick("recurrent", capsys, tmp_path)
    train = by_name(records, mode="train")
    assert set(train) == {
        "keras_seq.RNNClassifier(lstm)",
        "keras.layers(Embedding+LSTM+Dense)",
    }
    # The same model: the same number of weights.
    assert len({record["parameters"] for record in train.values()}) == 1


MODES = {"train", "predict_batch", "latency"}


def test_applications_quick_one(capsys, tmp_path):
    records = run_quick("applications", capsys, tmp_path, "--only", "ViT")
    assert {record["name"] for record in records} == {"keras_seq.ViT"}
    assert {record["mode"] for record in records} == MODES


@pytest.mark.slow
def test_applications_quick(capsys, tmp_path):
    records = run_quick("applications", capsys, tmp_path)
    assert {record["name"] for record in records} == {
        "keras_seq.TextClassifier",
        "keras_seq.ViT",
        "keras_seq.ViViT",
    }
    assert {record["mode"] for record in records} == MODES


@pytest.mark.slow
def test_demo_quick(capsys, tmp_path):
    records = run_quick("demo", capsys, tmp_path)
    assert {record["mode"] for record in records} == {"train", "predict", "total"}


def test_timing_helpers():
    # One layer, one token of a one-token sequence: 8 + 4 + 4 * 2 FLOPs.
    assert timing.encoder_flops(1, 1, 1, 2, 1, training=False) == 20
    assert timing.encoder_flops(2, 3, 4, 5, 6, training=True) == 3 * 2 * 3 * 6 * (
        8 * 16 + 4 * 3 * 4 + 4 * 4 * 5
    )
    records = [{"name": "a", "median_s": 1.0}, {"name": "b", "median_s": 2.0}]
    timing.add_speedups(records, ["b"])
    assert records[0]["speedup_vs"] == {"b": 2.0}
    assert records[1]["speedup_vs"] == {}
    assert timing.finite({"a": [1.0, {"b": 2}], "c": None, "d": "x"})
    assert not timing.finite({"a": [1.0, math.inf]})
    measured = timing.measure(lambda: keras.ops.ones((2, 2)), repeats=3)
    assert measured["repeats"] == 3 and len(measured["times_s"]) == 3


def test_report_renders_the_results(tmp_path):
    report = importlib.import_module("report")
    results = tmp_path / "results"
    results.mkdir()
    backend = keras.backend.backend()
    lines = [
        {
            "benchmark": "encoder",
            "name": "matmul_peak",
            "backend": backend,
            "device": "cpu",
            "sizes": {"matrix": 8},
            "flops_per_s": 1e9,
            "versions": {"keras": keras.__version__},
            "quick": True,
        },
        {
            "benchmark": "encoder",
            "name": "keras_seq.TransformerEncoder",
            "mode": "train",
            "backend": backend,
            "device": "cpu",
            "sizes": {"batch": 2},
            "median_s": 0.5,
            "tokens_per_s": 4.0,
            "mfu": 0.25,
            "speedup_vs": {"keras_hub.TransformerEncoder": 1.5},
            "quick": True,
        },
    ]
    (results / f"{backend}.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in lines)
    )
    (results / "machine.txt").write_text("nproc: 2")
    markdown = tmp_path / "BENCHMARKS.md"
    markdown.write_text(f"# B\n\n{report.BEGIN}\nold\n{report.END}\n\ntail\n")
    report.main(["--results", str(results), "--markdown", str(markdown)])
    text = markdown.read_text()
    assert "old" not in text and text.endswith("tail\n")
    assert "Smoke run" in text
    assert "| " + backend + " | keras_seq.TransformerEncoder | 500 |" in text
    assert "1.50x" in text
    assert "nproc: 2" in text
    assert "### 2. Generation\n\nNot yet measured." in text
