import keras
import numpy as np
import pytest
from keras import ops

from keras_seq.layers import TransformerDecoderStack
from keras_seq.layers import TransformerEncoderStack
from keras_seq.layers.masking import attached_mask
from tests.layer_checks import check_layer

BATCH, TIME, DIM, VOCABULARY = 3, 6, 8, 20
DECODER_SIZES = {
    "vocabulary_size": VOCABULARY,
    "max_length": TIME,
    "num_layers": 2,
    "num_heads": 2,
    "hidden_dim": DIM,
    "intermediate_dim": 16,
}


def _inputs():
    return np.random.default_rng(0).normal(size=(BATCH, TIME, DIM)).astype("float32")


def _ids():
    ids = np.random.default_rng(0).integers(1, VOCABULARY, size=(BATCH, TIME))
    ids[1, 4:] = 0
    ids[2, 1:] = 0
    return ids.astype("int32")


def _numpy(x):
    return ops.convert_to_numpy(x)


@pytest.mark.parametrize("causal", (False, True))
def test_encoder_stack_layer_contract(causal, tmp_path):
    check_layer(
        TransformerEncoderStack,
        {
            "num_layers": 2,
            "num_heads": 2,
            "intermediate_dim": 16,
            "dropout": 0.1,
            "causal": causal,
        },
        _inputs(),
        expected_output_shape=(BATCH, TIME, DIM),
        input_mask=np.arange(TIME)[None, :] < np.array([[6], [4], [1]]),
        tmp_path=tmp_path,
    )


def test_encoder_stack_positional_arguments_and_defaults():
    # How the classifier applications call it.
    stack = TransformerEncoderStack(3, 2, 16, 0.1, causal=True, name="tagger")
    config = stack.get_config()
    assert (config["num_layers"], config["num_heads"], config["intermediate_dim"]) == (
        3,
        2,
        16,
    )
    assert config["dropout"] == 0.1 and config["causal"] and stack.name == "tagger"
    assert TransformerEncoderStack(1, 2, 16).dropout == 0.0
    assert config["activation"] == "gelu"


def test_encoder_stack_is_causal_when_asked():
    x = _inputs()
    changed = x.copy()
    changed[:, 3:] = np.random.default_rng(1).normal(size=changed[:, 3:].shape)
    stack = TransformerEncoderStack(2, 2, 16, causal=True)
    np.testing.assert_allclose(
        _numpy(stack(x))[:, :3], _numpy(stack(changed))[:, :3], atol=1e-5
    )
    bidirectional = TransformerEncoderStack(2, 2, 16)
    assert not np.allclose(
        _numpy(bidirectional(x))[:, :3], _numpy(bidirectional(changed))[:, :3]
    )


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"num_layers": 0}, "num_layers"),
        ({"num_heads": 0}, "num_heads"),
        ({"intermediate_dim": -1}, "intermediate_dim"),
        ({"dropout": 1.0}, "dropout"),
    ],
)
def test_encoder_stack_rejects_bad_arguments(kwargs, name):
    arguments = {"num_layers": 1, "num_heads": 2, "intermediate_dim": 16, **kwargs}
    with pytest.raises(ValueError, match=f"`{name}"):
        TransformerEncoderStack(**arguments)


def _decoder_model(**kwargs):
    token_ids = keras.Input((None,), dtype="int32")
    stack = TransformerDecoderStack(**DECODER_SIZES, **kwargs)
    return keras.Model(token_ids, stack(token_ids)), stack


def test_decoder_stack_config_save_and_mask(tmp_path):
    model, stack = _decoder_model(dropout=0.1)
    ids = _ids()
    logits = stack(ids)
    assert tuple(logits.shape) == (BATCH, TIME, VOCABULARY)
    assert keras.backend.standardize_dtype(logits.dtype) == "float32"
    np.testing.assert_array_equal(_numpy(attached_mask(logits)), ids != 0)
    assert stack.compute_output_shape((None, 4)) == (None, 4, VOCABULARY)

    config = stack.get_config()
    clone = TransformerDecoderStack.from_config(config)
    assert clone.get_config() == config
    clone(ids)
    clone.set_weights(stack.get_weights())
    np.testing.assert_allclose(_numpy(clone(ids)), _numpy(logits), atol=1e-6)

    path = tmp_path / "decoder.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    restored = loaded.predict(ids, verbose=0)
    np.testing.assert_allclose(restored, _numpy(logits), atol=1e-5)


def test_two_decoder_stacks_in_one_model():
    # Sublayer names are the stack's own: two stacks never collide.
    token_ids = keras.Input((None,), dtype="int32")
    first = TransformerDecoderStack(**DECODER_SIZES)(token_ids)
    second = TransformerDecoderStack(**DECODER_SIZES)(token_ids)
    model = keras.Model(token_ids, [first, second])
    paths = [weight.path for weight in model.weights]
    assert len(paths) == len(set(paths))


def test_cached_decoding_equals_the_full_pass():
    _, stack = _decoder_model()
    ids = _ids()[:1]
    full = _numpy(stack(ids))
    cache = stack.init_cache(1, TIME)
    cache = stack.prefill(ids[:, :3], ops.convert_to_tensor(2), cache)
    for index in range(2, TIME):
        logits, cache = stack.call_with_cache(ids[:, index : index + 1], cache, index)
        np.testing.assert_allclose(_numpy(logits)[0], full[0, index], atol=1e-5)


