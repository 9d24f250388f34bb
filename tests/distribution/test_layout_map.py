"""The Megatron layout map against the real weight paths of every application.

Which kernels must be split is found here from the layers themselves
(their types and attributes), not from the paths: a renamed layer then
leaves a kernel unmatched and fails, instead of training replicated.
Runs on every backend (a layout map needs no devices).
"""

import keras
import pytest

from keras_seq import applications
from keras_seq import distribution
from keras_seq.layers import MultiHeadSelfAttention
from keras_seq.layers import TokenAndPositionEmbedding
from keras_seq.layers.transformer_block import TransformerBlock
from tests import application_cases
from tests.tiers import spread_over_backends


def expected_layouts(model):
    """`{variable path: axes}` of the kernels the Megatron layout splits."""
    expected = {}
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, MultiHeadSelfAttention):
            for projection in (layer.query_dense, layer.key_dense, layer.value_dense):
                expected[projection.kernel.path] = (None, "model", None)
            expected[layer.output_dense.kernel.path] = ("model", None, None)
        elif isinstance(layer, TransformerBlock):
            expected[layer.intermediate_dense.kernel.path] = (None, "model")
            expected[layer.output_dense.kernel.path] = ("model", None)
        elif isinstance(layer, TokenAndPositionEmbedding):
            expected[layer.token_embedding.embeddings.path] = (None, "model")
    # The plain Embedding of a recurrent model, not one inside a
    # TokenAndPositionEmbedding (token types and positions stay whole).
    inner = {
        id(sublayer)
        for layer in model._flatten_layers(include_self=False, recursive=True)
        if isinstance(layer, TokenAndPositionEmbedding)
        for sublayer in layer._flatten_layers(include_self=False, recursive=True)
    }
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.Embedding) and id(layer) not in inner:
            expected[layer.embeddings.path] = (None, "model")
    return expected


def mesh():
    return keras.distribution.DeviceMesh((1, 1), ("batch", "model"), ["cpu:0"])


# Each case in the default run of one backend (the paths are the same on all).
@pytest.mark.parametrize("name", spread_over_backends(list(application_cases.CASES)))
def test_every_split_kernel_is_matched_and_nothing_else(name):
    model = application_cases.build(name)
    layouts = distribution.layout_map(model, mesh())
    expected = expected_layouts(model)
    # Only a recurrent model of numeric series has nothing to split.
    assert expected or name == "rnn_classifier_series"
    actual = {}
    for variable in model.weights:
        layout = layouts[variable.path]
        if layout is not None:
            actual[variable.path] = tuple(layout.axes)
            assert len(layout.axes) == len(variable.shape), variable.path
    assert actual == expected


def test_every_application_is_covered_by_a_case():
    builders = {builder for builder, _, _ in application_cases.CASES.values()}
    listed = {
        getattr(applications, name)
        for name in applications.__all__
        if isinstance(getattr(applications, name), type)
        and issubclass(getattr(applications, name), keras.Model)
    }
    assert listed <= builders


@pytest.mark.parametrize(
    "model", ["TextClassifier", "text_classifier", applications.CausalLM]
)
def test_builders_and_their_names_are_accepted(model):
    assert distribution.layout_map(model, mesh())["decoder/layer_3/intermediate/kernel"]


def test_bad_arguments_fail_by_name():
    with pytest.raises(ValueError, match="`model` must be an application.*Dense"):
        distribution.layout_map(keras.layers.Dense, mesh())
    with pytest.raises(ValueError, match="`model` must be an application"):
        distribution.layout_map("text_clasifier", mesh())
    with pytest.raises(ValueError, match="`device_mesh` must be"):
        distribution.layout_map("ViT", (2, 4))
    with pytest.raises(ValueError, match="`model_axis` must be an axis.*'tensor'"):
        distribution.layout_map("ViT", mesh(), model_axis="tensor")
