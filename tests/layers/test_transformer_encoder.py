import numpy as np
import pytest
from keras import ops

from keras_seq.layers import TokenAndPositionEmbedding
from keras_seq.layers import TransformerEncoder
from tests import numpy_reference
from tests.layer_checks import check_layer

BATCH, TIME, DIM = 3, 6, 8
PROPERTY_CASES = 50


def _inputs(batch=BATCH, time=TIME, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, time, DIM)).astype("float32")


def _padding_mask(lengths, time=TIME):
    return np.arange(time)[None, :] < np.asarray(lengths)[:, None]


@pytest.mark.parametrize("norm_first", [False, True])
def test_layer_contract(norm_first, tmp_path):
    check_layer(
        TransformerEncoder,
        {
            "num_heads": 2,
            "intermediate_dim": 16,
            "norm_first": norm_first,
            "dropout": 0.1,
        },
        _inputs(),
        expected_output_shape=(BATCH, TIME, DIM),
        input_mask=_padding_mask([6, 4, 1]),
        tmp_path=tmp_path,
    )


@pytest.mark.parametrize("norm_first", [False, True])
def test_equals_numpy_reference(norm_first):
    layer = TransformerEncoder(num_heads=2, intermediate_dim=16, norm_first=norm_first)
    x = _inputs()
    mask = _padding_mask([6, 4, 2])
    actual = ops.convert_to_numpy(layer(x, mask=mask))
    expected = numpy_reference.encoder(layer, x.astype("float64"), mask=mask)
    np.testing.assert_allclose(actual[mask], expected[mask], atol=1e-5)


def test_uses_the_mask_attached_by_the_embedding():
    ids = np.array([[3, 7, 1, 0, 0]])
    embedded = TokenAndPositionEmbedding(10, 8, DIM)(ids)
    layer = TransformerEncoder(num_heads=2, intermediate_dim=16)
    attached = ops.convert_to_numpy(layer(embedded))
    explicit = ops.convert_to_numpy(layer(embedded, mask=ids != 0))
    np.testing.assert_allclose(attached, explicit, atol=1e-6)
    unmasked = ops.convert_to_numpy(layer(embedded, mask=np.ones_like(ids, bool)))
    assert not np.allclose(attached[:, :3], unmasked[:, :3], atol=1e-4)


def test_returns_attention_scores():
    layer = TransformerEncoder(num_heads=2, intermediate_dim=16)
    outputs, scores = layer(_inputs(), return_attention_scores=True)
    assert tuple(outputs.shape) == (BATCH, TIME, DIM)
    assert tuple(scores.shape) == (BATCH, 2, TIME, TIME)


def test_all_padding_row_is_finite():
    layer = TransformerEncoder(num_heads=2, intermediate_dim=16)
    outputs = layer(_inputs(), mask=_padding_mask([0, 2, 6]))
    assert np.all(np.isfinite(ops.convert_to_numpy(outputs)))


def test_padding_content_changes_no_unpadded_output():
    layer = TransformerEncoder(num_heads=2, intermediate_dim=16)
    rng = np.random.default_rng(1)
    for _ in range(PROPERTY_CASES):
        x = rng.normal(size=(2, TIME, DIM)).astype("float32")
        mask = _padding_mask(rng.integers(1, TIME + 1, size=2))
        noisy = np.where(mask[..., None], x, rng.normal(size=x.shape) * 10).astype(
            "float32"
        )
        clean_out = ops.convert_to_numpy(layer(x, mask=mask))
        noisy_out = ops.convert_to_numpy(layer(noisy, mask=mask))
        np.testing.assert_allclose(noisy_out[mask], clean_out[mask], atol=1e-5)


def test_permutation_equivariant_without_positions():
    layer = TransformerEncoder(num_heads=2, intermediate_dim=16)
    rng = np.random.default_rng(2)
    for _ in range(PROPERTY_CASES):
        x = rng.normal(size=(2, TIME, DIM)).astype("float32")
        order = rng.permutation(TIME)
        np.testing.assert_allclose(
            ops.convert_to_numpy(layer(x[:, order])),
            ops.convert_to_numpy(layer(x))[:, order],
            atol=1e-5,
        )


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"num_heads": 0, "intermediate_dim": 8}, "num_heads"),
        ({"num_heads": 2, "intermediate_dim": 0}, "intermediate_dim"),
        ({"num_heads": 2, "intermediate_dim": 8, "dropout": -0.1}, "dropout"),
        ({"num_heads": 2, "intermediate_dim": 8, "activation": "nope"}, "nope"),
    ],
)
def test_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        TransformerEncoder(**kwargs)
