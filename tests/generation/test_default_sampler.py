"""Each generative task's own default sampler, and early errors of `generate`.

A language model decoded greedily soon repeats itself (`generate("To be")`
gave "To be the the the ..."): `CausalLM` samples by default (top-k with a
temperature, as KerasHub's causal LMs), while translation and captions stay
greedy. `generate(sampler=None)` and a `compile()` without a sampler mean
that default.
"""

import keras
import numpy as np
import pytest
from keras_hub.samplers import GreedySampler
from keras_hub.samplers import TopKSampler

from keras_seq.applications import CausalLM
from keras_seq.applications import ImageCaptioner
from keras_seq.applications import Seq2SeqRNN
from keras_seq.applications import Seq2SeqTransformer
from keras_seq.generation import SAMPLER_SETTINGS
from keras_seq.generation import get_sampler

PROMPTS = np.array([[3, 7, 4], [5, 0, 0]], "int32")
SIZES = {"num_layers": 1, "hidden_dim": 16}


def _lm(vocabulary_size=20):
    keras.utils.set_random_seed(0)
    return CausalLM(vocabulary_size, 12, intermediate_dim=16, **SIZES)


def test_language_models_sample_and_the_others_are_greedy():
    assert CausalLM.default_sampler == "top_k"
    for builder in (Seq2SeqTransformer, Seq2SeqRNN, ImageCaptioner):
        assert builder.default_sampler == "greedy"
    sampler = get_sampler(CausalLM.default_sampler)
    assert isinstance(sampler, TopKSampler)
    assert sampler.temperature == SAMPLER_SETTINGS["top_k"]["temperature"] < 1.0


def test_generate_without_a_sampler_samples_for_a_language_model():
    model = _lm()
    assert model.sampler == "top_k"
    assert model.make_generate_function() is model.make_generate_function("top_k")
    first, second = (model.generate(PROMPTS, max_length=12) for _ in range(2))
    assert not np.array_equal(first, second)  # the seed moves on
    greedy = model.generate(PROMPTS, max_length=12, sampler="greedy")
    np.testing.assert_array_equal(
        model.generate(PROMPTS, max_length=12, sampler="greedy"), greedy
    )


def test_compile_chooses_the_sampler_and_none_means_the_default():
    model = _lm()
    greedy = model.generate(PROMPTS, max_length=12, sampler="greedy")
    model.compile(sampler="greedy")
    assert model.sampler == "greedy"
    np.testing.assert_array_equal(model.generate(PROMPTS, max_length=12), greedy)
    np.testing.assert_array_equal(
        model.generate(PROMPTS, max_length=12, sampler=None), greedy
    )
    instance = GreedySampler()
    model.compile(sampler=instance)
    assert model.sampler is instance
    model.compile()
    assert model.sampler == "top_k"
    with pytest.raises(ValueError, match="`sampler`"):
        model.compile(sampler="nucleus")


def test_translators_stay_greedy_by_default():
    keras.utils.set_random_seed(0)
    model = Seq2SeqRNN(20, 20, max_length=8, cell="gru", **SIZES)
    sources = np.array([[3, 4, 5], [6, 7, 0]], "int32")
    default = model.generate(sources, start_token_id=1)
    greedy = model.generate(sources, start_token_id=1, sampler="greedy")
    np.testing.assert_array_equal(default, greedy)


def test_named_top_k_fits_a_small_vocabulary():
    model = _lm(vocabulary_size=3)  # ids 1 and 2, and padding
    ids = model.generate(np.array([[1, 2]]), max_length=6)
    assert ids.shape == (1, 6) and np.all((ids >= 1) & (ids <= 2))


def test_top_k_past_the_vocabulary_is_refused_early():
    model = _lm(vocabulary_size=3)
    with pytest.raises(ValueError, match=r"`sampler`.*k=10.*only 3 token ids"):
        model.generate(np.array([[1, 2]]), max_length=6, sampler=TopKSampler(k=10))


def test_ragged_prompts_are_refused_by_name():
    model = _lm()
    with pytest.raises(ValueError, match=r"`prompt_ids`.*lengths \[3, 1\]"):
        model.generate([[3, 7, 4], [5]], max_length=8)
    keras.utils.set_random_seed(0)
    translator = Seq2SeqRNN(20, 20, max_length=8, cell="gru", **SIZES)
    with pytest.raises(ValueError, match=r"`source_ids`.*lengths \[2, 1\]"):
        translator.generate([[3, 4], [5]], start_token_id=1)
