"""Smoke tests of benchmarks/accelerator.py: `--quick` on the CPU.

The accelerator benchmark runs anywhere; here at its tiny quick sizes
under the current `KERAS_BACKEND`, one section at a time. No section may
report an error, and each emits its records. `encoder_jit` compiles a
training step with XLA (`torch.compile` under PyTorch, and JAX's
`jit_compile=False` runs the step op by op), and the preset's CPU
reference made in a process of its own: the slow run.
"""

import importlib

import keras
import numpy as np
import pytest

from tests.benchmarks.test_benchmarks import by_name
from tests.benchmarks.test_benchmarks import run_quick


def run_sections(capsys, tmp_path, sections):
    records = run_quick("accelerator", capsys, tmp_path, "--sections", sections)
    ends = by_name(records, mode="section")
    assert set(ends) == set(sections.split(","))
    for record in ends.values():
        assert "error" not in record, record.get("traceback")
    assert by_name(records, mode=None)["devices"]["accelerators"] == []  # CI has no GPU
    return records


# Each runs the whole module at tiny sizes (minutes on two cores): slow,
# beside the quick smoke of encoder.py and generation.py in the default run.
@pytest.mark.slow
def test_peak_preset_and_smoke(capsys, tmp_path):
    records = run_sections(capsys, tmp_path, "matmul_peak,preset,smoke")
    found = by_name(records, mode=None)  # not the records ending each section
    assert found["matmul_peak"]["dtype"] == "bfloat16"
    assert found["matmul_peak"]["flops_per_s"] > 0
    preset = found["preset_mnist_vit"]
    # On a CPU both predictions run on the CPU: the same numbers.
    assert preset["same_answer"] == 1.0 and preset["max_abs_diff_vs_cpu"] < 1e-5
    for name in ("smoke_text_classifier", "smoke_causal_lm"):
        assert found[name]["compute_dtype"] == "bfloat16"
        assert found[name]["variable_dtype"] == "float32"


@pytest.mark.slow
def test_encoder_and_generation(capsys, tmp_path):
    records = run_sections(capsys, tmp_path, "encoder,generation")
    train = {
        name: record
        for name, record in by_name(records, mode="train").items()
        if record["benchmark"] == "accelerator"
    }
    expected = {"keras_seq.TransformerEncoder", "keras_hub.TransformerEncoder"}
    if keras.backend.backend() == "torch":
        expected |= {"torch.nn", "torch.nn(fused Adam)"}
    assert set(train) == expected
    ours = train["keras_seq.TransformerEncoder"]
    assert ours["policy"] == "mixed_bfloat16"
    assert set(ours["speedup_vs"]) == expected - {"keras_seq.TransformerEncoder"}
    generated = by_name(records, mode="total_12")
    assert set(generated) == {"keras_seq.CausalLM", "keras_hub.GPT2CausalLM"}
    assert generated["keras_seq.CausalLM"]["dtype"] == "mixed_bfloat16"
    assert "keras_hub.GPT2CausalLM" in generated["keras_seq.CausalLM"]["speedup_vs"]


@pytest.mark.slow
def test_cpu_predictions_of_the_preset():
    accelerator = importlib.import_module("accelerator")
    reference = accelerator.cpu_predictions(4)
    images, _ = accelerator._digits(4)
    np.testing.assert_allclose(
        reference, accelerator._preset_predictions(images), atol=1e-5
    )


@pytest.mark.slow
def test_encoder_jit(capsys, tmp_path):
    records = run_sections(capsys, tmp_path, "encoder_jit")
    train = by_name(records, mode="train")
    assert {record["jit_compile"] for record in train.values()} == {False, True}
    for record in train.values():
        assert record["first_call_s"] > 0
