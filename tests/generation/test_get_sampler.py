import pytest
from keras_hub import samplers

from keras_seq.generation import SAMPLERS
from keras_seq.generation import get_sampler


@pytest.mark.parametrize(
    "name, sampler_class",
    [
        ("greedy", samplers.GreedySampler),
        ("top_k", samplers.TopKSampler),
        ("top_p", samplers.TopPSampler),
        ("beam", samplers.BeamSampler),
    ],
)
def test_names_give_keras_hub_samplers(name, sampler_class):
    assert type(get_sampler(name)) is sampler_class


def test_defaults():
    assert get_sampler("top_k").k == 5
    assert get_sampler("top_p").p == 0.9
    assert get_sampler("beam").num_beams == 5


def test_each_name_gives_a_fresh_sampler():
    # Random samplers carry seed state: two models must not share it.
    assert get_sampler("top_k") is not get_sampler("top_k")


def test_an_instance_passes_through():
    sampler = samplers.TopPSampler(p=0.5, seed=3)
    assert get_sampler(sampler) is sampler


@pytest.mark.parametrize(
    "sampler", ["nucleus", "Greedy", "", None, 3, samplers.BeamSampler]
)
def test_anything_else_is_rejected(sampler):
    with pytest.raises(ValueError, match="`sampler`") as error:
        get_sampler(sampler)
    for name in SAMPLERS:
        assert name in str(error.value)
