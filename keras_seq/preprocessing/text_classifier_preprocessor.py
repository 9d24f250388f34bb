import keras

from keras_seq.preprocessing.preprocessor import Preprocessor
from keras_seq.preprocessing.preprocessor import check_bool
from keras_seq.preprocessing.preprocessor import check_no_special_ids
from keras_seq.preprocessing.preprocessor import check_tokenizer
from keras_seq.preprocessing.preprocessor import deserialize_layer
from keras_seq.preprocessing.preprocessor import fit_rows
from keras_seq.preprocessing.preprocessor import pack_outputs
from keras_seq.preprocessing.preprocessor import pad_ids
from keras_seq.preprocessing.preprocessor import serialize_tokenizer
from keras_seq.preprocessing.preprocessor import text_batch
from keras_seq.preprocessing.preprocessor import tokenize
from keras_seq.utils.validation import check_positive_int


@keras.saving.register_keras_serializable(package="keras_seq")
class TextClassifierPreprocessor(Preprocessor):
    """Texts to the `token_ids` of a `TextClassifier` (or any id classifier).

    Each text is tokenized (no start or end id: the classifier pools the
    whole sequence, or reads its own class token) and the batch is
    right-padded with 0 to the longest text rounded up to a power of two
    (see `padded_length`), at most `sequence_length` ids. A longer text is
    cut to its first `sequence_length` ids, or raises a ValueError with
    `truncate=False`. An empty string is a row of padding only. Labels `y`
    and `sample_weight` pass through as NumPy arrays.

    Args:
        tokenizer: a KerasHub tokenizer with id 0 as padding (see
            `train_byte_pair_tokenizer` and `character_tokenizer`).
        sequence_length: the most ids a text keeps (the model's
            `max_length`).
        truncate: whether to cut longer texts (else they raise).
        **kwargs: `keras.layers.Layer` arguments (`name`).

    Example:

    >>> from keras_seq.preprocessing import TextClassifierPreprocessor
    >>> from keras_seq.preprocessing import character_tokenizer
    >>> tokenizer = character_tokenizer()
    >>> preprocessor = TextClassifierPreprocessor(tokenizer, sequence_length=16)
    >>> token_ids, labels = preprocessor(["Bravo", "Non"], [1, 0])
    >>> token_ids
    array([[ 66, 114,  97, 118, 111,   0,   0,   0],
           [ 78, 111, 110,   0,   0,   0,   0,   0]], dtype=int32)
    >>> labels
    array([1, 0])
    """

    def __init__(self, tokenizer, sequence_length, truncate=True, **kwargs):
        super().__init__(**kwargs)
        self.tokenizer = check_tokenizer("tokenizer", tokenizer)
        self.sequence_length = check_positive_int("sequence_length", sequence_length)
        self.truncate = check_bool("truncate", truncate)

    @property
    def vocabulary_size(self):
        """The number of token ids, padding included: the model's `vocabulary_size`."""
        return self.tokenizer.vocabulary_size()

    def call(self, x, y=None, sample_weight=None):
        texts = text_batch("x", x)
        rows = tokenize(self.tokenizer, texts)
        check_no_special_ids("x", texts, rows, ())
        rows = fit_rows("x", rows, texts, self.sequence_length, self.truncate)
        return pack_outputs(pad_ids(rows, self.sequence_length), y, sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "tokenizer": serialize_tokenizer(self.tokenizer),
                "sequence_length": self.sequence_length,
                "truncate": self.truncate,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["tokenizer"] = deserialize_layer(config["tokenizer"])
        return cls(**config)
