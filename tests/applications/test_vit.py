import numpy as np
import pytest

from keras_seq.applications import ViT
from tests.classifier_checks import check_classifier
from tests.classifier_checks import predict

CLASSES = 3
SIZES = {
    "num_layers": 1,
    "num_heads": 2,
    "hidden_dim": 16,
    "intermediate_dim": 32,
    "dropout": 0.0,
}


def _images():
    return np.random.default_rng(0).uniform(size=(6, 8, 8, 1)).astype("float32")


def test_fit_predict_config_and_save(tmp_path):
    model = ViT((8, 8, 1), 4, CLASSES, **SIZES)
    labels = np.arange(6) % CLASSES
    check_classifier(model, _images(), labels, (6, CLASSES), tmp_path)


@pytest.mark.parametrize("pooling, tokens", (("class_token", 9), ("mean", 8)))
def test_patches_and_features(pooling, tokens):
    model = ViT((8, 8, 1), (4, 2), CLASSES, pooling=pooling, include_top=False, **SIZES)
    # A (4, 2) patch cuts 8x8 images into 2 x 4 patches (+ the class token).
    assert model.get_layer("embedding").sequence_length == tokens
    assert predict(model, _images()).shape == (6, SIZES["hidden_dim"])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"input_shape": (8, 8)}, "input_shape.*\\(8, 8\\)"),
        ({"patch_size": 3}, "divisible by `patch_size=\\(3, 3\\)`"),
        ({"patch_size": 0}, "patch_size.*0"),
        ({"num_heads": 5}, "num_heads.*5"),
        ({"intermediate_dim": 0}, "intermediate_dim.*0"),
        ({"pooling": "max"}, "pooling.*max"),
        ({"classes": 1.5}, "classes.*1.5"),
    ],
)
def test_bad_arguments(kwargs, match):
    arguments = {"input_shape": (8, 8, 1), "patch_size": 4, "classes": CLASSES}
    with pytest.raises(ValueError, match=match):
        ViT(**{**arguments, **SIZES, **kwargs})
