import keras
import numpy as np
import pytest
from keras import ops
from keras.src.backend import set_keras_mask

from keras_seq.layers import MultiHeadSelfAttention
from tests import numpy_reference
from tests.layer_checks import check_layer

BATCH, TIME, DIM, HEADS = 3, 6, 8, 2
PROPERTY_CASES = 50


def _inputs(batch=BATCH, time=TIME, dim=DIM, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, time, dim)).astype("float32")


def _padding_mask(lengths, time=TIME):
    return np.arange(time)[None, :] < np.asarray(lengths)[:, None]


def _numpy(x):
    return ops.convert_to_numpy(x)


def _with_mask(x, mask):
    x = ops.convert_to_tensor(x)
    set_keras_mask(x, ops.convert_to_tensor(mask))
    return x


@pytest.mark.parametrize(
    "init_kwargs",
    [
        {"num_heads": HEADS},
        {"num_heads": HEADS, "causal": True, "key_dim": 3, "value_dim": 5},
        {"num_heads": HEADS, "merge": "sum", "output_dim": 4},
        {"num_heads": HEADS, "merge": "mean", "dropout": 0.2},
    ],
)
def test_layer_contract(init_kwargs, tmp_path):
    expected_dim = init_kwargs.get("output_dim", DIM)
    check_layer(
        MultiHeadSelfAttention,
        init_kwargs,
        _inputs(),
        expected_output_shape=(BATCH, TIME, expected_dim),
        input_mask=_padding_mask([6, 4, 1]),
        tmp_path=tmp_path,
    )


def test_layer_contract_with_context(tmp_path):
    check_layer(
        MultiHeadSelfAttention,
        {"num_heads": HEADS},
        _inputs(),
        tensor_kwargs={"context": _inputs(time=4, dim=5, seed=1)},
        expected_output_shape=(BATCH, TIME, DIM),
        tmp_path=tmp_path,
    )


def _copied_pair(causal, context_dim=DIM):
    ours = MultiHeadSelfAttention(HEADS, key_dim=4, causal=causal)
    reference = keras.layers.MultiHeadAttention(HEADS, key_dim=4)
    x = _inputs()
    context = _inputs(time=5, dim=context_dim, seed=2)
    if context_dim == DIM:
        ours(x)
        reference(x, x)
    else:
        ours(x, context=context)
        reference(x, context)
    for mine, theirs in zip(ours.weights, reference.weights):
        assert tuple(mine.shape) == tuple(theirs.shape), (mine.path, theirs.path)
    ours.set_weights(reference.get_weights())
    return ours, reference


@pytest.mark.parametrize("causal", [False, True])
def test_equals_keras_multi_head_attention(causal):
    ours, reference = _copied_pair(causal)
    x = _inputs()
    lengths = [6, 4, 2]
    mask = _padding_mask(lengths)
    actual = _numpy(ours(_with_mask(x, mask)))
    expected = _numpy(
        reference(_with_mask(x, mask), _with_mask(x, mask), use_causal_mask=causal)
    )
    # Padded query positions are unspecified (they are masked downstream).
    np.testing.assert_allclose(actual[mask], expected[mask], atol=1e-5)


def test_cross_attention_equals_keras_multi_head_attention():
    ours, reference = _copied_pair(causal=False, context_dim=5)
    x, context = _inputs(), _inputs(time=5, dim=5, seed=2)
    context_mask = _padding_mask([5, 3, 1], time=5)
    actual = _numpy(ours(x, context=context, context_mask=context_mask))
    expected = _numpy(reference(x, _with_mask(context, context_mask)))
    np.testing.assert_allclose(actual, expected, atol=1e-5)


