import keras
import numpy as np
import pytest
from keras import ops

from keras_seq.layers import TransformerDecoder
from tests import numpy_reference
from tests.layer_checks import check_layer

BATCH, TIME, SOURCE_TIME, DIM = 3, 6, 5, 8
PROPERTY_CASES = 50


def _inputs(batch=BATCH, time=TIME, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, time, DIM)).astype("float32")


def _padding_mask(lengths, time=TIME):
    return np.arange(time)[None, :] < np.asarray(lengths)[:, None]


def _numpy(x):
    return ops.convert_to_numpy(x)


@pytest.mark.parametrize("norm_first", [False, True])
def test_layer_contract_decoder_only(norm_first, tmp_path):
    check_layer(
        TransformerDecoder,
        {"num_heads": 2, "intermediate_dim": 16, "norm_first": norm_first},
        _inputs(),
        expected_output_shape=(BATCH, TIME, DIM),
        input_mask=_padding_mask([6, 4, 1]),
        tmp_path=tmp_path,
    )


def test_layer_contract_with_encoder_outputs(tmp_path):
    check_layer(
        TransformerDecoder,
        {"num_heads": 2, "intermediate_dim": 16, "dropout": 0.1},
        _inputs(),
        tensor_kwargs={"encoder_outputs": _inputs(time=SOURCE_TIME, seed=1)},
        expected_output_shape=(BATCH, TIME, DIM),
        input_mask=_padding_mask([6, 4, 1]),
        tmp_path=tmp_path,
    )


@pytest.mark.parametrize("norm_first", [False, True])
def test_equals_numpy_reference(norm_first):
    layer = TransformerDecoder(num_heads=2, intermediate_dim=16, norm_first=norm_first)
    x, source = _inputs(), _inputs(time=SOURCE_TIME, seed=1)
    mask = _padding_mask([6, 3, 5])
    source_mask = _padding_mask([5, 2, 4], time=SOURCE_TIME)
    actual = _numpy(
        layer(x, encoder_outputs=source, mask=mask, encoder_mask=source_mask)
    )
    expected = numpy_reference.decoder(
        layer,
        x.astype("float64"),
        source.astype("float64"),
        mask=mask,
        encoder_mask=source_mask,
    )
    np.testing.assert_allclose(actual[mask], expected[mask], atol=1e-5)


@pytest.mark.parametrize("with_encoder", [False, True])
def test_cached_decoding_equals_full_pass(with_encoder):
    layer = TransformerDecoder(num_heads=2, intermediate_dim=16)
    x = _inputs()
    kwargs = (
        {"encoder_outputs": _inputs(time=SOURCE_TIME, seed=1)} if with_encoder else {}
    )
    full = _numpy(layer(x, **kwargs))
    cache = layer.init_cache(BATCH, TIME)
    steps = []
    for t in range(TIME):
        output, cache = layer(x[:, t : t + 1], cache=cache, cache_index=t, **kwargs)
        steps.append(_numpy(output))
    np.testing.assert_allclose(np.concatenate(steps, axis=1), full, atol=1e-5)


def test_cached_decoding_with_projected_encoder_outputs_equals_full_pass():
    layer = TransformerDecoder(num_heads=2, intermediate_dim=16)
    x, source = _inputs(), _inputs(time=SOURCE_TIME, seed=1)
    source_mask = np.arange(SOURCE_TIME)[None, :] < np.array([[SOURCE_TIME], [2], [1]])
    full = _numpy(layer(x, encoder_outputs=source, encoder_mask=source_mask))
    projected = layer.project_encoder_outputs(source)
    cache = layer.init_cache(BATCH, TIME)
    steps = []
    for t in range(TIME):
        output, cache = layer(
            x[:, t : t + 1],
            cache=cache,
            cache_index=t,
            encoder_key_value=projected,
            encoder_mask=source_mask,
        )
        steps.append(_numpy(output))
    np.testing.assert_allclose(np.concatenate(steps, axis=1), full, atol=1e-5)
    with pytest.raises(ValueError, match="takes the place of `encoder_outputs`"):
        layer(x, encoder_outputs=source, encoder_key_value=projected)


