import keras

from keras_seq.preprocessing.preprocessor import check_no_special_ids
from keras_seq.preprocessing.preprocessor import fit_rows
from keras_seq.preprocessing.preprocessor import generated_texts
from keras_seq.preprocessing.preprocessor import pack_outputs
from keras_seq.preprocessing.preprocessor import pad_ids
from keras_seq.preprocessing.preprocessor import shifted_ids
from keras_seq.preprocessing.preprocessor import text_batch
from keras_seq.preprocessing.preprocessor import tokenize
from keras_seq.preprocessing.text_preprocessor import TextPreprocessor
from keras_seq.preprocessing.tokenizers import special_token_ids


@keras.saving.register_keras_serializable(package="keras_seq")
class CausalLMPreprocessor(TextPreprocessor):
    """Texts to the inputs and next-token targets of a `CausalLM`.

    Each text becomes the start id, its token ids and the end id; the
    model reads all but the last (`x`, its `token_ids`) and learns to
    predict all but the first (`y`): `y[:, t]` is the id after `x[:, t]`.
    Both are right-padded with `padding_id` (which the loss ignores) to the longest
    row rounded up to a power of two (see `padded_length`), at most
    `sequence_length` ids. A longer text is cut (and so has no end id: it
    does not end there), or raises a ValueError with `truncate=False`. An
    empty string is the start id followed by the end id.

    `generate_preprocess(prompts)` makes `model.generate`'s prompt ids:
    the start id and the prompt's ids, no end id, at most
    `sequence_length - 1` ids so that one can be generated.
    `generate_postprocess(token_ids)` turns generated ids back into text.

    Args:
        tokenizer: a KerasHub tokenizer with id 0 as padding and start and
            end ids (see `train_byte_pair_tokenizer`, `character_tokenizer`
            and `special_token_ids`).
        sequence_length: the most ids the model reads (its `max_length`).
        truncate: whether to cut longer texts (else they raise).
        padding_id: the id that pads: 0, or -1 for a tokenizer whose every
            id is a token (a converted GPT-2's, with `CausalLM(padding_id=-1)`).
        **kwargs: `keras.layers.Layer` arguments (`name`).

    Example:

    >>> from keras_seq.preprocessing import CausalLMPreprocessor
    >>> from keras_seq.preprocessing import character_tokenizer
    >>> preprocessor = CausalLMPreprocessor(character_tokenizer(), 16)
    >>> x, y = preprocessor(["to be"])
    >>> x
    array([[  2, 116, 111,  32,  98, 101,   0,   0]], dtype=int32)
    >>> y
    array([[116, 111,  32,  98, 101,   3,   0,   0]], dtype=int32)
    >>> preprocessor.generate_preprocess(["to"])
    array([[  2, 116, 111,   0,   0,   0,   0,   0]], dtype=int32)
    >>> preprocessor.generate_postprocess([[2, 116, 111, 3, 0]])
    ['to']
    """

    def __init__(
        self, tokenizer, sequence_length, truncate=True, padding_id=0, **kwargs
    ):
        super().__init__(tokenizer, sequence_length, truncate, **kwargs)
        if type(padding_id) is not int or padding_id not in (0, -1):
            raise ValueError(
                f"`padding_id` must be 0 or -1. Received: padding_id={padding_id!r}"
            )
        self.padding_id = padding_id

    def get_config(self):
        return {**super().get_config(), "padding_id": self.padding_id}

    def call(self, x, y=None, sample_weight=None):
        if y is not None:
            raise ValueError(
                "CausalLMPreprocessor makes its targets from the texts `x` (each "
                "next token): pass no `y`. Received: y of type "
                f"{type(y).__name__}"
            )
        texts = text_batch("x", x)
        inputs, targets = shifted_ids(
            "x",
            self.tokenizer,
            texts,
            self.sequence_length,
            self.truncate,
            self.padding_id,
        )
        return pack_outputs(inputs, targets, sample_weight)

    def generate_preprocess(self, x):
        """Prompts (str or a batch of str) to `model.generate`'s prompt ids.

        Returns:
            An int32 `(batch, time)` array: each row the start id and the
            prompt's ids (at most `sequence_length - 1` ids), right-padded
            with `padding_id`.
        """
        texts = text_batch("x", x)
        rows = tokenize(self.tokenizer, texts)
        check_no_special_ids(
            "x", texts, rows, special_token_ids(self.tokenizer), self.padding_id
        )
        limit = max(self.sequence_length - 1, 1)
        rows = fit_rows("x", rows, texts, limit, self.truncate, self.start_token_id)
        return pad_ids(rows, self.sequence_length, self.padding_id)

    def generate_postprocess(self, token_ids):
        """Generated ids `(batch, time)` to a list of str.

        Each row loses its leading start id and is cut at its end id (or
        its first padding); the rest is detokenized.
        """
        return generated_texts(self.tokenizer, token_ids, self.padding_id)
