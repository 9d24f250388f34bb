import numpy as np
import pytest

from keras_seq.preprocessing import ImageCaptionerPreprocessor
from keras_seq.preprocessing import ImagePreprocessor
from keras_seq.preprocessing import character_tokenizer
from keras_seq.preprocessing import train_byte_pair_tokenizer
from tests.preprocessing.checks import ENGLISH
from tests.preprocessing.checks import assert_same_outputs
from tests.preprocessing.checks import from_config
from tests.preprocessing.checks import real_lengths
from tests.preprocessing.checks import save_and_load

CAPTIONS = ["a seven", "a one above a four", ""]


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).integers(0, 256, (3, 8, 8, 1), dtype="uint8")


def test_images_and_shifted_captions(images):
    preprocessor = ImageCaptionerPreprocessor(
        ImagePreprocessor((8, 8, 1)), character_tokenizer(), 32
    )
    x, y = preprocessor(images, CAPTIONS)
    assert sorted(x) == ["images", "token_ids"]
    np.testing.assert_allclose(x["images"], images / 255.0, rtol=1e-6)
    assert x["images"].dtype == np.float32
    token_ids = x["token_ids"]
    assert token_ids.dtype == y.dtype == np.int32 and token_ids.shape == (3, 32)
    lengths = real_lengths(token_ids)
    np.testing.assert_array_equal(lengths, real_lengths(y))
    for inputs, targets, caption, n in zip(token_ids, y, CAPTIONS, lengths):
        assert inputs[:n].tolist() == [2, *map(ord, caption)]
        assert targets[:n].tolist() == [*map(ord, caption), 3]
    assert (preprocessor.start_token_id, preprocessor.end_token_id) == (2, 3)
    assert preprocessor.generate_postprocess(token_ids) == CAPTIONS


def test_generate_preprocess_returns_the_images(images):
    preprocessor = ImageCaptionerPreprocessor(
        ImagePreprocessor((8, 8, 1)), character_tokenizer(), 16
    )
    generated = preprocessor.generate_preprocess(images[0])
    assert generated.shape == (1, 8, 8, 1) and generated.dtype == np.float32
    assert_same_outputs(generated, preprocessor(images, CAPTIONS)[0]["images"][:1])


def test_truncation(images):
    preprocessor = ImageCaptionerPreprocessor(
        ImagePreprocessor((8, 8, 1)), character_tokenizer(), 5
    )
    x, y = preprocessor(images, CAPTIONS)
    assert x["token_ids"].shape == (3, 5)
    assert y[1].tolist() == list(map(ord, "a one"))
    strict = ImageCaptionerPreprocessor(
        ImagePreprocessor((8, 8, 1)), character_tokenizer(), 5, truncate=False
    )
    with pytest.raises(ValueError, match=r"`y\[0\]` is 9 ids long.*truncate"):
        strict(images, CAPTIONS)


def test_config_round_trip_and_save_with_assets(images, tmp_path):
    tokenizer = train_byte_pair_tokenizer(ENGLISH + CAPTIONS, 300, min_frequency=1)
    preprocessor = ImageCaptionerPreprocessor(
        ImagePreprocessor((8, 8, 1), scale=2.0), tokenizer, 16, truncate=False
    )
    revived = from_config(preprocessor)
    assert revived.get_config() == preprocessor.get_config()
    assert isinstance(revived.image_preprocessor, ImagePreprocessor)
    loaded = save_and_load({"captions": preprocessor}, tmp_path / "m.keras")
    loaded = loaded["captions"]
    assert loaded.get_config() == preprocessor.get_config()
    assert_same_outputs(loaded(images, CAPTIONS), preprocessor(images, CAPTIONS))
    assert loaded.generate_postprocess(loaded(images, CAPTIONS)[1]) == CAPTIONS


@pytest.mark.parametrize(
    "x, y, error, match",
    [
        (np.zeros((3, 8, 8, 1)), None, ValueError, "needs the captions `y`"),
        (np.zeros((2, 8, 8, 1)), CAPTIONS, ValueError, "2 images and 3 captions"),
        (np.zeros((3, 8, 8, 3)), CAPTIONS, ValueError, "channels 3 instead of 1"),
        (np.zeros((3, 8, 8, 1)), ["a", "b", 3], TypeError, r"y\[2\]=3"),
        (np.zeros((3, 8, 8, 1)), [], ValueError, "`y` must be a non-empty batch"),
    ],
)
def test_bad_inputs(x, y, error, match):
    preprocessor = ImageCaptionerPreprocessor(
        ImagePreprocessor((8, 8, 1)), character_tokenizer(), 16
    )
    with pytest.raises(error, match=match):
        preprocessor(x, y)


def test_bad_image_preprocessor():
    with pytest.raises(TypeError, match="`image_preprocessor` must be an Image"):
        ImageCaptionerPreprocessor((8, 8, 1), character_tokenizer(), 16)
