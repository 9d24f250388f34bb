import keras

from keras_seq.preprocessing.image_preprocessor import ImagePreprocessor
from keras_seq.preprocessing.preprocessor import deserialize_layer
from keras_seq.preprocessing.preprocessor import pack_outputs
from keras_seq.preprocessing.preprocessor import shifted_ids
from keras_seq.preprocessing.preprocessor import text_batch
from keras_seq.preprocessing.text_preprocessor import TextPreprocessor


@keras.saving.register_keras_serializable(package="keras_seq")
class ImageCaptionerPreprocessor(TextPreprocessor):
    """Images and captions to the inputs and next-token targets of an `ImageCaptioner`.

    The images go through `image_preprocessor` (float32, scaled); each
    caption becomes the start id, its ids and the end id, of which the
    decoder reads all but the last (`token_ids`) and learns to predict all
    but the first (`y`), right-padded with 0 to the longest caption rounded
    up to a power of two (see `padded_length`), at most `sequence_length`
    ids. A longer caption is cut (losing its end id), or raises a
    ValueError with `truncate=False`.

    `call(images, captions)` returns `({"images", "token_ids"}, y)`; the
    captions are required. `generate_preprocess(images)` returns the
    float32 images `model.generate` takes, with `start_token_id` and
    `end_token_id` as its `start_token_id` and `end_token_id`;
    `generate_postprocess(token_ids)` turns generated ids into captions.

    Args:
        image_preprocessor: an `ImagePreprocessor` for the model's images.
        tokenizer: the KerasHub tokenizer of the captions, with id 0 as
            padding and start and end ids (see `special_token_ids`).
        sequence_length: the most caption ids the decoder reads (the
            model's `max_length`).
        truncate: whether to cut longer captions (else they raise).
        **kwargs: `keras.layers.Layer` arguments (`name`).

    Example:

    >>> from keras_seq.preprocessing import ImageCaptionerPreprocessor
    >>> from keras_seq.preprocessing import ImagePreprocessor
    >>> from keras_seq.preprocessing import character_tokenizer
    >>> preprocessor = ImageCaptionerPreprocessor(
    ...     ImagePreprocessor((4, 4, 3)), character_tokenizer(), 8)
    >>> images = np.zeros((2, 4, 4, 3), "uint8")
    >>> x, y = preprocessor(images, ["a 7", "a 1"])
    >>> x["images"].shape, x["token_ids"].shape, y.shape
    ((2, 4, 4, 3), (2, 8), (2, 8))
    >>> preprocessor.generate_postprocess(y)
    ['a 7', 'a 1']
    """

    def __init__(
        self, image_preprocessor, tokenizer, sequence_length, truncate=True, **kwargs
    ):
        super().__init__(tokenizer, sequence_length, truncate, **kwargs)
        if not isinstance(image_preprocessor, ImagePreprocessor):
            raise TypeError(
                "`image_preprocessor` must be an ImagePreprocessor. Received: "
                f"image_preprocessor of type {type(image_preprocessor).__name__}"
            )
        self.image_preprocessor = image_preprocessor

    def call(self, x, y=None, sample_weight=None):
        if y is None:
            raise ValueError(
                "ImageCaptionerPreprocessor needs the captions `y` as well as the "
                "images `x` (for images alone, to generate, use "
                "`generate_preprocess`). Received: y=None"
            )
        images = self.image_preprocessor(x)
        captions = text_batch("y", y)
        if len(captions) != len(images):
            raise ValueError(
                "`x` and `y` must hold as many images as captions. Received: "
                f"{len(images)} images and {len(captions)} captions"
            )
        token_ids, next_ids = shifted_ids(
            "y", self.tokenizer, captions, self.sequence_length, self.truncate
        )
        inputs = {"images": images, "token_ids": token_ids}
        return pack_outputs(inputs, next_ids, sample_weight)

    def generate_preprocess(self, x):
        """Images (one or a batch) to the float32 images `model.generate` takes."""
        return self.image_preprocessor(x)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_preprocessor": keras.layers.serialize(self.image_preprocessor),
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["image_preprocessor"] = deserialize_layer(config["image_preprocessor"])
        return super().from_config(config)