def test_projected_context_equals_the_context():
    layer = MultiHeadSelfAttention(num_heads=HEADS)
    x, context = _inputs(), _inputs(time=5, dim=5, seed=2)
    context_mask = _padding_mask([5, 3, 1], time=5)
    expected = _numpy(layer(x, context=context, context_mask=context_mask))
    projected = layer.project_context(context)
    assert tuple(projected.shape) == (BATCH, 2, HEADS, 5, DIM // HEADS)
    actual = layer(x, context_key_value=projected, context_mask=context_mask)
    np.testing.assert_allclose(_numpy(actual), expected, atol=1e-6)
    with pytest.raises(ValueError, match="takes the place of `context`"):
        layer(x, context=context, context_key_value=projected)
    with pytest.raises(ValueError, match="context_key_value"):
        layer(x, context_key_value=projected[:, :1])


@pytest.mark.parametrize("merge", ["concat", "mean"])
def test_equals_numpy_reference(merge):
    layer = MultiHeadSelfAttention(HEADS, merge=merge, causal=True)
    x = _inputs()
    mask = _padding_mask([6, 3, 5])
    actual = _numpy(layer(x, mask=mask))
    if merge == "concat":
        expected = numpy_reference.attention(layer, x, key_mask=mask, causal=True)
        np.testing.assert_allclose(actual, expected, atol=1e-5)
    else:
        # mean merge: heads averaged, then one (value_dim, output_dim) projection.
        concat = MultiHeadSelfAttention(HEADS, causal=True)
        concat(x)
        kernel = np.tile(_numpy(layer.output_dense.kernel)[None] / HEADS, (HEADS, 1, 1))
        weights = layer.get_weights()[:6] + [kernel, layer.get_weights()[7]]
        concat.set_weights(weights)
        np.testing.assert_allclose(actual, _numpy(concat(x, mask=mask)), atol=1e-5)


@pytest.mark.parametrize("causal", [False, True])
def test_fused_path_equals_explicit_scores_path(causal):
    layer = MultiHeadSelfAttention(HEADS, causal=causal)
    x = _inputs()
    mask = _padding_mask([6, 4, 2])
    explicit_mask = np.random.default_rng(3).random((BATCH, TIME, TIME)) > 0.3
    explicit_mask[..., 0] = True
    fused = layer(x, mask=mask, attention_mask=explicit_mask)
    explicit, scores = layer(
        x, mask=mask, attention_mask=explicit_mask, return_attention_scores=True
    )
    np.testing.assert_allclose(_numpy(fused), _numpy(explicit), atol=1e-5)
    scores = _numpy(scores)
    assert scores.shape == (BATCH, HEADS, TIME, TIME)
    np.testing.assert_allclose(scores.sum(-1), 1.0, atol=1e-5)
    allowed = mask[:, None, None, :] & explicit_mask[:, None]
    if causal:
        allowed = allowed & np.tril(np.ones((TIME, TIME), bool))
    assert np.all(scores[~np.broadcast_to(allowed, scores.shape)] < 1e-6)


def test_dropout_only_in_training():
    layer = MultiHeadSelfAttention(HEADS, dropout=0.5)
    x = _inputs()
    inference = _numpy(layer(x))
    np.testing.assert_allclose(_numpy(layer(x, training=False)), inference, atol=1e-6)
    assert not np.allclose(_numpy(layer(x, training=True)), inference, atol=1e-4)


def test_all_padding_row_is_finite():
    layer = MultiHeadSelfAttention(HEADS, causal=True)
    mask = _padding_mask([0, 3, 6])
    for scores in (False, True):
        outputs = layer(_inputs(), mask=mask, return_attention_scores=scores)
        outputs = outputs[0] if scores else outputs
        assert np.all(np.isfinite(_numpy(outputs)))


def _decode_with_cache(layer, x, prefill):
    cache = layer.init_cache(x.shape[0], x.shape[1])
    outputs, cache = layer(x[:, :prefill], cache=cache, cache_index=0)
    steps = [outputs]
    for t in range(prefill, x.shape[1]):
        output, cache = layer(x[:, t : t + 1], cache=cache, cache_index=t)
        steps.append(output)
    return np.concatenate([_numpy(s) for s in steps], axis=1)


@pytest.mark.parametrize("prefill", [1, 3])
def test_cached_decoding_equals_full_causal_pass(prefill):
    layer = MultiHeadSelfAttention(HEADS, causal=True)
    x = _inputs()
    full = _numpy(layer(x))
    np.testing.assert_allclose(_decode_with_cache(layer, x, prefill), full, atol=1e-5)


def test_cached_decoding_across_read_lengths_equals_full_causal_pass():
    # 150 slots are read in lengths 64, 128 and 150 (keras_seq.layers.cache_reads).
    layer = MultiHeadSelfAttention(HEADS, causal=True)
    x = _inputs(time=150)
    full = _numpy(layer(x))
    decoded = _decode_with_cache(layer, x, prefill=3)
    np.testing.assert_allclose(decoded, full, atol=1e-5)


def test_scores_over_a_partly_read_cache_cover_every_slot():
    layer = MultiHeadSelfAttention(HEADS, causal=True)
    x = _inputs(time=100)
    layer(x)
    cache = layer.init_cache(BATCH, 150)
    _, cache = layer(x, cache=cache, cache_index=0)
    _, _, scores = layer(
        x[:, :1],
        cache=cache,
        cache_index=ops.convert_to_tensor(100),
        return_attention_scores=True,
    )
    scores = _numpy(scores)
    assert scores.shape == (BATCH, HEADS, 1, 150)
    np.testing.assert_allclose(scores.sum(axis=-1), 1.0, atol=1e-5)
    assert np.all(scores[..., :101] > 0) and np.all(scores[..., 101:] == 0)


def test_cached_decoding_returns_scores_over_cache():
    layer = MultiHeadSelfAttention(HEADS, causal=True)
    x = _inputs()
    layer(x)
    cache = layer.init_cache(BATCH, 10)
    _, cache, scores = layer(
        x[:, :1], cache=cache, cache_index=0, return_attention_scores=True
    )
    assert tuple(cache.shape) == (BATCH, 2, HEADS, 10, DIM // HEADS)
    scores = _numpy(scores)
    assert scores.shape == (BATCH, HEADS, 1, 10)
    np.testing.assert_allclose(scores[..., 0], 1.0, atol=1e-6)


def test_padding_content_changes_no_unpadded_output():
    layer = MultiHeadSelfAttention(HEADS)
    rng = np.random.default_rng(4)
    for _ in range(PROPERTY_CASES):
        x = rng.normal(size=(2, TIME, DIM)).astype("float32")
        mask = _padding_mask(rng.integers(1, TIME + 1, size=2))
        noisy = np.where(mask[..., None], x, rng.normal(size=x.shape) * 10).astype(
            "float32"
        )
        clean_out, noisy_out = (
            _numpy(layer(x, mask=mask)),
            _numpy(layer(noisy, mask=mask)),
        )
        np.testing.assert_allclose(noisy_out[mask], clean_out[mask], atol=1e-5)


def test_causal_outputs_ignore_the_future():
    layer = MultiHeadSelfAttention(HEADS, causal=True)
    rng = np.random.default_rng(5)
    for _ in range(PROPERTY_CASES):
        x = rng.normal(size=(2, TIME, DIM)).astype("float32")
        t = int(rng.integers(0, TIME - 1))
        changed = x.copy()
        changed[:, t + 1 :] = rng.normal(size=changed[:, t + 1 :].shape)
        np.testing.assert_allclose(
            _numpy(layer(changed))[:, : t + 1], _numpy(layer(x))[:, : t + 1], atol=1e-5
        )


def test_permutation_equivariant_without_positions():
    layer = MultiHeadSelfAttention(HEADS)
    rng = np.random.default_rng(6)
    for _ in range(PROPERTY_CASES):
        x = rng.normal(size=(2, TIME, DIM)).astype("float32")
        order = rng.permutation(TIME)
        np.testing.assert_allclose(
            _numpy(layer(x[:, order])), _numpy(layer(x))[:, order], atol=1e-5
        )


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"num_heads": 0}, "num_heads"),
        ({"num_heads": 2, "key_dim": 0}, "key_dim"),
        ({"num_heads": 2, "value_dim": -3}, "value_dim"),
        ({"num_heads": 2, "output_dim": 1.5}, "output_dim"),
        ({"num_heads": 2, "dropout": 1.0}, "dropout"),
        ({"num_heads": 2, "merge": "max"}, "merge"),
    ],
)
def test_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        MultiHeadSelfAttention(**kwargs)


