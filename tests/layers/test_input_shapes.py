"""Inputs and masks of the wrong shape fail early with a ValueError.

The error names the argument, the shape received and the shape expected,
at build time (or when the call is traced), never deep inside a backend
kernel as an IndexError or a shape error of the backend.
"""

import keras
import numpy as np
import pytest

from keras_seq.layers import ClassToken
from keras_seq.layers import MultiHeadSelfAttention
from keras_seq.layers import PatchEmbedding
from keras_seq.layers import PositionalEmbedding
from keras_seq.layers import TokenAndPositionEmbedding
from keras_seq.layers import TransformerDecoder
from keras_seq.layers import TransformerEncoder
from keras_seq.layers import TubeletEmbedding

B, T, S, D = 2, 5, 4, 8


def _normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


# (layer factory, inputs of the wrong rank, call kwargs, argument named).
BAD_INPUTS = {
    "positional_rank_2": (lambda: PositionalEmbedding(8), _normal(B, T), {}, "inputs"),
    "token_ids_rank_3": (
        lambda: TokenAndPositionEmbedding(10, 8, 4),
        np.ones((B, T, 1), "int32"),
        {},
        "inputs",
    ),
    "token_ids_rank_1": (
        lambda: TokenAndPositionEmbedding(10, 8, 4),
        np.ones((T,), "int32"),
        {},
        "inputs",
    ),
    "attention_rank_2": (
        lambda: MultiHeadSelfAttention(2),
        _normal(B, T),
        {},
        "inputs",
    ),
    "attention_rank_4": (
        lambda: MultiHeadSelfAttention(2),
        _normal(B, T, 2, D),
        {},
        "inputs",
    ),
    "attention_context_rank_2": (
        lambda: MultiHeadSelfAttention(2),
        _normal(B, T, D),
        {"context": _normal(B, S)},
        "context",
    ),
    "encoder_rank_2": (lambda: TransformerEncoder(2, 8), _normal(B, 10), {}, "inputs"),
    "decoder_rank_2": (lambda: TransformerDecoder(2, 8), _normal(B, 10), {}, "inputs"),
    "decoder_encoder_outputs_rank_2": (
        lambda: TransformerDecoder(2, 8),
        _normal(B, T, D),
        {"encoder_outputs": _normal(B, S)},
        "encoder_outputs",
    ),
    "patches_rank_3": (lambda: PatchEmbedding(2, 4), _normal(B, 8, 8), {}, "inputs"),
    "tubelets_rank_4": (
        lambda: TubeletEmbedding(2, 4),
        _normal(B, 4, 8, 8),
        {},
        "inputs",
    ),
    "class_token_rank_2": (lambda: ClassToken(), _normal(B, D), {}, "inputs"),
    "class_token_rank_4": (lambda: ClassToken(), _normal(B, T, 2, D), {}, "inputs"),
}


def _expect_shape_error(argument, shape):
    """A ValueError naming `argument` and the shape it received."""
    received = f"{argument}.shape={tuple(shape)}".replace("(", r"\(").replace(
        ")", r"\)"
    )
    return pytest.raises(ValueError, match=rf"`{argument}`(.|\n)*{received}")


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_wrong_rank_fails_early_eagerly(case):
    make, inputs, kwargs, argument = BAD_INPUTS[case]
    bad_shape = kwargs[argument].shape if argument in kwargs else inputs.shape
    with _expect_shape_error(argument, bad_shape):
        make()(inputs, **kwargs)


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_wrong_rank_fails_early_symbolically(case):
    make, inputs, kwargs, argument = BAD_INPUTS[case]
    symbolic = keras.Input(batch_shape=inputs.shape, dtype=str(inputs.dtype))
    symbolic_kwargs = {
        name: keras.Input(batch_shape=value.shape) for name, value in kwargs.items()
    }
    bad = symbolic_kwargs[argument] if argument in kwargs else symbolic
    with _expect_shape_error(argument, bad.shape):
        make()(symbolic, **symbolic_kwargs)


def test_error_says_what_shape_is_expected():
    with pytest.raises(ValueError, match=r"\(batch, time, dim\)"):
        TransformerEncoder(num_heads=2, intermediate_dim=8)(np.zeros((2, 10)))
    with pytest.raises(ValueError, match=r"\(batch, time\)"):
        TokenAndPositionEmbedding(10, 8, 4)(np.ones((B, T, 1), "int32"))


def test_unknown_feature_size_fails_early():
    with pytest.raises(ValueError, match="inputs"):
        MultiHeadSelfAttention(2)(keras.Input((T, None)))


@pytest.mark.parametrize(
    "make, kwargs, argument",
    [
        (
            lambda: MultiHeadSelfAttention(2),
            {"context": _normal(B, S, 6)},
            "context",
        ),
        (
            lambda: TransformerDecoder(2, 8),
            {"encoder_outputs": _normal(B, S, 6)},
            "encoder_outputs",
        ),
        (lambda: TransformerEncoder(2, 8), {}, "inputs"),
        (lambda: PositionalEmbedding(8), {}, "inputs"),
        (lambda: ClassToken(), {}, "inputs"),
    ],
)
def test_feature_size_must_stay_the_one_built_with(make, kwargs, argument):
    layer = make()
    base = {name: value[..., :5] for name, value in kwargs.items()}
    layer(_normal(B, T, D), **base)
    if argument == "inputs":
        with pytest.raises(ValueError, match=r"`inputs`(.|\n)*\(2, 5, 6\)"):
            layer(_normal(B, T, 6))
    else:
        with pytest.raises(ValueError, match=rf"`{argument}`(.|\n)*\(2, 4, 6\)"):
            layer(_normal(B, T, D), **kwargs)


