"""The compiled generate function: built once, reused, equal to the eager loop."""

import keras
import numpy as np
import pytest
from keras_hub.samplers import BeamSampler
from keras_hub.samplers import TopKSampler

from keras_seq.applications import CausalLM
from keras_seq.applications import ImageCaptioner
from keras_seq.applications import Seq2SeqRNN
from keras_seq.applications import Seq2SeqTransformer

COMPILED = keras.backend.backend() in ("jax", "tensorflow")
PROMPTS = np.array([[3, 7, 4], [5, 0, 0]], "int32")
SIZES = {"num_layers": 1, "num_heads": 2, "hidden_dim": 16, "intermediate_dim": 32}


def _model(backbone="transformer"):
    keras.utils.set_random_seed(0)
    return CausalLM(20, 10, backbone=backbone, **SIZES)


def test_repeated_calls_reuse_one_compilation():
    model = _model()
    function = model.make_generate_function()
    for _ in range(3):
        model.generate(PROMPTS, max_length=8)
    assert model.make_generate_function() is function
    assert function.traces == (1 if COMPILED else 3)
    # New shapes compile anew; so do a new sampler and a new end token.
    model.generate(PROMPTS, max_length=9)
    model.generate(PROMPTS[:, :1], max_length=9)
    assert function.traces == (3 if COMPILED else 5)
    assert model.make_generate_function("beam") is not function
    assert model.make_generate_function(end_token_id=2) is not function


def test_prompts_of_other_lengths_reuse_the_compilation():
    # The start index is a tensor, and prompts are padded to a power-of-two
    # width: other lengths and other padding, no retrace.
    model = _model()
    expected = model.generate(PROMPTS, max_length=8, sampler="greedy")
    for prompts in (
        np.array([[3, 0, 0, 0], [5, 6, 9, 2]], "int32"),
        np.pad(PROMPTS, ((0, 0), (0, 5))),
    ):
        model.generate(prompts, max_length=8, sampler="greedy")
    np.testing.assert_array_equal(
        model.generate(PROMPTS, max_length=8, sampler="greedy"), expected
    )
    assert model.make_generate_function("greedy").traces == (1 if COMPILED else 4)


def test_a_named_sampler_is_the_models_own():
    model = _model()
    assert model.make_generate_function("top_k") is model.make_generate_function(
        "top_k"
    )
    # Its seed moves on: two calls sample differently.
    first, second = (model.generate(PROMPTS, sampler="top_k") for _ in range(2))
    assert not np.array_equal(first, second)


def test_a_sampler_changed_after_use_compiles_anew():
    model = _model()
    sampler = BeamSampler(num_beams=2)
    function = model.make_generate_function(sampler)
    assert model.make_generate_function(sampler) is function
    sampler.num_beams = 3
    assert model.make_generate_function(sampler) is not function


@pytest.mark.parametrize("backbone", ("transformer", "gru"))
@pytest.mark.parametrize("sampler", ("greedy", "beam", "top_k"))
def test_compiled_and_eager_give_the_same_tokens(backbone, sampler):
    model = _model(backbone)
    if sampler == "top_k" and keras.backend.backend() == "tensorflow":
        # Under XLA (generate's default on TensorFlow) a seed draws other
        # numbers than TensorFlow's own kernels: compare tf.function alone.
        model.compile(jit_compile=False)

    def generate():
        chosen = sampler
        if sampler == "top_k":
            chosen = TopKSampler(k=3, seed=5)
        elif sampler == "beam":
            chosen = BeamSampler(num_beams=3)
        return model.generate(PROMPTS, max_length=8, sampler=chosen)

    compiled = generate()
    model.run_eagerly = True
    eager = generate()
    assert not model.make_generate_function().compiled
    np.testing.assert_array_equal(compiled, eager)


def test_generation_reads_weights_changed_after_compiling():
    model = _model()
    model.generate(PROMPTS, max_length=8)
    head = model.decoder_stack.head
    bias = np.zeros(head.bias.shape, "float32")
    bias[11] = 1e4
    head.bias.assign(bias)
    generated = model.generate(PROMPTS, max_length=8)
    assert np.all(generated[0, 3:] == 11) and np.all(generated[1, 1:] == 11)
    assert model.make_generate_function().traces == (1 if COMPILED else 2)


def test_encoder_decoder_compiles_once():
    keras.utils.set_random_seed(0)
    model = Seq2SeqRNN(15, 20, max_length=6, cell="gru", num_layers=1, hidden_dim=8)
    sources = np.array([[4, 9, 2], [7, 0, 0]], "int32")
    first = model.generate(sources, start_token_id=1)
    again = model.generate(sources[::-1], start_token_id=1)
    np.testing.assert_array_equal(again, first[::-1])
    assert model.make_generate_function().traces == (1 if COMPILED else 2)


SOURCES = np.array([[4, 9, 2], [7, 0, 0]], "int32")
IMAGES = np.random.default_rng(0).uniform(size=(2, 8, 8, 3))
GENERATIVE_MODELS = {
    "causal_lm": (lambda: _model("gru"), PROMPTS, {}),
    "seq2seq_transformer": (
        lambda: Seq2SeqTransformer(15, 20, 6, **SIZES),
        SOURCES,
        {"start_token_id": 1},
    ),
    "seq2seq_rnn": (
        lambda: Seq2SeqRNN(15, 20, 6, num_layers=1, hidden_dim=8),
        SOURCES,
        {"start_token_id": 1},
    ),
    "image_captioner": (
        lambda: ImageCaptioner((8, 8, 3), 4, 20, 6, **SIZES),
        IMAGES,
        {"start_token_id": 1},
    ),
}


@pytest.mark.parametrize("name", sorted(GENERATIVE_MODELS))
def test_generation_records_no_gradients(name, monkeypatch):
    # Under PyTorch a decode that records gradients keeps every step alive.
    # TensorFlow and JAX record nothing outside a tape or `jax.grad`.
    build, inputs, kwargs = GENERATIVE_MODELS[name]
    model = build()
    recorded = []

    def recording(function):
        def wrapper(*args, **kwargs):
            if keras.backend.backend() == "torch":
                import torch

                recorded.append(torch.is_grad_enabled())
            return function(*args, **kwargs)

        return wrapper

    stack = model.decoder_stack
    monkeypatch.setattr(stack, "call_with_cache", recording(stack.call_with_cache))
    if model.encoder_decoder:
        monkeypatch.setattr(model, "_encode", recording(model._encode))
    for sampler in ("greedy", "beam"):
        model.generate(inputs, sampler=sampler, **kwargs)
    assert not any(recorded)
    if keras.backend.backend() == "torch":
        assert len(recorded) > 1
