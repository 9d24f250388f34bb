"""Token ids as text, and which ids are special (padding, start, end, unknown).

`keras_seq.preprocessing.special_token_ids` knows the start and end
tokens of the generative models' tokenizers; a classifier's WordPiece
tokenizer has neither, only padding (id 0), its unknown token and
whatever special tokens it was given. These helpers take any of them.
"""


def special_tokens(tokenizer):
    """`{id: name}` of the tokenizer's special tokens, padding (id 0) included."""
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
    """The text of every id below `vocabulary_size`, in one detokenizing call."""
    special = special_tokens(tokenizer) if special is None else special
    texts = _as_strings(tokenizer.detokenize([[i] for i in range(vocabulary_size)]))
    if len(texts) != vocabulary_size:  # a detokenizer that joins its rows
        texts = [token_text(tokenizer, i, special) for i in range(vocabulary_size)]
    return [special.get(i, text) for i, text in enumerate(texts)]
