"""Token ids as text, and which ids are special (padding, start, end, unknown).

`keras_seq.preprocessing.special_token_ids` knows the start and end
tokens of the generative models' tokenizers; a classifier's WordPiece
tokenizer has neither, only padding (id 0), its unknown token and
whatever special tokens it was given. These helpers take any of them.

Example:

>>> from keras_seq.preprocessing import character_tokenizer
>>> tokenizer = character_tokenizer(["abc"])
>>> token_text(tokenizer, 0)
'<pad>'
"""


def text_tokenizer(preprocessor):
    """The tokenizer of a text preprocessor (the source's for seq2seq), or None.

    Args:
        preprocessor: an application's preprocessor.
    """
    for name in ("tokenizer", "source_tokenizer"):
        tokenizer = getattr(preprocessor, name, None)
        if tokenizer is not None:
            return tokenizer
    return None


def special_tokens(tokenizer):
    """`{id: name}` of the tokenizer's special tokens, padding (id 0) included.

    Args:
        tokenizer: a KerasHub tokenizer (or one of `keras_seq.preprocessing`).
    """
    from keras_seq.preprocessing import special_token_ids

    special = {0: "<pad>"}
    try:
        start, end = special_token_ids(tokenizer)
    except ValueError:  # a classifier's tokenizer: no start and end tokens
        pass
    else:
        special[start], special[end] = "<start>", "<end>"
    names = [getattr(tokenizer, "oov_token", None)]
    names += list(getattr(tokenizer, "special_tokens", None) or [])
    for name in names:
        if not isinstance(name, str):
            continue
        try:
            token_id = tokenizer.token_to_id(name)
        except (KeyError, ValueError, AttributeError):
            continue
        if token_id is not None:
            special.setdefault(int(token_id), name)
    return special


def token_text(tokenizer, token_id, special=None):
    """The text of one token id (special tokens by their names).

    Args:
        tokenizer: the tokenizer the id belongs to.
        token_id: an int.
        special: `special_tokens(tokenizer)`, when known (saves finding it
            for every token).
    """
    special = special_tokens(tokenizer) if special is None else special
    if token_id in special:
        return special[token_id]
    text = tokenizer.detokenize([[token_id]])
    text = text[0] if isinstance(text, (list, tuple)) else text
    text = getattr(text, "numpy", lambda: text)()
    if hasattr(text, "ravel"):
        text = text.ravel()[0] if text.size else ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return str(text)


def _as_strings(texts):
    texts = getattr(texts, "numpy", lambda: texts)()
    if hasattr(texts, "tolist"):
        texts = texts.tolist()
    if isinstance(texts, (str, bytes)):
        texts = [texts]
    return [
        text.decode("utf-8", errors="replace") if isinstance(text, bytes) else str(text)
        for text in texts
    ]


def vocabulary_texts(tokenizer, vocabulary_size, special=None):
    """The text of every id below `vocabulary_size`, in one detokenizing call.

    Args:
        tokenizer: the tokenizer.
        vocabulary_size: how many ids.
        special: `special_tokens(tokenizer)`, when known.
    """
    special = special_tokens(tokenizer) if special is None else special
    texts = _as_strings(tokenizer.detokenize([[i] for i in range(vocabulary_size)]))
    if len(texts) != vocabulary_size:  # a detokenizer that joins its rows
        texts = [token_text(tokenizer, i, special) for i in range(vocabulary_size)]
    return [special.get(i, text) for i, text in enumerate(texts)]
