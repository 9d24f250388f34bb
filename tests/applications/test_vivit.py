import keras
import numpy as np
import pytest
from keras import ops

from keras_seq.applications import ViT
from keras_seq.applications import ViViT
from keras_seq.applications.vivit import inflate_patch_kernel
from tests.classifier_checks import check_classifier
from tests.classifier_checks import predict

CLASSES = 3
INPUT_SHAPE, TUBELET = (4, 8, 8, 1), (2, 4, 4)
SIZES = {
    "num_layers": 1,
    "num_heads": 2,
    "hidden_dim": 16,
    "intermediate_dim": 32,
    "dropout": 0.0,
}


def _videos():
    return np.random.default_rng(0).uniform(size=(6, *INPUT_SHAPE)).astype("float32")


@pytest.mark.parametrize(
    "variant, pooling",
    [
        ("spatiotemporal", "class_token"),
        ("factorised_encoder", "mean"),
        ("factorised_self_attention", None),
        ("factorised_dot_product", None),
    ],
)
def test_fit_predict_config_and_save(variant, pooling, tmp_path):
    model = ViViT(
        INPUT_SHAPE, TUBELET, CLASSES, variant=variant, pooling=pooling, **SIZES
    )
    labels = np.arange(6) % CLASSES
    check_classifier(model, _videos(), labels, (6, CLASSES), tmp_path)


def test_factorised_encoder_encodes_slots_then_time():
    model = ViViT(
        INPUT_SHAPE,
        TUBELET,
        CLASSES,
        variant="factorised_encoder",
        num_temporal_layers=2,
        include_top=False,
        **SIZES,
    )
    spatial = model.get_layer("spatial_encoder")
    temporal = model.get_layer("temporal_encoder")
    assert (spatial.num_layers, temporal.num_layers) == (SIZES["num_layers"], 2)
    # 2 time slots of 2 x 2 tubelets: the spatial encoder sees each slot's 4
    # tubelets and its class token; the temporal encoder 2 slots and its own.
    assert spatial.output.shape == (None, 5, 16)
    assert temporal.output.shape == (None, 3, 16)
    assert predict(model, _videos()).shape == (6, SIZES["hidden_dim"])


def test_factorised_encoder_sees_time_order():
    model = ViViT(INPUT_SHAPE, TUBELET, CLASSES, variant="factorised_encoder", **SIZES)
    videos = _videos()
    reversed_in_time = videos[:, ::-1]
    assert not np.allclose(predict(model, videos), predict(model, reversed_in_time))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"variant": "model_3"},
            "variant.*spatiotemporal.*factorised_encoder.*factorised_self_attention"
            ".*factorised_dot_product.*model_3",
        ),
        ({"input_shape": (8, 8, 1)}, "input_shape.*\\(8, 8, 1\\)"),
        ({"tubelet_size": (3, 4, 4)}, "divisible by `tubelet_size=\\(3, 4, 4\\)`"),
        ({"tubelet_size": (2, 4)}, "tubelet_size.*\\(2, 4\\)"),
        ({"num_temporal_layers": 0}, "num_temporal_layers.*0"),
        ({"hidden_dim": 15}, "num_heads.*hidden_dim.*15"),
        (
            {"variant": "factorised_self_attention", "pooling": "class_token"},
            "factorised_self_attention.*no class token.*mean.*pooling='class_token'",
        ),
        (
            {"variant": "factorised_dot_product", "num_heads": 1, "hidden_dim": 16},
            "num_heads.*even.*num_heads=1",
        ),
    ],
)
def test_bad_arguments(kwargs, match):
    arguments = {
        "input_shape": INPUT_SHAPE,
        "tubelet_size": TUBELET,
        "classes": CLASSES,
    }
    with pytest.raises(ValueError, match=match):
        ViViT(**{**arguments, **SIZES, **kwargs})


@pytest.mark.parametrize(
    "variant", ["factorised_self_attention", "factorised_dot_product"]
)
def test_factorised_attention_keeps_the_grid(variant):
    model = ViViT(
        INPUT_SHAPE, TUBELET, CLASSES, variant=variant, include_top=False, **SIZES
    )
    assert model.get_config()["pooling"] == "mean"
    # 2 time slots of 2 x 2 tubelets through every layer, no class token.
    assert model.get_layer("encoder_layer_0").output.shape == (None, 2, 4, 16)
    assert predict(model, _videos()).shape == (6, SIZES["hidden_dim"])