@pytest.mark.parametrize("policy", ("mixed_float16", "mixed_bfloat16"))
def test_decoder_stack_mixed_precision(policy):
    model, stack = _decoder_model(dtype=policy)
    logits = stack(_ids())
    # The logits leave in float32; everything inside computes in half.
    assert keras.backend.standardize_dtype(logits.dtype) == "float32"
    assert np.all(np.isfinite(_numpy(logits)))
    for layer in stack._flatten_layers(include_self=True):
        assert layer.dtype_policy.name == policy, layer.name
    assert all(w.dtype == "float32" for w in stack.weights)
    assert keras.backend.standardize_dtype(model.outputs[0].dtype) == "float32"


def _old_encoder_scores(stack, x, mask):
    """Each layer's scores as `keras-seq attention` computed them layer by layer."""
    scores = []
    for layer in stack.transformer_layers:
        x, layer_scores = layer(x, mask=mask, return_attention_scores=True)
        scores.append(_numpy(layer_scores))
    return scores


def _old_decoder_scores(stack, x, mask):
    """Each causal layer's scores through its self-attention sublayer."""
    scores = []
    for layer in stack.transformer_layers:
        attended = layer.self_attention_norm(x) if layer.norm_first else x
        _, layer_scores = layer.self_attention(
            attended, mask=mask, return_attention_scores=True
        )
        scores.append(_numpy(layer_scores))
        x = layer(x, mask=mask)
    return scores


def _check_causal(scores, mask):
    for layer in scores:
        assert layer.shape == (BATCH, 2, TIME, TIME)
        upper = np.triu(np.ones((TIME, TIME), bool), k=1)
        assert np.all(layer[..., upper] == 0)
        # Every real query's row sums to 1 and gives padded keys nothing.
        queries = np.broadcast_to(mask[:, None, :], layer.shape[:3])
        np.testing.assert_allclose(layer.sum(-1)[queries], 1, atol=1e-5)
        padded_keys = mask[:, None, :, None] & ~mask[:, None, None, :]
        assert np.all(layer[np.broadcast_to(padded_keys, layer.shape)] == 0)


@pytest.mark.parametrize("causal", (False, True))
@pytest.mark.parametrize("norm_first", (True, False))
def test_encoder_stack_returns_every_layers_attention_scores(causal, norm_first):
    stack = TransformerEncoderStack(2, 2, 16, causal=causal, norm_first=norm_first)
    x, mask = _inputs(), _ids() != 0
    plain = _numpy(stack(x, mask=mask))
    outputs, scores = stack(x, mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(_numpy(outputs), plain, atol=1e-6)
    assert isinstance(scores, tuple) and len(scores) == 2
    scores = [_numpy(layer) for layer in scores]
    old = (_old_decoder_scores if causal else _old_encoder_scores)(stack, x, mask)
    for got, expected in zip(scores, old):
        assert got.shape == (BATCH, 2, TIME, TIME)
        np.testing.assert_allclose(got, expected, atol=1e-5)
    if causal:
        _check_causal(scores, mask)


def test_decoder_stack_returns_causal_attention_scores():
    stack = TransformerDecoderStack(**DECODER_SIZES)
    ids = _ids()
    plain = _numpy(stack(ids))
    logits, scores = stack(ids, return_attention_scores=True)
    np.testing.assert_allclose(_numpy(logits), plain, atol=1e-5)
    scores = [_numpy(layer) for layer in scores]
    old = _old_decoder_scores(stack, stack.embedding(ids), ids != 0)
    assert len(scores) == DECODER_SIZES["num_layers"]
    for got, expected in zip(scores, old):
        np.testing.assert_allclose(got, expected, atol=1e-5)
    _check_causal(scores, ids != 0)


def test_attention_scores_of_the_stacks_in_a_functional_model():
    ids = keras.Input((TIME,), dtype="int32")
    decoder = TransformerDecoderStack(**DECODER_SIZES)
    logits, decoder_scores = decoder(ids, return_attention_scores=True)
    hidden = keras.Input((TIME, DIM))
    _, encoder_scores = TransformerEncoderStack(2, 2, 16)(
        hidden, return_attention_scores=True
    )
    assert tuple(logits.shape) == (None, TIME, VOCABULARY)
    for scores in (decoder_scores, encoder_scores):
        assert [tuple(layer.shape) for layer in scores] == [(None, 2, TIME, TIME)] * 2
    model = keras.Model([ids, hidden], [*decoder_scores, *encoder_scores])
    outputs = model.predict([_ids(), _inputs()], verbose=0)
    assert [output.shape for output in outputs] == [(BATCH, 2, TIME, TIME)] * 4


def test_decoder_layer_returns_scores_with_a_cache():
    stack = TransformerDecoderStack(**DECODER_SIZES)
    ids = _ids()[:1]
    stack(ids)
    layer = stack.transformer_layers[0]
    cache = layer.init_cache(1, TIME)
    x = stack.embedding(ids[:, :3])
    outputs, cache, scores = layer(
        x, cache=cache, cache_index=0, return_attention_scores=True
    )
    assert tuple(outputs.shape) == (1, 3, DIM)
    assert tuple(scores.shape) == (1, 2, 3, TIME)
    full, full_scores = layer(stack.embedding(ids), return_attention_scores=True)
    np.testing.assert_allclose(
        _numpy(scores)[..., :3], _numpy(full_scores)[:, :, :3, :3], atol=1e-5
    )
