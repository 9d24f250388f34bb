import keras

from keras_seq.preprocessing.preprocessor import Preprocessor
from keras_seq.preprocessing.preprocessor import check_bool
from keras_seq.preprocessing.preprocessor import check_tokenizer
from keras_seq.preprocessing.preprocessor import deserialize_layer
from keras_seq.preprocessing.preprocessor import generated_texts
from keras_seq.preprocessing.preprocessor import serialize_tokenizer
from keras_seq.preprocessing.tokenizers import special_token_ids
from keras_seq.utils.validation import check_positive_int


@keras.saving.register_keras_serializable(package="keras_seq")
class TextPreprocessor(Preprocessor):
    """Base of the preprocessors of one tokenized text per example.

    Holds what they share: the KerasHub tokenizer (saved with its
    vocabulary as assets), the most ids a sequence keeps, whether longer
    texts are cut or refused, the tokenizer's start and end ids, and the
    way generated ids go back to text. Subclasses implement `call`.

    Args:
        tokenizer: a KerasHub tokenizer with id 0 as padding (see
            `train_byte_pair_tokenizer` and `character_tokenizer`; the
            generative preprocessors need its start and end ids, see
            `special_token_ids`).
        sequence_length: the most ids a sequence keeps (the model's
            `max_length`).
        truncate: whether to cut longer texts (else they raise a
            ValueError naming the argument).
        **kwargs: `keras.layers.Layer` arguments (`name`).
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

    @property
    def start_token_id(self):
        """The id every generated sequence starts with (`generate`'s)."""
        return special_token_ids(self.tokenizer)[0]

    @property
    def end_token_id(self):
        """The id that ends every sequence (`generate`'s `end_token_id`)."""
        return special_token_ids(self.tokenizer)[1]

    def generate_postprocess(self, token_ids):
        """Generated ids `(batch, time)` to a list of str.

        Each row loses its leading start id and is cut at its end id (or
        its first padding 0); the rest is detokenized.
        """
        return generated_texts(self.tokenizer, token_ids)

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
