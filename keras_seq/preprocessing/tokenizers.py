"""KerasHub tokenizers arranged for keras-seq models: id 0 pads, start/end ids exist.

Every keras-seq model reads token ids with id 0 as padding (its embeddings
use `mask_zero=True`), and the generative models need a start and an end
id that no text produces. Two tokenizers are arranged that way:

- `train_byte_pair_tokenizer`: a byte-level BPE vocabulary trained on
  the given texts with Hugging Face `tokenizers` (seconds for a book),
  returned as a `keras_hub.tokenizers.BytePairTokenizer`. `PAD_TOKEN`,
  `START_TOKEN` and `END_TOKEN` take ids 0, 1 and 2 and are never split.
  Byte-level BPE needs no unknown token: every byte is in the vocabulary,
  so every text round trips.
- `character_tokenizer`: a `keras_hub.tokenizers.UnicodeCodepointTokenizer`
  that keeps case and composes accents (NFC), one id per character: its
  code point. Code point 0 (NUL) pads; 2 (STX, "start of text") starts and
  3 (ETX, "end of text") ends, control characters that text never holds.

`special_token_ids(tokenizer)` finds the start and end ids of either (and
of a KerasHub model tokenizer with `start_token_id`/`end_token_id`).
"""

import json
import unicodedata

from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import is_int

PAD_TOKEN = "<|pad|>"
START_TOKEN = "<|start|>"
END_TOKEN = "<|end|>"
SPECIAL_TOKENS = (PAD_TOKEN, START_TOKEN, END_TOKEN)
# The control characters "start of text" and "end of text".
CHARACTER_START_ID = 0x02
CHARACTER_END_ID = 0x03
# Latin-1 and Latin Extended-A: ASCII and every letter of French (œ, Ÿ too).
DEFAULT_CHARACTER_VOCABULARY_SIZE = 0x180
_NORMALIZATION_FORMS = (None, "NFC", "NFKC", "NFD", "NFKD")


def _check_texts(texts):
    if isinstance(texts, (str, bytes)):
        texts = [texts]
    try:
        texts = list(texts)
    except TypeError:
        raise TypeError(
            "`texts` must be an iterable of str. Received: "
            f"texts of type {type(texts).__name__}"
        ) from None
    if not texts:
        raise ValueError("`texts` must hold at least one str. Received: texts=[]")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"`texts` must hold only str. Received: texts[{index}]={text!r} "
                f"of type {type(text).__name__}"
            )
    return texts


def train_byte_pair_tokenizer(texts, vocabulary_size, min_frequency=2):
    """Trains a byte-level BPE vocabulary on `texts`: a KerasHub `BytePairTokenizer`.

    Hugging Face `tokenizers` learns the merges (line by line) with the
    pre-tokenizer of KerasHub's own `BytePairTokenizer`, so the KerasHub
    tokenization of any text equals the trainer's (in KerasHub 0.32 that
    pre-tokenizer maps bytes to characters but does not split words, so a
    token may span a space). Ids 0, 1 and 2
    are `PAD_TOKEN`, `START_TOKEN` and `END_TOKEN`, which are never split
    (a text that holds one of these strings gets its id); the 256 byte
    tokens follow, then the merged tokens. Train it on the training texts
    only.

    Args:
        texts: an iterable of str to learn the merges from.
        vocabulary_size: the most token ids, special and byte tokens
            included (at least 259); fewer when the texts have fewer pairs
            to merge.
        min_frequency: how often a pair must occur to be merged.

    Returns:
        A `keras_hub.tokenizers.BytePairTokenizer`; its vocabulary and
        merges are saved as assets inside a `.keras` file.

    Example:

    >>> tokenizer = train_byte_pair_tokenizer(
    ...     ["to be, or not to be", "that is the question"], 300)
    >>> tokenizer.vocabulary_size() <= 300
    True
    >>> tokenizer.token_to_id(START_TOKEN), tokenizer.token_to_id(END_TOKEN)
    (1, 2)
    >>> tokenizer.detokenize(tokenizer.tokenize(["not to be"]))
    ['not to be']
    """
    import keras_hub

    trained = _train_hugging_face_tokenizer(texts, vocabulary_size, min_frequency)
    model = json.loads(trained.to_str())["model"]
    merges = [
        merge if isinstance(merge, str) else " ".join(merge)
        for merge in model["merges"]
    ]
    if not merges:
        # KerasHub's BytePairTokenizer cannot be built without merges.
        raise ValueError(
            "`texts` are too little text to learn any merge: no pair of "
            f"characters occurs min_frequency={min_frequency} times. Give more "
            "(or longer) texts, or a lower `min_frequency`."
        )
    return keras_hub.tokenizers.BytePairTokenizer(
        vocabulary=dict(model["vocab"]),
        merges=merges,
        unsplittable_tokens=list(SPECIAL_TOKENS),
    )


def _train_hugging_face_tokenizer(texts, vocabulary_size, min_frequency):
    """The Hugging Face `tokenizers.Tokenizer` that learns the BPE merges."""
    import keras_hub
    import tokenizers

    texts = _check_texts(texts)
    smallest = len(SPECIAL_TOKENS) + 256
    if not is_int(vocabulary_size) or vocabulary_size < smallest:
        raise ValueError(
            f"`vocabulary_size` must be an int of at least {smallest} (the "
            f"special tokens and the 256 bytes). Received: "
            f"vocabulary_size={vocabulary_size!r}"
        )
    check_positive_int("min_frequency", min_frequency)
    # The words are split exactly as KerasHub's BytePairTokenizer splits
    # them (its Python path is a Hugging Face tokenizer too): its own
    # pre-tokenizer. KerasHub 0.32 hands its word pattern to Hugging Face
    # as a plain string, not a regex, so words are not split before the
    # merges and a token may span a space ("noneĠ"); training on anything
    # else would learn merges that KerasHub then applies differently.
    probe = keras_hub.tokenizers.BytePairTokenizer(
        vocabulary={"a": 0, "b": 1, "ab": 2}, merges=["a b"]
    )
    trained = tokenizers.Tokenizer(tokenizers.models.BPE())
    trained.pre_tokenizer = probe._tokenizer.pre_tokenizer
    trained.decoder = tokenizers.decoders.ByteLevel()
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=int(vocabulary_size),
        min_frequency=int(min_frequency),
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    # Line by line: a book given as one string trains in a fraction of a
    # second instead of several, and no token spans a line end.
    lines = (line for text in texts for line in text.splitlines(keepends=True))
    trained.train_from_iterator(lines, trainer=trainer)
    return trained


