"""PyTorch: generation replayed from captured graphs generates as eagerly.

On PyTorch `generate` runs its loop in Python. A KerasHub sampler's loop
runs with its steps replayed from graphs captured once per shapes
(`keras_seq.backend.torch.captured_sampling`): the decoding step with the
sampler's probabilities, and the sampler's choice where it draws no
random numbers. Samplers with their own loop (beam search) replay the
decoding step alone (`GenerativeTask._decode_function`). From the same
weights, prompts and seeds it must generate the same ids as the eager
loop (`run_eagerly=True`). JAX and TensorFlow compile the whole loop and
never capture; there the compiled loop and the eager one agree the same
way.
"""

import keras
import keras_hub
import numpy as np
import pytest

from keras_seq.backend.torch import captured_sampling
from tests import application_cases

ON_TORCH = keras.backend.backend() == "torch"
CASES = ["causal_lm_transformer", "causal_lm_gru", "seq2seq_transformer"]
CASES.append(pytest.param("image_captioner", marks=pytest.mark.slow))
MAX_LENGTH = 7
# PyTorch captures; elsewhere these compare the compiled loop with the
# eager one, as the greedy cases do in the default run: slow there.
slow_off_torch = (lambda test: test) if ON_TORCH else pytest.mark.slow


@pytest.fixture
def capture_at_once(monkeypatch):
    monkeypatch.setattr(captured_sampling, "DECODE_EAGER_CALLS", 0)


def _generate(model, case, sampler, end_token_id=None):
    x, _ = application_cases.batch(case, size=3, seed=2)
    kwargs = dict(max_length=MAX_LENGTH, sampler=sampler, end_token_id=end_token_id)
    if case.startswith("causal_lm"):
        return model.generate(x[:, :3], **kwargs)
    source = x["images"] if case == "image_captioner" else x["source_ids"]
    return model.generate(source, start_token_id=1, **kwargs)


def _captured_sampling(model, sampler, end_token_id=None):
    function = model.make_generate_function(sampler, end_token_id)
    return function.function.keywords["captured_sampling"]


def _generate_both_ways(
    model, case, make_sampler, end_token_id=None, **compile_options
):
    """Twice captured (compiled elsewhere), then eagerly, from fresh samplers."""
    model.compile(sampler="greedy", **compile_options)
    sampler = make_sampler()
    captured = [_generate(model, case, sampler, end_token_id) for _ in range(2)]
    sampling = _captured_sampling(model, sampler, end_token_id)
    model.compile(sampler="greedy", run_eagerly=True)
    assert _captured_sampling(model, sampler, end_token_id) is None
    sampler = make_sampler()
    eager = [_generate(model, case, sampler, end_token_id) for _ in range(2)]
    for captured_ids, eager_ids in zip(captured, eager):
        np.testing.assert_array_equal(captured_ids, eager_ids)
    return sampling


@pytest.mark.parametrize("case", CASES)
def test_a_captured_greedy_loop_generates_as_the_eager_one(capture_at_once, case):
    model = application_cases.build(case)
    sampling = _generate_both_ways(model, case, keras_hub.samplers.GreedySampler)
    if ON_TORCH:
        # One graph for every step of both calls, for each of the two parts.
        assert sampling.probabilities.graphs.captures == 1
        assert sampling.choice.captures == 1
    else:
        assert sampling is None


@slow_off_torch
def test_a_random_choice_runs_eagerly_with_the_seeds_of_the_eager_loop(
    capture_at_once,
):
    model = application_cases.build("causal_lm_transformer")
    sampling = _generate_both_ways(
        model,
        "causal_lm_transformer",
        lambda: keras_hub.samplers.TopKSampler(k=4, seed=3),
        # TensorFlow's XLA draws other numbers than its eager kernels from
        # one seed; `tf.function` alone draws the same.
        jit_compile=False,
    )
    if ON_TORCH:
        assert sampling.probabilities.graphs.captures == 1
        # A graph would not move the seed on: the choice stays eager.
        assert sampling.choice.captures == 0


@slow_off_torch
def test_the_captured_loop_stops_where_the_eager_one_does(capture_at_once):
    model = application_cases.build("causal_lm_transformer")
    model.compile(sampler="greedy")
    first = _generate(model, "causal_lm_transformer", "greedy")
    # The first token the first row generates ends it at once.
    end_token_id = int(first[0, 3])
    _generate_both_ways(
        model, "causal_lm_transformer", keras_hub.samplers.GreedySampler, end_token_id
    )


@slow_off_torch
def test_a_sampler_with_its_own_loop_replays_the_decoding_step(capture_at_once):
    model = application_cases.build("causal_lm_transformer")
    model.compile(sampler="beam")
    captured = _generate(model, "causal_lm_transformer", "beam")
    assert _captured_sampling(model, "beam") is None
    if ON_TORCH:
        assert model._captured_decode.graphs.captures == 1
    model.compile(sampler="beam", run_eagerly=True)
    assert model._decode_function() == model._decode
    eager = _generate(model, "causal_lm_transformer", "beam")
    np.testing.assert_array_equal(captured, eager)


@pytest.mark.slow  # torch.compile takes tens of seconds per graph.
def test_jit_compile_compiles_the_captured_graphs_to_the_same_ids(capture_at_once):
    model = application_cases.build("causal_lm_transformer")
    model.compile(sampler="greedy", jit_compile=True)
    sampling = _captured_sampling(model, "greedy")
    compiled = _generate(model, "causal_lm_transformer", "greedy")
    if ON_TORCH:
        assert sampling.probabilities.graphs.compiles
        (graph,) = sampling.probabilities.graphs.graphs.values()
        assert graph._call is graph._compiled, "compiling fell back to replaying"
    model.compile(sampler="greedy", run_eagerly=True)
    eager = _generate(model, "causal_lm_transformer", "greedy")
    np.testing.assert_array_equal(compiled, eager)
