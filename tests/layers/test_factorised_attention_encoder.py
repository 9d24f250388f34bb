import numpy as np
import pytest
from keras import ops

from keras_seq.layers import FactorisedAttentionEncoder
from keras_seq.layers import MultiHeadSelfAttention
from keras_seq.layers import TransformerEncoder
from keras_seq.layers.factorised_attention_encoder import attend_over_space
from keras_seq.layers.factorised_attention_encoder import attend_over_time
from tests.layer_checks import check_layer
from tests.numpy_reference import layer_norm
from tests.numpy_reference import softmax

BATCH, TIME, SPACE, DIM = 2, 3, 4, 8
FACTORISATIONS = ("self_attention", "dot_product")


def _tokens(time=TIME, seed=0):
    shape = (BATCH, time, SPACE, DIM)
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _numpy(variable):
    return ops.convert_to_numpy(variable).astype("float64")


def _randomise(layer, seed=1):
    """Random weights everywhere (biases and norms too), so each one counts."""
    rng = np.random.default_rng(seed)
    layer.set_weights(
        [
            rng.normal(scale=0.3, size=w.shape) + (w.path.endswith("gamma"))
            for w in layer.weights
        ]
    )


def _masked_attention(attentions, x, allowed):
    """Heads of every layer in `attentions` over all `(batch, n, dim)` tokens.

    Each layer's heads attend where its `(n, n)` `allowed` mask says; the
    heads of all layers are concatenated and projected with their output
    kernels stacked, the biases summed: multi-head attention with per-head
    masks, written from the equations.
    """
    heads, kernels, bias = [], [], 0.0
    for attention, mask in zip(attentions, allowed):
        q, k, v = (
            np.einsum("btd,dnh->btnh", x, _numpy(dense.kernel)) + _numpy(dense.bias)
            for dense in (
                attention.query_dense,
                attention.key_dense,
                attention.value_dense,
            )
        )
        logits = np.einsum("btnh,bsnh->bnts", q, k) / np.sqrt(q.shape[-1])
        probabilities = softmax(np.where(mask, logits, -np.inf))
        heads.append(np.einsum("bnts,bsnh->btnh", probabilities, v))
        kernels.append(_numpy(attention.output_dense.kernel))
        bias = bias + _numpy(attention.output_dense.bias)
    heads, kernel = np.concatenate(heads, axis=2), np.concatenate(kernels, axis=0)
    return np.einsum("btnh,nhd->btd", heads, kernel) + bias


def _reference(layer, x):
    """The layer over the flattened grid, spatial and temporal attention as masks."""
    batch, time, space, dim = x.shape
    frame, position = np.divmod(np.arange(time * space), space)
    same_frame = frame[:, None] == frame[None, :]
    same_position = position[:, None] == position[None, :]

    def residual(x, norm, sublayer):
        if layer.norm_first:
            return x + sublayer(layer_norm(x, norm))
        return layer_norm(x + sublayer(x), norm)

    def feedforward(y):
        hidden = np.maximum(
            y @ _numpy(layer.intermediate_dense.kernel)
            + _numpy(layer.intermediate_dense.bias),
            0,
        )
        return hidden @ _numpy(layer.output_dense.kernel) + _numpy(
            layer.output_dense.bias
        )

    spatial, temporal = layer.self_attention, layer.temporal_attention
    x = x.reshape(batch, time * space, dim)
    if layer.factorisation == "self_attention":
        x = residual(
            x,
            layer.self_attention_norm,
            lambda y: _masked_attention([spatial], y, [same_frame]),
        )
        x = residual(
            x,
            layer.temporal_attention_norm,
            lambda y: _masked_attention([temporal], y, [same_position]),
        )
    else:
        x = residual(
            x,
            layer.self_attention_norm,
            lambda y: _masked_attention(
                [spatial, temporal], y, [same_frame, same_position]
            ),
        )
    x = residual(x, layer.feedforward_norm, feedforward)
    return x.reshape(batch, time, space, dim)


@pytest.mark.parametrize("factorisation", FACTORISATIONS)
def test_layer_contract(factorisation, tmp_path):
    check_layer(
        FactorisedAttentionEncoder,
        {
            "num_heads": 2,
            "intermediate_dim": 16,
            "factorisation": factorisation,
            "norm_first": True,
            "dropout": 0.1,
        },
        _tokens(),
        expected_output_shape=(BATCH, TIME, SPACE, DIM),
        tmp_path=tmp_path,
    )