def character_tokenizer(
    texts=None,
    vocabulary_size=None,
    lowercase=False,
    normalization_form="NFC",
):
    """A character tokenizer: KerasHub's `UnicodeCodepointTokenizer`, id = code point.

    Each character's id is its Unicode code point: 0 (NUL) is padding, 2
    (STX) the start id and 3 (ETX) the end id, control characters no text
    holds. Accents are composed first (`normalization_form="NFC"`), so "é"
    is one character whether it was typed as one code point or as "e" and
    a combining accent. Code points at or above `vocabulary_size` all map
    to the last id, `vocabulary_size - 1` (KerasHub's clamp), so choose it
    to cover the texts.

    Args:
        texts: optional texts (the training texts) that set
            `vocabulary_size` to one more than their largest code point
            (at least 128, all of ASCII).
        vocabulary_size: the number of ids (default with no `texts`: 384,
            Latin-1 and Latin Extended-A, ASCII and all French letters).
        lowercase: whether to lowercase texts before tokenizing.
        normalization_form: None, `"NFC"`, `"NFKC"`, `"NFD"` or `"NFKD"`.

    Returns:
        A `keras_hub.tokenizers.UnicodeCodepointTokenizer`.

    Example:

    >>> tokenizer = character_tokenizer()
    >>> tokenizer.vocabulary_size()
    384
    >>> ids = tokenizer.tokenize(["Élan", "cœur"])
    >>> ids
    [[201, 108, 97, 110], [99, 339, 117, 114]]
    >>> tokenizer.detokenize(ids)
    ['Élan', 'cœur']
    """
    import keras_hub

    if normalization_form not in _NORMALIZATION_FORMS:
        raise ValueError(
            f"`normalization_form` must be one of {_NORMALIZATION_FORMS}. "
            f"Received: normalization_form={normalization_form!r}"
        )
    if texts is not None and vocabulary_size is not None:
        raise ValueError(
            "Pass `texts` or `vocabulary_size`, not both. Received: "
            f"vocabulary_size={vocabulary_size!r} and texts"
        )
    if texts is not None:
        largest = 127
        for text in _check_texts(texts):
            if normalization_form:
                text = unicodedata.normalize(normalization_form, text)
            if lowercase:
                text = text.casefold()
            largest = max(largest, max(map(ord, text), default=0))
        vocabulary_size = largest + 1
    elif vocabulary_size is None:
        vocabulary_size = DEFAULT_CHARACTER_VOCABULARY_SIZE
    smallest = CHARACTER_END_ID + 1
    if not is_int(vocabulary_size) or vocabulary_size <= smallest:
        raise ValueError(
            f"`vocabulary_size` must be an int above {smallest}. Received: "
            f"vocabulary_size={vocabulary_size!r}"
        )
    return keras_hub.tokenizers.UnicodeCodepointTokenizer(
        lowercase=lowercase,
        normalization_form=normalization_form,
        vocabulary_size=int(vocabulary_size),
        errors="replace",
    )


def special_token_ids(tokenizer):
    """The `(start_token_id, end_token_id)` of a tokenizer.

    A KerasHub model tokenizer's own `start_token_id` and `end_token_id`;
    for a `BytePairTokenizer`, the ids of `START_TOKEN` and `END_TOKEN`
    (as `train_byte_pair_tokenizer` makes it); for a `ByteTokenizer` or a
    `UnicodeCodepointTokenizer`, 2 (STX) and 3 (ETX).

    Args:
        tokenizer: a KerasHub tokenizer whose vocabulary is set.

    Example:

    >>> special_token_ids(character_tokenizer())
    (2, 3)
    """
    import keras_hub

    start = getattr(tokenizer, "start_token_id", None)
    end = getattr(tokenizer, "end_token_id", None)
    if start is not None and end is not None:
        return int(start), int(end)
    if isinstance(
        tokenizer,
        (
            keras_hub.tokenizers.ByteTokenizer,
            keras_hub.tokenizers.UnicodeCodepointTokenizer,
        ),
    ):
        return CHARACTER_START_ID, CHARACTER_END_ID
    if isinstance(tokenizer, keras_hub.tokenizers.BytePairTokenizer):
        if tokenizer.vocabulary is None:
            raise ValueError(
                "The BytePairTokenizer has no vocabulary yet (it loads with the "
                "assets of a saved model)."
            )
        vocabulary = tokenizer.vocabulary
        if START_TOKEN in vocabulary and END_TOKEN in vocabulary:
            return vocabulary[START_TOKEN], vocabulary[END_TOKEN]
    raise ValueError(
        "`tokenizer` must have a start and an end token: a tokenizer of "
        "`train_byte_pair_tokenizer` or `character_tokenizer`, a KerasHub "
        "ByteTokenizer, or one with `start_token_id` and `end_token_id`. "
        f"Received: tokenizer={tokenizer!r}"
    )
