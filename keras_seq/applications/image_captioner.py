import keras
import numpy as np

from keras_seq.layers import PatchEmbedding
from keras_seq.layers.transformer_stacks import TransformerDecoderStack
from keras_seq.layers.transformer_stacks import TransformerEncoderStack
from keras_seq.models.generative import GenerativeTask
from keras_seq.presets.weights import load_weights
from keras_seq.utils.validation import check_input_shape
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate
from keras_seq.utils.validation import check_transformer_sizes
from keras_seq.utils.validation import check_vocabulary_size


@keras.saving.register_keras_serializable(package="keras_seq")
class ImageCaptioner(GenerativeTask):
    """Describes an image with a token sequence: a ViT encoder and a text decoder.

    The image is cut into patches (`PatchEmbedding`) that a stack of
    transformer encoder layers reads; the decoder reads `token_ids` (the
    caption shifted right: a start token, then the caption without its last
    token) and attends to the encoded patches. The model returns logits
    `(batch, time, vocabulary_size)` of the next caption token. `generate`
    encodes the image once, then emits one token at a time with a
    key/value cache. All layers are pre-norm.

    `generate(images, max_length=None, sampler=None, *, start_token_id,
    end_token_id=None)` captions each image (see `GenerativeTask.generate`):
    `images` are `(batch, height, width, channels)` floats; it returns
    `(batch, max_length)` int32 NumPy ids (default and most: the model's
    `max_length`), each row `start_token_id` and then the generated tokens.

    Args:
        input_shape: `(height, width, channels)` of the images; height and
            width must be divisible by `patch_size`.
        patch_size: int or `(height, width)` of each patch.
        vocabulary_size: number of caption token ids, padding id 0 included.
        max_length: the longest caption (its learned positions), also the
            default length of `generate`.
        num_layers: number of encoder layers, and of decoder layers.
        num_heads, hidden_dim, intermediate_dim, dropout: sizes of both.
        weights: None, a registered name, or a `.weights.h5` path to load.
        preprocessor: None (model inputs), or the `keras_seq.preprocessing`
            preprocessor of raw inputs, saved with the model.
        name: name of the model.
        dtype: dtype policy of every layer, e.g. `"mixed_bfloat16"`
            (default: the global policy); the logits are float32 always.

    Example:

    >>> model = ImageCaptioner((16, 16, 3), 4, vocabulary_size=20,
    ...                        max_length=8, hidden_dim=16)
    >>> model.compile()
    >>> images = np.random.uniform(size=(4, 16, 16, 3))
    >>> captions = np.random.randint(3, 20, size=(4, 7))
    >>> decoder_inputs = np.concatenate([np.ones((4, 1), "int32"), captions], 1)
    >>> _ = model.fit({"images": images, "token_ids": decoder_inputs[:, :-1]},
    ...               captions, epochs=1, verbose=0)
    >>> model.generate(images, start_token_id=1, end_token_id=2).shape
    (4, 8)
    """

    encoder_decoder = True

    def __init__(
        self,
        input_shape,
        patch_size,
        vocabulary_size,
        max_length,
        num_layers=2,
        num_heads=2,
        hidden_dim=64,
        intermediate_dim=128,
        dropout=0.0,
        weights=None,
        preprocessor=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        input_shape = check_input_shape(input_shape, rank=3)
        check_vocabulary_size("vocabulary_size", vocabulary_size)
        check_positive_int("max_length", max_length)
        check_transformer_sizes(num_layers, num_heads, hidden_dim, intermediate_dim)
        check_rate("dropout", dropout)
        patch_embedding = PatchEmbedding(
            patch_size,
            hidden_dim,
            class_token=False,
            dtype=dtype,
            name="patch_embedding",
        )
        encoder_stack = TransformerEncoderStack(
            num_layers,
            num_heads,
            intermediate_dim,
            dropout,
            dtype=dtype,
            name="encoder",
        )
        decoder_stack = TransformerDecoderStack(
            vocabulary_size,
            max_length,
            num_layers,
            num_heads,
            hidden_dim,
            intermediate_dim,
            dropout,
            dtype=dtype,
            name="decoder",
        )
        # Named list inputs: the model takes a list, or a dict by name.
        images = keras.Input(shape=input_shape, name="images")
        token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        encoder_outputs = encoder_stack(patch_embedding(images))
        super().__init__(
            [images, token_ids],
            decoder_stack(token_ids, encoder_outputs=encoder_outputs),
            init_config={
                "input_shape": input_shape,
                "patch_size": patch_size,
                "vocabulary_size": vocabulary_size,
                "max_length": max_length,
                "num_layers": num_layers,
                "num_heads": num_heads,
                "hidden_dim": hidden_dim,
                "intermediate_dim": intermediate_dim,
                "dropout": dropout,
            },
            decoder_stack=decoder_stack,
            max_length=max_length,
            preprocessor=preprocessor,
            name=name,
            dtype=dtype,
            **kwargs,
        )
        self.patch_embedding = patch_embedding
        self.encoder_stack = encoder_stack
        load_weights(self, weights)

    def _length_limits(self):
        return {"token_ids": ("max_length", self.init_config["max_length"])}

    def _check_source(self, inputs):
        images = np.asarray(inputs, dtype="float32")
        expected = tuple(self.init_config["input_shape"])
        if images.ndim != 4 or images.shape[1:] != expected or not len(images):
            raise ValueError(
                f"`images` must be a non-empty batch of images of shape {expected}. "
                f"Received: images of shape {images.shape}"
            )
        return {"images": images}

    def _encode(self, source):
        patches = self.patch_embedding(source["images"])
        return {"encoder_outputs": self.encoder_stack(patches)}
