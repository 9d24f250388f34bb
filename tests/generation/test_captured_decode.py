"""PyTorch: the decoding step replayed from a captured graph generates as eagerly.

On PyTorch `generate` runs its loop in Python, and each decoding step is
replayed from a graph captured once per shapes
(`GenerativeTask._decode_function`), reading the whole key/value cache.
From the same weights and prompts it must generate the same ids as the
eager step (`run_eagerly=True`). JAX and TensorFlow compile the whole
loop and never capture; there the compiled loop and the eager one agree
the same way.
"""

import keras
import numpy as np
import pytest

from keras_seq.models import generative
from tests import application_cases

ON_TORCH = keras.backend.backend() == "torch"
CASES = ["causal_lm_transformer", "causal_lm_gru", "seq2seq_transformer"]
CASES.append(pytest.param("image_captioner", marks=pytest.mark.slow))
MAX_LENGTH = 7


@pytest.fixture
def capture_at_once(monkeypatch):
    monkeypatch.setattr(generative, "DECODE_EAGER_CALLS", 0)


def _generate(model, case):
    x, _ = application_cases.batch(case, size=3, seed=2)
    if case.startswith("causal_lm"):
        return model.generate(x[:, :3], max_length=MAX_LENGTH)
    source = x["images"] if case == "image_captioner" else x["source_ids"]
    return model.generate(source, max_length=MAX_LENGTH, start_token_id=1)


@pytest.mark.parametrize("case", CASES)
def test_a_captured_decoding_step_generates_as_the_eager_one(capture_at_once, case):
    model = application_cases.build(case)
    model.compile(sampler="greedy")
    captured = [_generate(model, case) for _ in range(2)]
    if ON_TORCH:
        # One graph for every step of both calls.
        assert model._captured_decode.graphs.captures == 1
    else:
        assert model._decode_function() == model._decode
    model.compile(sampler="greedy", run_eagerly=True)
    assert model._decode_function() == model._decode
    eager = _generate(model, case)
    for ids in captured:
        np.testing.assert_array_equal(ids, eager)
