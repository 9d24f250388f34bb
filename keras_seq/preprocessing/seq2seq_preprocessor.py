import keras

from keras_seq.preprocessing.preprocessor import Preprocessor
from keras_seq.preprocessing.preprocessor import check_bool
from keras_seq.preprocessing.preprocessor import check_no_special_ids
from keras_seq.preprocessing.preprocessor import check_tokenizer
from keras_seq.preprocessing.preprocessor import deserialize_layer
from keras_seq.preprocessing.preprocessor import fit_rows
from keras_seq.preprocessing.preprocessor import generated_texts
from keras_seq.preprocessing.preprocessor import pack_outputs
from keras_seq.preprocessing.preprocessor import pad_ids
from keras_seq.preprocessing.preprocessor import serialize_tokenizer
from keras_seq.preprocessing.preprocessor import shifted_ids
from keras_seq.preprocessing.preprocessor import text_batch
from keras_seq.preprocessing.preprocessor import tokenize
from keras_seq.preprocessing.tokenizers import special_token_ids
from keras_seq.utils.validation import check_positive_int


@keras.saving.register_keras_serializable(package="keras_seq")
class Seq2SeqPreprocessor(Preprocessor):
    """Source and target texts to the inputs and targets of a seq2seq model.

    For `Seq2SeqTransformer` and `Seq2SeqRNN`. A source becomes its ids
    and the source tokenizer's end id (so that even an empty source is one
    real id); a target becomes the start id, its ids and the end id, of
    which the decoder reads all but the last (`target_ids`) and learns to
    predict all but the first (`y`). Each is right-padded with 0 to its
    longest row rounded up to a power of two (see `padded_length`): at
    most `source_length` source ids and `target_length` target ids. A
    longer text is cut (losing its end id), or raises a ValueError with
    `truncate=False`.

    `call(sources, targets)` returns `({"source_ids", "target_ids"}, y)`;
    the targets are required. `generate_preprocess(sources)` returns the
    source ids `model.generate` takes, with `start_token_id` and
    `end_token_id` (the target tokenizer's) as its `start_token_id` and
    `end_token_id`; `generate_postprocess(token_ids)` turns generated ids
    back into text.

    Args:
        source_tokenizer: the KerasHub tokenizer of the sources (id 0 pads).
        target_tokenizer: the tokenizer of the targets, with start and end
            ids (see `special_token_ids`); None (or the same object) uses
            `source_tokenizer` for both, saved once.
        source_length: the most source ids (the model's `max_length`).
        target_length: the most target ids the decoder reads (the model's
            `target_max_length`, also the longest `generate` output).
        truncate: whether to cut longer texts (else they raise).
        **kwargs: `keras.layers.Layer` arguments (`name`).

    Example:

    >>> from keras_seq.preprocessing import Seq2SeqPreprocessor
    >>> from keras_seq.preprocessing import character_tokenizer
    >>> preprocessor = Seq2SeqPreprocessor(character_tokenizer(), None, 8, 8)
    >>> x, y = preprocessor(["cat"], ["chat"])
    >>> x["source_ids"]
    array([[ 99,  97, 116,   3,   0,   0,   0,   0]], dtype=int32)
    >>> x["target_ids"]
    array([[  2,  99, 104,  97, 116,   0,   0,   0]], dtype=int32)
    >>> y
    array([[ 99, 104,  97, 116,   3,   0,   0,   0]], dtype=int32)
    >>> preprocessor.generate_postprocess([[2, 99, 104, 97, 116, 3, 0, 0]])
    ['chat']
    """

    def __init__(
        self,
        source_tokenizer,
        target_tokenizer,
        source_length,
        target_length,
        truncate=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.source_tokenizer = check_tokenizer("source_tokenizer", source_tokenizer)
        if target_tokenizer is None:
            target_tokenizer = source_tokenizer
        self.target_tokenizer = check_tokenizer("target_tokenizer", target_tokenizer)
        self.source_length = check_positive_int("source_length", source_length)
        self.target_length = check_positive_int("target_length", target_length)
        self.truncate = check_bool("truncate", truncate)

    @property
    def start_token_id(self):
        """The id every target starts with (`generate`'s `start_token_id`)."""
        return special_token_ids(self.target_tokenizer)[0]

    @property
    def end_token_id(self):
        """The id that ends every target (`generate`'s `end_token_id`)."""
        return special_token_ids(self.target_tokenizer)[1]

    @property
    def source_vocabulary_size(self):
        """The number of source ids, padding included."""
        return self.source_tokenizer.vocabulary_size()

    @property
    def target_vocabulary_size(self):
        """The number of target ids, padding included."""
        return self.target_tokenizer.vocabulary_size()

    def _source_ids(self, x):
        texts = text_batch("x", x)
        rows = tokenize(self.source_tokenizer, texts)
        special = special_token_ids(self.source_tokenizer)
        check_no_special_ids("x", texts, rows, special)
        rows = fit_rows(
            "x", rows, texts, self.source_length, self.truncate, None, special[1]
        )
        return pad_ids(rows, self.source_length)

    def call(self, x, y=None, sample_weight=None):
        if y is None:
            raise ValueError(
                "Seq2SeqPreprocessor needs the target texts `y` as well as the "
                "sources `x` (for sources alone, to generate, use "
                "`generate_preprocess`). Received: y=None"
            )
        source_ids = self._source_ids(x)
        targets = text_batch("y", y)
        if len(targets) != len(source_ids):
            raise ValueError(
                "`x` and `y` must hold as many texts. Received: "
                f"{len(source_ids)} sources and {len(targets)} targets"
            )
        target_ids, next_ids = shifted_ids(
            "y", self.target_tokenizer, targets, self.target_length, self.truncate
        )
        inputs = {"source_ids": source_ids, "target_ids": target_ids}
        return pack_outputs(inputs, next_ids, sample_weight)

    def generate_preprocess(self, x):
        """Source texts (str or a batch of str) to the source ids of `model.generate`.

        Returns:
            An int32 `(batch, time)` array, as `call` makes `source_ids`.
        """
        return self._source_ids(x)

    def generate_postprocess(self, token_ids):
        """Generated target ids `(batch, time)` to a list of str.

        Each row loses its leading start id and is cut at its end id (or
        its first padding 0); the rest is detokenized.
        """
        return generated_texts(self.target_tokenizer, token_ids)

    def get_config(self):
        config = super().get_config()
        shared = self.target_tokenizer is self.source_tokenizer
        config.update(
            {
                "source_tokenizer": serialize_tokenizer(self.source_tokenizer),
                # A shared tokenizer is saved once, with its assets once.
                "target_tokenizer": (
                    None if shared else serialize_tokenizer(self.target_tokenizer)
                ),
                "source_length": self.source_length,
                "target_length": self.target_length,
                "truncate": self.truncate,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in ("source_tokenizer", "target_tokenizer"):
            config[name] = deserialize_layer(config[name])
        return cls(**config)
