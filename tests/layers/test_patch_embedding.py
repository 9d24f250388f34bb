import keras
import numpy as np
import pytest
from keras import ops

from keras_seq.layers import PatchEmbedding
from keras_seq.layers import TubeletEmbedding
from tests.layer_checks import check_layer


def _images(shape=(2, 8, 12, 3)):
    return np.random.default_rng(0).normal(size=shape).astype("float32")


@pytest.mark.parametrize(
    "init_kwargs, sequence_length",
    [
        ({"patch_size": 4, "embedding_dim": 6}, 1 + 2 * 3),
        ({"patch_size": (2, 3), "embedding_dim": 6, "class_token": False}, 4 * 4),
        ({"patch_size": 4, "embedding_dim": 6, "position": "sinusoidal"}, 7),
        ({"patch_size": 4, "embedding_dim": 6, "position": None}, 7),
    ],
)
def test_layer_contract(init_kwargs, sequence_length, tmp_path):
    check_layer(
        PatchEmbedding,
        init_kwargs,
        _images(),
        expected_output_shape=(2, sequence_length, 6),
        tmp_path=tmp_path,
    )


def test_tokens_are_projected_patches_in_row_major_order():
    layer = PatchEmbedding(patch_size=4, embedding_dim=5, position=None)
    images = _images()
    tokens = ops.convert_to_numpy(layer(images))
    kernel = ops.convert_to_numpy(layer.projection.kernel).reshape(-1, 5)
    bias = ops.convert_to_numpy(layer.projection.bias)
    patches = (
        images.reshape(2, 2, 4, 3, 4, 3).transpose(0, 1, 3, 2, 4, 5).reshape(2, 6, -1)
    )
    np.testing.assert_allclose(tokens[:, 1:], patches @ kernel + bias, atol=1e-5)
    class_token = ops.convert_to_numpy(layer.class_embedding.token)[0, 0]
    np.testing.assert_allclose(
        tokens[:, 0], np.broadcast_to(class_token, (2, 5)), atol=1e-6
    )


def test_image_size_not_divisible_raises_at_build():
    with pytest.raises(ValueError, match="patch_size"):
        PatchEmbedding(patch_size=5, embedding_dim=4)(keras.Input((8, 12, 3)))


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"patch_size": 0, "embedding_dim": 4}, "patch_size"),
        ({"patch_size": (2, 2, 2), "embedding_dim": 4}, "patch_size"),
        ({"patch_size": 2, "embedding_dim": 0}, "embedding_dim"),
        ({"patch_size": 2, "embedding_dim": 4, "position": "rotary"}, "position"),
    ],
)
def test_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        PatchEmbedding(**kwargs)


def _videos():
    return np.random.default_rng(1).normal(size=(2, 4, 8, 8, 2)).astype("float32")


@pytest.mark.parametrize("class_token", [False, True])
def test_tubelet_layer_contract(class_token, tmp_path):
    check_layer(
        TubeletEmbedding,
        {"tubelet_size": (2, 4, 4), "embedding_dim": 6, "class_token": class_token},
        _videos(),
        expected_output_shape=(2, 2 * 2 * 2 + int(class_token), 6),
        tmp_path=tmp_path,
    )


def test_tubelets_are_time_major_projected_blocks():
    layer = TubeletEmbedding(tubelet_size=(2, 4, 4), embedding_dim=3, position=None)
    videos = _videos()
    tokens = ops.convert_to_numpy(layer(videos))
    assert layer.grid_shape == (2, 2, 2)
    kernel = ops.convert_to_numpy(layer.projection.kernel).reshape(-1, 3)
    bias = ops.convert_to_numpy(layer.projection.bias)
    blocks = videos.reshape(2, 2, 2, 2, 4, 2, 4, 2).transpose(0, 1, 3, 5, 2, 4, 6, 7)
    np.testing.assert_allclose(
        tokens, blocks.reshape(2, 8, -1) @ kernel + bias, atol=1e-5
    )


def test_video_size_not_divisible_raises_at_build():
    with pytest.raises(ValueError, match="tubelet_size"):
        TubeletEmbedding(tubelet_size=(3, 4, 4), embedding_dim=4)(
            keras.Input((4, 8, 8, 2))
        )


def test_tubelet_bad_size_raises():
    with pytest.raises(ValueError, match="tubelet_size"):
        TubeletEmbedding(tubelet_size=(2, 4), embedding_dim=4)