@pytest.mark.parametrize("norm_first", [True, False])
@pytest.mark.parametrize("factorisation", FACTORISATIONS)
def test_equals_numpy_reference(factorisation, norm_first):
    layer = FactorisedAttentionEncoder(
        4, 16, factorisation=factorisation, norm_first=norm_first
    )
    x = _tokens()
    layer.build(x.shape)
    _randomise(layer)
    actual = ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(
        actual, _reference(layer, x.astype("float64")), atol=1e-4
    )


def test_one_frame_with_zero_temporal_attention_is_a_transformer_encoder():
    # On one frame the temporal attention attends to its own token alone:
    # it is not the identity but the value and output projections of it.
    # With those zero (as `ViViT.from_vit` starts it) the layer is the
    # spatial transformer encoder layer of model 1 on that frame.
    layer = FactorisedAttentionEncoder(2, 16, norm_first=True)
    encoder = TransformerEncoder(2, 16, norm_first=True)
    x = _tokens(time=1)
    layer.build(x.shape)
    encoder.build(x[:, 0].shape)
    _randomise(layer)
    for sublayer in (
        "self_attention",
        "self_attention_norm",
        "intermediate_dense",
        "output_dense",
        "feedforward_norm",
    ):
        getattr(encoder, sublayer).set_weights(getattr(layer, sublayer).get_weights())
    temporal = layer.temporal_attention
    temporal.set_weights([np.zeros(w.shape) for w in temporal.weights])
    np.testing.assert_allclose(
        ops.convert_to_numpy(layer(x))[:, 0],
        ops.convert_to_numpy(encoder(x[:, 0])),
        atol=1e-5,
    )


def test_dot_product_heads_are_model_1_attention_with_head_masks():
    # Model 4's attention is model 1's over all tokens, with the spatial
    # heads masked to their frame and the temporal heads to their position.
    layer = FactorisedAttentionEncoder(4, 16, factorisation="dot_product")
    x = _tokens()
    layer.build(x.shape)
    _randomise(layer)
    spatial, temporal = layer.self_attention, layer.temporal_attention
    full = MultiHeadSelfAttention(4)
    full.build((None, None, DIM))
    stacked = []
    for name in ("query_dense", "key_dense", "value_dense"):
        for part in ("kernel", "bias"):
            halves = [
                _numpy(getattr(getattr(a, name), part)) for a in (spatial, temporal)
            ]
            stacked.append(np.concatenate(halves, axis=-2))
    stacked.append(
        np.concatenate([_numpy(a.output_dense.kernel) for a in (spatial, temporal)])
    )
    stacked.append(
        _numpy(spatial.output_dense.bias) + _numpy(temporal.output_dense.bias)
    )
    full.set_weights(stacked)
    frame, position = np.divmod(np.arange(TIME * SPACE), SPACE)
    heads_mask = np.stack(
        [frame[:, None] == frame] * 2 + [position[:, None] == position] * 2
    )[None]
    expected = full(x.reshape(BATCH, TIME * SPACE, DIM), attention_mask=heads_mask)
    actual = attend_over_space(spatial, x) + attend_over_time(temporal, x)
    np.testing.assert_allclose(
        ops.convert_to_numpy(actual).reshape(BATCH, TIME * SPACE, DIM),
        ops.convert_to_numpy(expected),
        atol=1e-5,
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"factorisation": "joint"},
            "factorisation.*self_attention.*dot_product.*joint",
        ),
        (
            {"factorisation": "dot_product", "num_heads": 3},
            "num_heads.*even.*num_heads=3",
        ),
        ({"num_heads": 0}, "num_heads.*0"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FactorisedAttentionEncoder(**{"num_heads": 2, "intermediate_dim": 8, **kwargs})


@pytest.mark.parametrize(
    "shape, match",
    [
        (
            (BATCH, TIME * SPACE, DIM),
            r"\(batch, time, space, dim\).*inputs.shape=\(2, 12, 8\)",
        ),
        ((BATCH, TIME, SPACE, 6), "num_heads.*divide.*inputs.shape=\\(2, 3, 4, 6\\)"),
    ],
)
def test_bad_shapes(shape, match):
    layer = FactorisedAttentionEncoder(4, 8)
    with pytest.raises(ValueError, match=match):
        layer(np.zeros(shape, "float32"))


def test_call_checks_the_size_built_with():
    layer = FactorisedAttentionEncoder(2, 8)
    layer(_tokens())
    with pytest.raises(ValueError, match="dim=8.*inputs.shape=\\(2, 3, 4, 6\\)"):
        layer(np.zeros((BATCH, TIME, SPACE, 6), "float32"))