def test_outputs_ignore_the_future():
    layer = TransformerDecoder(num_heads=2, intermediate_dim=16)
    source = _inputs(batch=2, time=SOURCE_TIME, seed=1)
    rng = np.random.default_rng(3)
    for _ in range(PROPERTY_CASES):
        x = rng.normal(size=(2, TIME, DIM)).astype("float32")
        t = int(rng.integers(0, TIME - 1))
        changed = x.copy()
        changed[:, t + 1 :] = rng.normal(size=changed[:, t + 1 :].shape)
        np.testing.assert_allclose(
            _numpy(layer(changed, encoder_outputs=source))[:, : t + 1],
            _numpy(layer(x, encoder_outputs=source))[:, : t + 1],
            atol=1e-5,
        )


def test_padding_content_changes_no_unpadded_output():
    layer = TransformerDecoder(num_heads=2, intermediate_dim=16)
    rng = np.random.default_rng(4)
    for _ in range(PROPERTY_CASES):
        x = rng.normal(size=(2, TIME, DIM)).astype("float32")
        source = rng.normal(size=(2, SOURCE_TIME, DIM)).astype("float32")
        mask = _padding_mask(rng.integers(1, TIME + 1, size=2))
        source_mask = _padding_mask(
            rng.integers(1, SOURCE_TIME + 1, size=2), SOURCE_TIME
        )
        noisy_x = np.where(mask[..., None], x, 10 * rng.normal(size=x.shape))
        noisy_source = np.where(
            source_mask[..., None], source, 10 * rng.normal(size=source.shape)
        )

        def run(inputs, encoder_outputs, mask=mask, source_mask=source_mask):
            outputs = layer(
                inputs.astype("float32"),
                encoder_outputs=encoder_outputs.astype("float32"),
                mask=mask,
                encoder_mask=source_mask,
            )
            return _numpy(outputs)

        np.testing.assert_allclose(
            run(noisy_x, noisy_source)[mask], run(x, source)[mask], atol=1e-5
        )


def test_decoder_only_layer_rejects_encoder_outputs():
    layer = TransformerDecoder(num_heads=2, intermediate_dim=16)
    layer(_inputs())
    with pytest.raises(ValueError, match="encoder_outputs"):
        layer(_inputs(), encoder_outputs=_inputs(time=SOURCE_TIME))


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"num_heads": -1, "intermediate_dim": 8}, "num_heads"),
        ({"num_heads": 2, "intermediate_dim": None}, "intermediate_dim"),
        ({"num_heads": 2, "intermediate_dim": 8, "dropout": 1.0}, "dropout"),
    ],
)
def test_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        TransformerDecoder(**kwargs)


def test_cached_decoding_of_a_left_padded_prompt():
    """With a cache, `mask` covers the cache slots (here a left-padded prompt)."""
    layer = TransformerDecoder(num_heads=2, intermediate_dim=16)
    x = _inputs()
    mask = np.arange(TIME)[None, :] >= np.array([0, 2, 1])[:, None]
    full = _numpy(layer(x, mask=mask))
    cache = layer.init_cache(BATCH, TIME)
    steps = []
    for t in range(TIME):
        output, cache = layer(x[:, t : t + 1], mask=mask, cache=cache, cache_index=t)
        steps.append(_numpy(output))
    np.testing.assert_allclose(
        np.concatenate(steps, axis=1)[mask], full[mask], atol=1e-5
    )


def test_layer_built_with_encoder_outputs_requires_them():
    layer = TransformerDecoder(num_heads=2, intermediate_dim=16)
    source = _inputs(time=SOURCE_TIME, seed=1)
    layer(_inputs(), encoder_outputs=source)
    with pytest.raises(ValueError, match="encoder_outputs"):
        layer(_inputs())
    with pytest.raises(ValueError, match="encoder_outputs"):
        layer(keras.Input((TIME, DIM)))
    cache = layer.init_cache(BATCH, TIME)
    with pytest.raises(ValueError, match="encoder_outputs"):
        layer(_inputs()[:, :1], cache=cache, cache_index=0)
    layer(_inputs()[:, :1], encoder_outputs=source, cache=cache, cache_index=0)


def test_symbolic_decoder_only_layer_rejects_encoder_outputs():
    layer = TransformerDecoder(num_heads=2, intermediate_dim=16)
    layer(keras.Input((TIME, DIM)))
    with pytest.raises(ValueError, match="encoder_outputs"):
        layer(keras.Input((TIME, DIM)), encoder_outputs=keras.Input((SOURCE_TIME, DIM)))
