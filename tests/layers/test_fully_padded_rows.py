"""A row with nothing to attend to (all padding) is harmless.

A query with no attendable key attends to nothing: its attention heads are
zero, so the attention outputs the output projection's bias there. The row
stays finite on every path (fused kernel and explicit scores), and neither
its outputs nor its gradients reach the other rows of the batch.
"""

import keras
import numpy as np
import pytest
from keras import ops

from keras_seq.layers import MultiHeadSelfAttention
from keras_seq.layers import TransformerDecoder
from keras_seq.layers import TransformerEncoder
from tests.layer_checks import trainable_gradients

B, T, S, D, HEADS = 3, 5, 4, 8, 2


def _normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _lengths_mask(lengths, time=T):
    return np.arange(time)[None, :] < np.asarray(lengths)[:, None]


# Row 0 is all padding; row 1 is left-padded (with a causal mask its first
# queries see no real key either); row 2 is full.
MASK = np.array([[False] * T, [False, False, True, True, True], [True] * T], dtype=bool)
SOURCE_MASK = _lengths_mask([0, 2, S], time=S)


def _kwargs(scores, rows, source):
    kwargs = {"mask": MASK[rows]}
    if scores:
        kwargs["return_attention_scores"] = True
    if source is not None:
        kwargs.update(encoder_outputs=source[rows], encoder_mask=SOURCE_MASK[rows])
    return kwargs


def _call(layer, x, scores, rows=slice(None), source=None):
    """Calls `layer` on `rows` of the batch; returns its outputs only."""
    outputs = layer(x[rows], **_kwargs(scores, rows, source))
    return outputs[0] if scores else outputs


LAYERS = {
    "attention": (lambda: MultiHeadSelfAttention(HEADS), (False, True)),
    "causal_attention": (
        lambda: MultiHeadSelfAttention(HEADS, causal=True),
        (False, True),
    ),
    "encoder": (lambda: TransformerEncoder(HEADS, 16), (False, True)),
    "pre_norm_encoder": (
        lambda: TransformerEncoder(HEADS, 16, norm_first=True),
        (False, True),
    ),
    "decoder": (lambda: TransformerDecoder(HEADS, 16), (False,)),
    "cross_decoder": (lambda: TransformerDecoder(HEADS, 16), (False,)),
}
CASES = [(name, scores) for name, (_, paths) in LAYERS.items() for scores in paths]


def _setup(name):
    layer = LAYERS[name][0]()
    source = _normal(B, S, D, seed=1) if name == "cross_decoder" else None
    return layer, _normal(B, T, D), source


@pytest.mark.parametrize("name, scores", CASES)
def test_outputs_are_finite(name, scores):
    layer, x, source = _setup(name)
    outputs = ops.convert_to_numpy(_call(layer, x, scores, source=source))
    assert np.isfinite(outputs).all()


@pytest.mark.parametrize("name, scores", CASES)
def test_other_rows_are_unchanged_by_the_padded_row(name, scores):
    layer, x, source = _setup(name)
    with_row = ops.convert_to_numpy(_call(layer, x, scores, source=source))
    without = ops.convert_to_numpy(_call(layer, x, scores, slice(1, None), source))
    np.testing.assert_allclose(with_row[1:], without, atol=1e-6)


@pytest.mark.parametrize("name, scores", CASES)
def test_gradients_of_other_rows_ignore_the_padded_row(name, scores):
    """Gradients of a loss on rows 1: are the same with row 0 in the batch or not."""
    layer, x, source = _setup(name)
    _call(layer, x, scores, source=source)
    weights = _normal(B, T, D, seed=5)

    def gradients(rows):
        def loss(outputs):
            outputs = outputs[0] if scores else outputs
            # Real steps of the rows after the first only.
            real = ops.convert_to_tensor(MASK[rows][..., None].astype("float32"))
            kept = outputs[-2:] * real[-2:] * ops.convert_to_tensor(weights[-2:])
            return ops.sum(kept)

        return trainable_gradients(
            layer, loss, x[rows], **_kwargs(scores, rows, source)
        )

    with_row, without = gradients(slice(None)), gradients(slice(1, None))
    for got, expected, weight in zip(with_row, without, layer.trainable_weights):
        assert np.isfinite(got).all(), weight.path
        # Relative too: the batch size changes the order of float sums, which
        # moves float32 gradients by about 1e-6 (a leak of the padded row
        # would move them by its whole contribution).
        np.testing.assert_allclose(
            got, expected, rtol=1e-5, atol=1e-5, err_msg=weight.path
        )


@pytest.mark.parametrize("scores", [False, True])
@pytest.mark.parametrize("causal", [False, True])
def test_query_with_no_key_attends_to_nothing(causal, scores):
    """Its heads are zero: the attention outputs the output bias there."""
    layer = MultiHeadSelfAttention(HEADS, causal=causal, bias_initializer="ones")
    x = _normal(B, T, D)
    outputs = layer(x, mask=MASK, return_attention_scores=scores)
    if scores:
        outputs, probabilities = outputs
    outputs = ops.convert_to_numpy(outputs)
    starved = np.zeros((B, T), bool)
    starved[0] = True
    if causal:
        starved[1, :2] = True
    bias = ops.convert_to_numpy(layer.output_dense.bias)
    np.testing.assert_allclose(
        outputs[starved], np.broadcast_to(bias, outputs[starved].shape), atol=1e-6
    )
    assert not np.allclose(outputs[~starved], bias, atol=1e-3)
    if scores:
        # (batch, heads, time, source) -> (batch, time, heads, source)
        probabilities = ops.convert_to_numpy(probabilities).transpose(0, 2, 1, 3)
        np.testing.assert_allclose(probabilities[starved], 0.0)
        np.testing.assert_allclose(probabilities[~starved].sum(-1), 1.0, atol=1e-5)


def test_fully_masked_explicit_attention_mask_row_attends_to_nothing():
    layer = MultiHeadSelfAttention(HEADS)
    x = _normal(B, T, D)
    attention_mask = np.ones((B, T, T), bool)
    attention_mask[1, 2] = False  # query 2 of row 1 may see no key
    fused = ops.convert_to_numpy(layer(x, attention_mask=attention_mask))
    explicit, scores = layer(
        x, attention_mask=attention_mask, return_attention_scores=True
    )
    np.testing.assert_allclose(fused, ops.convert_to_numpy(explicit), atol=1e-5)
    np.testing.assert_allclose(fused[1, 2], 0.0, atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(scores)[1, :, 2], 0.0)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_padded_row_is_finite(policy):
    layer = TransformerEncoder(HEADS, 16, dtype=policy)
    for scores in (False, True):
        outputs = _call(layer, _normal(B, T, D), scores)
        assert np.isfinite(ops.convert_to_numpy(ops.cast(outputs, "float32"))).all()


def test_training_with_a_padded_row_keeps_weights_finite():
    inputs = keras.Input((T, D))
    mask = keras.Input((T,), dtype="bool")
    outputs = TransformerEncoder(HEADS, 16, dropout=0.1)(inputs, mask=mask)
    model = keras.Model([inputs, mask], outputs)
    model.compile(optimizer="adam", loss="mse")
    model.fit([_normal(B, T, D), MASK], _normal(B, T, D, seed=2), epochs=2, verbose=0)
    assert all(np.isfinite(ops.convert_to_numpy(w)).all() for w in model.weights)
