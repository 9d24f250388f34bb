import numpy as np
import pytest

from keras_seq.applications import ViViT
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
    [("spatiotemporal", "class_token"), ("factorised_encoder", "mean")],
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
            "variant.*spatiotemporal.*factorised_encoder.*model_3",
        ),
        ({"input_shape": (8, 8, 1)}, "input_shape.*\\(8, 8, 1\\)"),
        ({"tubelet_size": (3, 4, 4)}, "divisible by `tubelet_size=\\(3, 4, 4\\)`"),
        ({"tubelet_size": (2, 4)}, "tubelet_size.*\\(2, 4\\)"),
        ({"num_temporal_layers": 0}, "num_temporal_layers.*0"),
        ({"hidden_dim": 15}, "num_heads.*hidden_dim.*15"),
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
