"""`keras_seq.serving.attention`: the maps of `keras-seq attention` and the page."""

import numpy as np
import pytest

from keras_seq.serving.attention import attention_maps


@pytest.fixture(scope="module")
def presets():
    from keras_seq.applications import CausalLM
    from keras_seq.applications import TextClassifier
    from keras_seq.applications import ViT

    return {
        "text": TextClassifier.from_preset("rotten_tomatoes"),
        "causal": CausalLM.from_preset("hamlet_char_lm"),
        "vit": ViT.from_preset("mnist_vit"),
    }


def test_text_maps_are_tokens_by_tokens_rows_of_probabilities(presets):
    maps, tokens = attention_maps(presets["text"], "a gripping film")
    for layer in maps:
        assert layer.dtype == np.float32
        assert layer.shape == (layer.shape[0], len(tokens), len(tokens))
        np.testing.assert_allclose(layer.sum(-1), 1, atol=1e-5)


def test_causal_maps_are_lower_triangular(presets):
    maps, tokens = attention_maps(presets["causal"], "HAMLET: to be")
    assert "".join(tokens[1:]) == "HAMLET:\u2423to\u2423be"
    upper = np.triu(np.ones((len(tokens), len(tokens)), bool), k=1)
    for layer in maps:
        assert np.all(layer[:, upper] == 0)
        np.testing.assert_allclose(layer.sum(-1), 1, atol=1e-5)


def test_vit_maps_are_on_the_patch_grid(presets):
    from keras_seq.datasets import mnist

    image = mnist.load_data("test")[0][0]
    maps, tokens = attention_maps(presets["vit"], image)
    assert tokens is None
    assert [layer.shape[1:] for layer in maps] == [(4, 4)] * len(maps)


def test_a_model_without_attention_is_refused(presets):
    from keras_seq.applications import RNNClassifier

    with pytest.raises(ValueError, match="must be one of"):
        attention_maps(RNNClassifier(classes=2, input_shape=(None, 3)), "x")
