import keras

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

    def call(self, x, y=None, sample_weight=None):
        texts = text_batch("x", x)
        rows = tokenize(self.tokenizer, texts)
        check_no_special_ids("x", texts, rows, ())
        rows = fit_rows("x", rows, texts, self.sequence_length, self.truncate)
        return pack_outputs(pad_ids(rows, self.sequence_length), y, sample_weight)