def test_input_size_not_divisible_by_heads_raises():
    with pytest.raises(ValueError, match="num_heads"):
        MultiHeadSelfAttention(num_heads=3)(_inputs())


def test_cache_misuse_raises():
    layer = MultiHeadSelfAttention(HEADS, causal=True)
    x = _inputs()
    cache = layer.init_cache(BATCH, TIME) if layer(x) is not None else None
    with pytest.raises(ValueError, match="cache_index"):
        layer(x[:, :1], cache=cache)
    with pytest.raises(ValueError, match="context"):
        layer(x[:, :1], context=x, cache=cache, cache_index=0)
    uneven = MultiHeadSelfAttention(HEADS, key_dim=2, value_dim=3)
    uneven(x)
    with pytest.raises(ValueError, match="key_dim"):
        uneven.init_cache(BATCH, TIME)


def _left_padding_mask(pads, time=TIME):
    return np.arange(time)[None, :] >= np.asarray(pads)[:, None]


@pytest.mark.parametrize("cache_length", [TIME, TIME + 3])
def test_cached_decoding_honours_a_mask_over_the_cache_slots(cache_length):
    """A left-padded prompt: `mask` covers the cache slots, earlier steps too."""
    layer = MultiHeadSelfAttention(HEADS, causal=True)
    x = _inputs()
    mask = _left_padding_mask([0, 2, 1])
    full = _numpy(layer(x, mask=mask))
    cache_mask = np.ones((BATCH, cache_length), bool)
    cache_mask[:, :TIME] = mask
    cache = layer.init_cache(BATCH, cache_length)
    outputs, cache = layer(x[:, :3], mask=cache_mask, cache=cache, cache_index=0)
    steps = [_numpy(outputs)]
    for t in range(3, TIME):
        output, cache = layer(
            x[:, t : t + 1], mask=cache_mask, cache=cache, cache_index=t
        )
        steps.append(_numpy(output))
    np.testing.assert_allclose(
        np.concatenate(steps, axis=1)[mask], full[mask], atol=1e-5
    )


