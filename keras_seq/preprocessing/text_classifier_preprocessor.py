import keras

from keras_seq.preprocessing.preprocessor import check_bool
from keras_seq.preprocessing.preprocessor import check_no_special_ids
from keras_seq.preprocessing.preprocessor import fit_rows
from keras_seq.preprocessing.preprocessor import pack_outputs
from keras_seq.preprocessing.preprocessor import pad_ids
from keras_seq.preprocessing.preprocessor import text_batch
from keras_seq.preprocessing.preprocessor import tokenize
from keras_seq.preprocessing.text_preprocessor import TextPreprocessor


@keras.saving.register_keras_serializable(package="keras_seq")
class TextClassifierPreprocessor(TextPreprocessor):
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
        add_special_tokens: whether each text starts with the tokenizer's
            start id and ends with its end id (BERT's `[CLS]` and `[SEP]`,
            for a classifier that reads its first token), within
            `sequence_length`.
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

    def __init__(
        self,
        tokenizer,
        sequence_length,
        truncate=True,
        add_special_tokens=False,
        **kwargs,
    ):
        super().__init__(tokenizer, sequence_length, truncate=truncate, **kwargs)
        self.add_special_tokens = check_bool("add_special_tokens", add_special_tokens)

    def call(self, x, y=None, sample_weight=None):
        texts = text_batch("x", x)
        rows = tokenize(self.tokenizer, texts)
        special = (None, None)
        if self.add_special_tokens:
            special = (self.start_token_id, self.end_token_id)
        check_no_special_ids("x", texts, rows, tuple(i for i in special if i))
        rows = fit_rows("x", rows, texts, self.sequence_length, self.truncate, *special)
        if self.add_special_tokens and self.truncate:
            # A cut row still ends with the end id, as BERT's do.
            end = special[1]
            rows = [row if row[-1] == end else row[:-1] + [end] for row in rows]
        return pack_outputs(pad_ids(rows, self.sequence_length), y, sample_weight)

    def get_config(self):
        config = super().get_config()
        config["add_special_tokens"] = self.add_special_tokens
        return config
