import numpy as np
import pytest
from keras import ops

from keras_seq.layers import TokenAndPositionEmbedding
from tests.layer_checks import check_layer

IDS = np.array([[5, 9, 2, 0, 0], [1, 2, 3, 4, 5]], dtype="int32")


@pytest.mark.parametrize("kind", ["learned", "sinusoidal"])
def test_layer_contract(kind, tmp_path):
    check_layer(
        TokenAndPositionEmbedding,
        {"vocabulary_size": 12, "max_length": 8, "embedding_dim": 6, "kind": kind},
        IDS,
        expected_output_shape=(2, 5, 6),
        expected_mask=IDS != 0,
        tmp_path=tmp_path,
    )


def test_sums_token_and_position_embeddings():
    layer = TokenAndPositionEmbedding(12, 8, 6)
    outputs = ops.convert_to_numpy(layer(IDS))
    tokens = ops.convert_to_numpy(layer.token_embedding.embeddings)
    positions = ops.convert_to_numpy(layer.position_embedding.position_embeddings)
    np.testing.assert_allclose(outputs, tokens[IDS] + positions[:5], atol=1e-6)


def test_without_mask_zero_emits_no_mask():
    layer = TokenAndPositionEmbedding(12, 8, 6, mask_zero=False)
    assert layer.compute_mask(IDS) is None


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        (
            {"vocabulary_size": 0, "max_length": 8, "embedding_dim": 4},
            "vocabulary_size",
        ),
        (
            {"vocabulary_size": 10, "max_length": 8, "embedding_dim": -1},
            "embedding_dim",
        ),
        ({"vocabulary_size": 10, "max_length": 0, "embedding_dim": 4}, "max_length"),
        (
            {"vocabulary_size": 10, "max_length": 8, "embedding_dim": 4, "kind": "x"},
            "kind",
        ),
    ],
)
def test_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        TokenAndPositionEmbedding(**kwargs)


def test_compute_output_shape_checks_the_length():
    layer = TokenAndPositionEmbedding(12, 8, 6)
    assert tuple(layer.compute_output_shape((2, 8))) == (2, 8, 6)
    with pytest.raises(ValueError, match="max_length"):
        layer.compute_output_shape((2, 9))


def test_tensor_start_index_past_max_length_gives_nan():
    layer = TokenAndPositionEmbedding(12, 4, 6)
    outputs = ops.convert_to_numpy(
        layer(IDS[:, :2], start_index=ops.convert_to_tensor(3, "int32"))
    )
    assert np.isfinite(outputs[:, 0]).all()
    assert np.isnan(outputs[:, 1]).all()