def test_cached_mask_must_cover_the_cache_slots():
    layer = MultiHeadSelfAttention(HEADS, causal=True)
    x = _inputs()
    layer(x)
    cache = layer.init_cache(BATCH, 10)
    with pytest.raises(ValueError, match=r"`mask`(.|\n)*cache_length=10"):
        layer(x[:, :1], mask=np.ones((BATCH, 1), bool), cache=cache, cache_index=0)


def test_cached_decoding_ignores_the_mask_attached_to_the_new_steps():
    """The attached mask covers only the new steps, not the cache: not used."""
    layer = MultiHeadSelfAttention(HEADS, causal=True)
    x = _inputs()
    layer(x)
    expected = _decode_with_cache(layer, x, prefill=2)
    cache = layer.init_cache(BATCH, TIME)
    outputs, cache = layer(
        _with_mask(x[:, :2], np.ones((BATCH, 2), bool)), cache=cache, cache_index=0
    )
    steps = [_numpy(outputs)]
    for t in range(2, TIME):
        step = _with_mask(x[:, t : t + 1], np.array([[True], [False], [True]]))
        output, cache = layer(step, cache=cache, cache_index=t)
        steps.append(_numpy(output))
    np.testing.assert_allclose(np.concatenate(steps, axis=1), expected, atol=1e-5)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_trains_under_mixed_precision_on_every_platform(policy):
    """A `fit` step in float16 runs everywhere, JAX on CPU included, whose
    fused kernel cannot lower float16 (the explicit path serves there)."""
    inputs = keras.Input((6, 8))
    outputs = MultiHeadSelfAttention(num_heads=2, causal=True, dtype=policy)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, dtype="float32")(outputs))
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(4, 6, 8)).astype("float32")
    history = model.fit(x, np.zeros((4, 6, 1)), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def _broadcast_masks(time, source_time, seed=5):
    """Masks of every shape that broadcasts to `(BATCH, [HEADS,] time, source_time)`."""
    rng = np.random.default_rng(seed)
    shapes = [
        (time, source_time),
        (1, time, source_time),
        (BATCH, time, source_time),
        (BATCH, 1, source_time),
        (1, 1, source_time),
        (BATCH, time, 1),
        (1, 1, time, source_time),
        (BATCH, 1, time, source_time),
        (BATCH, HEADS, 1, source_time),
        (1, HEADS, time, source_time),
    ]
    masks = []
    for shape in shapes:
        mask = rng.random(shape) > 0.3
        mask[..., 0] = True  # every query keeps a key: the outputs are defined
        masks.append(mask)
    return masks


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("index", range(10))
def test_broadcast_attention_mask_equals_keras_multi_head_attention(causal, index):
    """Every mask that broadcasts is taken, as Keras' MultiHeadAttention takes it."""
    ours, reference = _copied_pair(causal)
    x = _inputs()
    mask = _broadcast_masks(TIME, TIME)[index]
    expected = _numpy(reference(x, x, attention_mask=mask, use_causal_mask=causal))
    actual = _numpy(ours(x, attention_mask=mask))
    np.testing.assert_allclose(actual, expected, atol=1e-5)
    # The explicit path (scores returned) agrees too.
    explicit, scores = ours(x, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(_numpy(explicit), expected, atol=1e-5)
    assert tuple(scores.shape) == (BATCH, HEADS, TIME, TIME)


@pytest.mark.parametrize("index", range(10))
def test_broadcast_cross_attention_mask_equals_keras_multi_head_attention(index):
    ours, reference = _copied_pair(causal=False, context_dim=5)
    x, context = _inputs(), _inputs(time=5, dim=5, seed=2)
    mask = _broadcast_masks(TIME, 5)[index]
    expected = _numpy(reference(x, context, attention_mask=mask))
    actual = _numpy(ours(x, context=context, attention_mask=mask))
    np.testing.assert_allclose(actual, expected, atol=1e-5)


def test_broadcast_attention_mask_in_a_compiled_model():
    """A `(time, source_time)` mask in a functional model, under every jit."""
    layer = MultiHeadSelfAttention(HEADS)
    mask = np.tril(np.ones((TIME, TIME), bool))
    inputs = keras.Input((TIME, DIM))
    model = keras.Model(inputs, layer(inputs, attention_mask=mask))
    x = _inputs()
    expected = _numpy(
        layer(x, attention_mask=np.broadcast_to(mask, (BATCH, TIME, TIME)))
    )
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-5)


@pytest.mark.parametrize(
    "shape",
    [
        (TIME,),
        (TIME, TIME + 1),
        (2, TIME),
        (BATCH + 1, TIME, TIME),
        (BATCH, 2, TIME),
        (BATCH, HEADS + 1, TIME, TIME),
        (1, 1, 1, 1, TIME),
    ],
)
def test_attention_mask_that_does_not_broadcast_is_refused(shape):
    layer = MultiHeadSelfAttention(HEADS)
    with pytest.raises(ValueError, match=r"attention_mask.*Received: attention_mask"):
        layer(_inputs(), attention_mask=np.ones(shape, bool))


def test_broadcast_attention_mask_over_a_cache_equals_the_full_mask():
    layer = MultiHeadSelfAttention(HEADS, causal=True)
    x = _inputs()
    layer(x)
    mask = np.ones((1, 1, TIME), bool)  # (1, 1, cache_length): key 1 hidden
    mask[..., 1] = False
    outputs = []
    for attention_mask in (mask, np.broadcast_to(mask, (BATCH, 1, TIME))):
        cache = layer.init_cache(BATCH, TIME)
        prefill, cache = layer(
            x[:, :3], cache=cache, cache_index=0, attention_mask=attention_mask
        )
        step, _ = layer(
            x[:, 3:4], cache=cache, cache_index=3, attention_mask=attention_mask
        )
        outputs.append((_numpy(prefill), _numpy(step)))
    np.testing.assert_allclose(outputs[0][0], outputs[1][0], atol=1e-6)
    np.testing.assert_allclose(outputs[0][1], outputs[1][1], atol=1e-6)
