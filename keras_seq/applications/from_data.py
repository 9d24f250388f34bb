"""`Builder.from_data(data)`: a classifier sized and fitted to a user's data.

`FromData` gives `TextClassifier`, `RNNClassifier`, `ViT` and `ViViT` the
class method `from_data`: the model for a `keras_seq.data.Data` (what
`keras_seq.data.load` returns), with its preprocessor fitted on the
training part only (a text vocabulary; a series scaling), its classes and
class names (`labels`, saved in the `.keras` file) those of the data, and
compiled with its defaults. Any constructor argument can be given to
override the sizes chosen here.

Example:

    data = keras_seq.data.load("reviews.csv")
    model = TextClassifier.from_data(data)
    model.fit(*data.train, validation_data=data.validation, epochs=3)
    model.predict_labels(data.test.x)        # ['pos', 'neg', ...]
"""

# What each builder reads: `Data.inputs` of its data.
INPUTS = {
    "TextClassifier": "text",
    "RNNClassifier": "series",
    "ViT": "image",
    "ViViT": "video",
}
# A new text vocabulary: at most this many tokens, texts cut to this length.
VOCABULARY_SIZE = 8_000
TEXT_LENGTH = 64


def _text(x, options):
    from keras_seq.preprocessing import TextClassifierPreprocessor
    from keras_seq.preprocessing import train_byte_pair_tokenizer

    size = options.pop("vocabulary_size", VOCABULARY_SIZE)
    length = options.pop("max_length", TEXT_LENGTH)
    tokenizer = train_byte_pair_tokenizer(list(x), size)
    return {
        "vocabulary_size": tokenizer.vocabulary_size(),
        "max_length": length,
        "num_layers": 1,
        "num_heads": 4,
        "hidden_dim": 64,
        "intermediate_dim": 128,
        "dropout": 0.4,
        "preprocessor": TextClassifierPreprocessor(tokenizer, length),
    }


def _series(x, options):
    from keras_seq.preprocessing import SeriesPreprocessor

    channels = x[0].shape[-1]
    preprocessor = SeriesPreprocessor(channels=channels)
    preprocessor.adapt(list(x))
    return {
        "cell": "lstm",
        "input_shape": (None, channels),
        "hidden_dim": 64,
        "dropout": 0.3,
        "preprocessor": preprocessor,
    }


def _image(x, options):
    from keras_seq.preprocessing import ImagePreprocessor

    shape = tuple(x.shape[1:])
    return {
        "input_shape": shape,
        "patch_size": (max(shape[0] // 4, 1), max(shape[1] // 4, 1)),
        "num_layers": 2,
        "num_heads": 4,
        "hidden_dim": 64,
        "intermediate_dim": 128,
        "preprocessor": ImagePreprocessor(shape),
    }


def _video(x, options):
    from keras_seq.preprocessing import VideoPreprocessor

    shape = tuple(x.shape[1:])
    return {
        "input_shape": shape,
        "tubelet_size": tuple(max(side // 4, 1) for side in shape[:3]),
        "num_layers": 2,
        "num_heads": 4,
        "hidden_dim": 64,
        "intermediate_dim": 128,
        "preprocessor": VideoPreprocessor(shape),
    }


_ARGUMENTS = {"text": _text, "series": _series, "image": _image, "video": _video}


class FromData:
    """Gives a classifier `from_data`: built for, and fitted on, a user's data."""

    @classmethod
    def from_data(cls, data, **kwargs):
        """A new model for `data`, its preprocessor fitted on `data.train` only.

        Args:
            data: a `keras_seq.data.Data` of class labels (from
                `keras_seq.data.load`); a streamed one is fitted on its
                first rows (`Data.training_sample`).
            **kwargs: constructor arguments that replace those chosen
                here (sizes, `dropout`...); a text classifier also takes
                `vocabulary_size` (the most tokens of the vocabulary it
                learns) and `max_length`.

        Returns:
            The model, compiled with its defaults, its `labels` the data's.

        Raises:
            ValueError: `data` holds no class labels, or inputs of another kind.
        """
        wanted = INPUTS[cls.__name__]
        if getattr(data, "labels", None) is None or data.inputs != wanted:
            held = getattr(data, "inputs", type(data).__name__)
            raise ValueError(
                f"`data` must be a `keras_seq.data.Data` of {wanted} inputs and "
                f"class labels for {cls.__name__}. Received: {held} inputs, "
                f"labels={getattr(data, 'labels', None)!r}"
            )
        x, _ = data.training_sample()
        arguments = _ARGUMENTS[wanted](x, kwargs)
        arguments.update(classes=len(data.labels), labels=data.labels)
        arguments.update(kwargs)
        model = cls(**arguments)
        model.compile()
        return model