@pytest.mark.parametrize(
    "variant, policy",
    [
        ("factorised_self_attention", "mixed_float16"),
        ("factorised_dot_product", "mixed_bfloat16"),
    ],
)
def test_factorised_attention_dtype_policy(variant, policy):
    model = ViViT(INPUT_SHAPE, TUBELET, CLASSES, variant=variant, dtype=policy, **SIZES)
    for layer in model._flatten_layers(include_self=False):
        if not isinstance(layer, keras.layers.InputLayer):
            expected = "float32" if layer.name == "predictions" else policy
            assert layer.dtype_policy.name == expected, layer.name
    assert all(variable.dtype == "float32" for variable in model.weights)
    model.compile()
    history = model.fit(_videos(), np.arange(6) % CLASSES, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def _vit(pooling="class_token", seed=0):
    """A tiny ViT of 8 x 8 images with random weights everywhere."""
    vit = ViT(INPUT_SHAPE[1:], TUBELET[1:], CLASSES, pooling=pooling, **SIZES)
    rng = np.random.default_rng(seed)
    vit.set_weights([rng.normal(scale=0.3, size=w.shape) for w in vit.weights])
    return vit


def _frames():
    return (
        np.random.default_rng(1)
        .uniform(size=(6, 2, *INPUT_SHAPE[1:]))
        .astype("float32")
    )


def _embed(model, inputs):
    return ops.convert_to_numpy(model.get_layer("embedding")(inputs))


def test_inflate_patch_kernel():
    kernel = np.random.default_rng(0).normal(size=(4, 4, 1, 3))
    central = inflate_patch_kernel(kernel, 3, "central_frame")
    np.testing.assert_array_equal(central[1], kernel)
    np.testing.assert_array_equal(central[[0, 2]], 0)
    inflated = inflate_patch_kernel(kernel, 3, "filter_inflation")
    np.testing.assert_allclose(inflated, np.stack([kernel / 3] * 3))
    with pytest.raises(ValueError, match="tubelet_init.*central_frame.*'mean'"):
        inflate_patch_kernel(kernel, 3, "mean")


@pytest.mark.parametrize("tubelet_init", ["central_frame", "filter_inflation"])
@pytest.mark.parametrize(
    "variant",
    [
        "spatiotemporal",
        "factorised_encoder",
        "factorised_self_attention",
        "factorised_dot_product",
    ],
)
def test_from_vit_embeds_a_frame_as_the_vit(variant, tubelet_init):
    # One time slot of two frames: a tubelet embeds as the ViT's patch of
    # its central frame (the second), or, for filter inflation, of a
    # frame repeated.
    vit = _vit()
    model = ViViT.from_vit(vit, frames=2, tubelet_init=tubelet_init, variant=variant)
    clips = _frames()
    if tubelet_init == "filter_inflation":
        clips[:, 0] = clips[:, 1]
    expected = _embed(vit, clips[:, 1])
    actual = _embed(model, clips)
    if variant != "spatiotemporal":
        # No class token in the tubelet embedding (model 2's is the spatial
        # encoder's own, with the ViT's token and its position).
        expected, class_token = expected[:, 1:], expected[:, 0]
        if variant == "factorised_encoder":
            token = ops.convert_to_numpy(model.get_layer("spatial_class_token").token)
            np.testing.assert_allclose(token[0, 0], class_token[0], atol=1e-6)
    np.testing.assert_allclose(actual, expected, atol=1e-5)


def test_from_vit_spatiotemporal_classifies_a_still_clip_as_the_vit():
    vit = _vit()
    model = ViViT.from_vit(vit, frames=2, tubelet_init="filter_inflation")
    clips = _frames()
    clips[:, 0] = clips[:, 1]
    np.testing.assert_allclose(
        predict(model, clips), predict(vit, clips[:, 1]), atol=1e-5
    )


def test_from_vit_factorised_self_attention_starts_as_the_vit_per_frame():
    # Zero temporal attention: on one time slot model 3 is the ViT, pooled
    # by the mean as a mean-pooling ViT.
    vit = _vit(pooling="mean")
    model = ViViT.from_vit(vit, frames=2, variant="factorised_self_attention")
    clips = _frames()
    np.testing.assert_allclose(
        predict(model, clips), predict(vit, clips[:, 1]), atol=1e-5
    )


def test_from_vit_splits_the_heads_of_model_4():
    vit = _vit()
    model = ViViT.from_vit(vit, frames=2, variant="factorised_dot_product")
    source = vit.get_layer("encoder").transformer_layers[0].self_attention
    target = model.get_layer("encoder_layer_0")
    halves = [
        target.self_attention.query_dense.kernel,
        target.temporal_attention.query_dense.kernel,
    ]
    np.testing.assert_array_equal(
        np.concatenate([ops.convert_to_numpy(k) for k in halves], axis=1),
        ops.convert_to_numpy(source.query_dense.kernel),
    )


def test_from_vit_keeps_the_vit_sizes():
    vit = _vit()
    with pytest.raises(ValueError, match="from_vit.*hidden_dim"):
        ViViT.from_vit(vit, frames=2, hidden_dim=32)
    with pytest.raises(ValueError, match="tubelet_init.*'middle'"):
        ViViT.from_vit(vit, frames=2, tubelet_init="middle")
    model = ViViT.from_vit(vit, frames=4, tubelet_frames=1, classes=5, dropout=0.2)
    config = model.get_config()
    assert config["tubelet_size"] == (1, 4, 4) and config["input_shape"] == (4, 8, 8, 1)
    assert (config["classes"], config["dropout"], config["hidden_dim"]) == (5, 0.2, 16)


def test_from_mnist_vit_preset():
    vit = ViT(weights="mnist_vit")
    model = ViViT.from_vit(vit, frames=2, tubelet_init="filter_inflation")
    images = np.random.default_rng(0).uniform(size=(2, 28, 28, 1)).astype("float32")
    clips = np.repeat(images[:, None], 2, axis=1)
    np.testing.assert_allclose(predict(model, clips), predict(vit, images), atol=1e-5)


@pytest.mark.parametrize("variant", ["spatiotemporal", "factorised_self_attention"])
def test_from_vit_at_another_scale_classifies_enlarged_frames_as_the_vit(variant):
    # Frames drawing the ViT's images at twice their size, read in patches
    # of twice the ViT's: the resampled projection embeds each as the ViT
    # embeds the original patch, so a still clip is classified as the image.
    vit = _vit(pooling="mean")
    model = ViViT.from_vit(
        vit,
        frames=2,
        tubelet_init="filter_inflation",
        variant=variant,
        frame_shape=(16, 16, 1),
        patch_size=8,
    )
    assert model.get_config()["tubelet_size"] == (2, 8, 8)
    images = _frames()[:, 1]
    enlarged = images.repeat(2, axis=1).repeat(2, axis=2)
    clips = np.stack([enlarged, enlarged], axis=1)
    np.testing.assert_allclose(predict(model, clips), predict(vit, images), atol=1e-4)


def test_from_vit_resamples_positions_to_a_larger_grid():
    # 16 x 16 frames in the ViT's 4 x 4 patches: a 4 x 4 grid from its 2 x 2.
    vit = _vit()
    model = ViViT.from_vit(vit, frames=2, frame_shape=(16, 16, 1))
    source = ops.convert_to_numpy(
        vit.get_layer("embedding").position_embedding.position_embeddings
    )
    target = ops.convert_to_numpy(
        model.get_layer("embedding").position_embedding.position_embeddings
    )
    patches = source[1:].reshape(2, 2, -1).repeat(2, axis=0).repeat(2, axis=1)
    np.testing.assert_allclose(target[0], source[0])  # the class token's
    np.testing.assert_allclose(target[1:], patches.reshape(16, -1), atol=1e-6)
    with pytest.raises(ValueError, match="frame_shape.*1 channels.*\\(16, 16, 3\\)"):
        ViViT.from_vit(vit, frames=2, frame_shape=(16, 16, 3))
