import numpy as np
import pytest

from keras_seq.preprocessing import ImagePreprocessor
from tests.preprocessing.checks import assert_same_outputs
from tests.preprocessing.checks import from_config
from tests.preprocessing.checks import save_and_load


def test_uint8_pixels_scale_to_unit_floats():
    pixels = np.random.default_rng(0).integers(0, 256, (3, 4, 5, 3), dtype="uint8")
    images = ImagePreprocessor((4, 5, 3))(pixels)
    assert images.dtype == np.float32 and images.shape == (3, 4, 5, 3)
    np.testing.assert_allclose(images, pixels / 255.0, rtol=1e-6)
    assert images.min() >= 0.0 and images.max() <= 1.0


def test_one_image_becomes_a_batch_of_one():
    image = np.full((4, 5, 3), 51, "uint8")
    preprocessor = ImagePreprocessor((4, 5, 3))
    single = preprocessor(image)
    assert single.shape == (1, 4, 5, 3)
    assert_same_outputs(single, preprocessor(image[None]))
    assert_same_outputs(single, preprocessor(image.tolist()))


def test_grayscale_images_may_leave_out_the_channel_axis():
    digits = np.arange(2 * 28 * 28).reshape(2, 28, 28) % 256
    preprocessor = ImagePreprocessor((28, 28, 1))
    images = preprocessor(digits.astype("uint8"))
    assert images.shape == (2, 28, 28, 1)
    assert_same_outputs(images, preprocessor(digits[..., None].astype("uint8")))
    assert preprocessor(digits[0]).shape == (1, 28, 28, 1)


def test_scale_and_offset_per_channel_and_labels():
    preprocessor = ImagePreprocessor((1, 1, 3), scale=[1.0, 2.0, 0.5], offset=-1.0)
    images, labels = preprocessor(np.array([[[[2.0, 2.0, 2.0]]]]), [7])
    np.testing.assert_array_equal(images[0, 0, 0], [1.0, 3.0, 0.0])
    assert labels.tolist() == [7]
    floats = ImagePreprocessor((1, 1, 3), scale=1.0)(np.full((1, 1, 3), 0.25))
    np.testing.assert_array_equal(floats, np.full((1, 1, 1, 3), 0.25, "float32"))


def test_config_round_trip_and_save(tmp_path):
    preprocessor = ImagePreprocessor([8, 8, 3], scale=[0.5, 1.0, 2.0], offset=0.25)
    revived = from_config(preprocessor)
    assert revived.get_config() == preprocessor.get_config()
    assert revived.image_shape == (8, 8, 3)
    images = np.random.default_rng(1).integers(0, 256, (2, 8, 8, 3), dtype="uint8")
    assert_same_outputs(revived(images), preprocessor(images))
    loaded = save_and_load({"images": preprocessor}, tmp_path / "m.keras")["images"]
    assert_same_outputs(loaded(images), preprocessor(images))


@pytest.mark.parametrize(
    "images, error, match",
    [
        (np.zeros((2, 8, 8, 1)), ValueError, r"channels 1 instead of 3"),
        (np.zeros((2, 7, 8, 3)), ValueError, r"height 7 instead of 8"),
        (np.zeros((8, 8)), ValueError, r"Received: images of shape \(8, 8\)"),
        (np.zeros((1, 2, 8, 8, 3)), ValueError, r"of shape \(1, 2, 8, 8, 3\)"),
        (np.zeros((0, 8, 8, 3)), ValueError, "`images` must be a non-empty batch"),
        ([], ValueError, r"images of shape \(0,\)"),
        (np.array([["a"]]), TypeError, "numeric.*Received: images of dtype <U1"),
        ([np.zeros((8, 8, 3)), np.zeros((4, 4, 3))], TypeError, "ragged"),
    ],
)
def test_bad_images(images, error, match):
    with pytest.raises(error, match=match):
        ImagePreprocessor((8, 8, 3))(images)


def test_bad_images_messages_name_what_is_allowed():
    with pytest.raises(ValueError, match=r"one image of shape \(8, 8, 3\).*batch"):
        ImagePreprocessor((8, 8, 3))(np.zeros((2, 8, 8, 1)))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"image_shape": (8, 8)}, r"`image_shape` must be a tuple of 3 positive"),
        ({"image_shape": (8, 0, 3)}, r"image_shape=\(8, 0, 3\)"),
        ({"image_shape": 8}, "image_shape=8"),
        ({"scale": [1.0, 2.0]}, r"`scale` must be a float or a list of 3 floats"),
        ({"offset": "0"}, "offset='0'"),
        ({"scale": True}, "scale=True"),
    ],
)
def test_bad_arguments(kwargs, match):
    kwargs = {"image_shape": (8, 8, 3), **kwargs}
    with pytest.raises(ValueError, match=match):
        ImagePreprocessor(**kwargs)


def test_error_messages_are_not_buried_under_the_batch():
    # Keras would append the whole batch to the message of a failing call.
    with pytest.raises(ValueError) as error:
        ImagePreprocessor((8, 8, 3))(np.zeros((64, 8, 8, 1)))
    assert str(error.value).startswith("`images` must be one image of shape")
    assert "Arguments received" not in str(error.value)