def test_patch_size_must_stay_the_one_built_with():
    layer = PatchEmbedding(2, 4)
    layer(_normal(B, 8, 8, 3))
    with pytest.raises(ValueError, match="inputs"):
        layer(_normal(B, 4, 4, 3))


# --- Masks ------------------------------------------------------------------


def _lengths_mask(lengths, time):
    return np.arange(time)[None, :] < np.asarray(lengths)[:, None]


MASK_LAYERS = {
    "attention": lambda: MultiHeadSelfAttention(2),
    "causal_attention": lambda: MultiHeadSelfAttention(2, causal=True),
    "encoder": lambda: TransformerEncoder(2, 8),
    "decoder": lambda: TransformerDecoder(2, 8),
}


@pytest.mark.parametrize("layer", sorted(MASK_LAYERS))
@pytest.mark.parametrize(
    "mask_shape",
    [(B, T), (T, T + 1), (B, 1, T, T, 1), (B, T, T + 1), (B, 3, T, T), (B + 1, T, T)],
)
def test_attention_mask_of_a_wrong_shape_raises(layer, mask_shape):
    with pytest.raises(ValueError, match="attention_mask"):
        MASK_LAYERS[layer]()(_normal(B, T, D), attention_mask=np.ones(mask_shape, bool))


@pytest.mark.parametrize("layer", sorted(MASK_LAYERS))
def test_attention_mask_may_have_a_head_axis(layer):
    """`(batch, 1 or heads, time, source_time)` masks broadcast over the heads."""
    layer = MASK_LAYERS[layer]()
    x = _normal(B, T, D)
    mask = np.random.default_rng(1).random((B, T, T)) > 0.4
    mask[..., 0] = True
    expected = keras.ops.convert_to_numpy(layer(x, attention_mask=mask))
    for with_heads in (mask[:, None], np.repeat(mask[:, None], 2, axis=1)):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(layer(x, attention_mask=with_heads)),
            expected,
            atol=1e-5,
        )


def test_attention_mask_per_head():
    layer = MultiHeadSelfAttention(2)
    x = _normal(B, T, D)
    per_head = np.ones((B, 2, T, T), bool)
    per_head[:, 1, :, 1:] = False
    _, scores = layer(x, attention_mask=per_head, return_attention_scores=True)
    scores = keras.ops.convert_to_numpy(scores)
    np.testing.assert_allclose(scores[:, 1, :, 0], 1.0, atol=1e-6)
    assert np.all(scores[:, 0, :, 1:] > 0)


def test_cross_attention_mask_shape_uses_the_source_time():
    layer = MultiHeadSelfAttention(2)
    x, context = _normal(B, T, D), _normal(B, S, D)
    layer(x, context=context, attention_mask=np.ones((B, T, S), bool))
    with pytest.raises(ValueError, match="attention_mask"):
        layer(x, context=context, attention_mask=np.ones((B, T, T), bool))


@pytest.mark.parametrize("layer", sorted(MASK_LAYERS) + ["class_token", "positional"])
@pytest.mark.parametrize("mask_shape", [(B,), (B, T, 1), (B, T + 1), (B, T, T)])
def test_padding_mask_of_a_wrong_shape_raises(layer, mask_shape):
    make = {
        **MASK_LAYERS,
        "class_token": ClassToken,
        "positional": lambda: PositionalEmbedding(8),
    }[layer]
    with pytest.raises(ValueError, match="`mask`"):
        make()(_normal(B, T, D), mask=np.ones(mask_shape, bool))


@pytest.mark.parametrize(
    "make, kwargs, argument",
    [
        (
            lambda: MultiHeadSelfAttention(2),
            {"context": _normal(B, S, D), "context_mask": np.ones((B, S, 1), bool)},
            "context_mask",
        ),
        (
            lambda: MultiHeadSelfAttention(2),
            {"context": _normal(B, S, D), "context_mask": np.ones((B, T), bool)},
            "context_mask",
        ),
        (
            lambda: TransformerDecoder(2, 8),
            {"encoder_outputs": _normal(B, S, D), "encoder_mask": np.ones((B,), bool)},
            "encoder_mask",
        ),
        (
            lambda: TransformerDecoder(2, 8),
            {
                "encoder_outputs": _normal(B, S, D),
                "encoder_mask": np.ones((B, T), bool),
            },
            "encoder_mask",
        ),
    ],
)
def test_source_padding_mask_of_a_wrong_shape_raises(make, kwargs, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        make()(_normal(B, T, D), **kwargs)


def test_masks_are_checked_symbolically_too():
    x = keras.Input((T, D))
    with pytest.raises(ValueError, match="attention_mask"):
        TransformerEncoder(2, 8)(
            x, attention_mask=keras.Input((T, T + 1), dtype="bool")
        )
    with pytest.raises(ValueError, match="`mask`"):
        MultiHeadSelfAttention(2)(x, mask=keras.Input((T, 1), dtype="bool"))
    with pytest.raises(ValueError, match="encoder_mask"):
        TransformerDecoder(2, 8)(
            x,
            encoder_outputs=keras.Input((S, D)),
            encoder_mask=keras.Input((S, 1), dtype="bool"),
        )


@pytest.mark.parametrize("start_index", [-1, 2.5, np.ones((2,), "int32")])
def test_bad_start_index_raises(start_index):
    with pytest.raises(ValueError, match="start_index"):
        PositionalEmbedding(8)(_normal(B, T, D), start_index=start_index)
