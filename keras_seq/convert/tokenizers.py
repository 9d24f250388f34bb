"""A checkpoint's tokenizer files as KerasHub tokenizers.

GPT-2's byte-level BPE (`vocab.json` and `merges.txt`, or the same in
`tokenizer.json`) becomes KerasHub's `GPT2Tokenizer` with GPT-2's word
split (`ByteLevelTokenizer`); BERT's WordPiece vocabulary (`vocab.txt`,
or `tokenizer.json`) becomes KerasHub's `BertTokenizer` with the
checkpoint's lowercasing and accent stripping.

Both give the checkpoint's own ids. GPT-2's id 0 is "!", so a converted
GPT-2 pads with -1 (`CausalLM(padding_id=-1)` and its preprocessor), not
with keras-seq's usual 0.
"""

import os

from keras_seq.convert.checkpoint import read_json

GPT2_END_TOKEN = "<|endoftext|>"
# What a folder may hold for each tokenizer, named in the error.
GPT2_FILES = ("vocab.json and merges.txt", "tokenizer.json")
BERT_FILES = ("vocab.txt", "tokenizer.json")


def _missing(path, files):
    return ValueError(
        f"The checkpoint folder {path!r} lacks its tokenizer: it needs "
        f"{' or '.join(files)}. Pass tokenizer=False to convert the model alone."
    )


def _byte_pair_files(path):
    """`(vocabulary dict, merges list)` of a GPT-2 tokenizer folder."""
    vocabulary = read_json(path, "vocab.json")
    merges_file = os.path.join(path, "merges.txt")
    if vocabulary is not None and os.path.isfile(merges_file):
        with open(merges_file, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
        merges = [line for line in lines if line and not line.startswith("#version")]
        return vocabulary, merges
    data = read_json(path, "tokenizer.json")
    if data is None or data.get("model", {}).get("type") != "BPE":
        raise _missing(path, GPT2_FILES)
    merges = [m if isinstance(m, str) else " ".join(m) for m in data["model"]["merges"]]
    vocabulary = dict(data["model"]["vocab"])
    for token in data.get("added_tokens", []):
        vocabulary.setdefault(token["content"], token["id"])
    return vocabulary, merges


def gpt2_tokenizer(path):
    """The folder's GPT-2 tokenizer, with the checkpoint's own ids."""
    from keras_seq.preprocessing.byte_level_tokenizer import byte_level_tokenizer_class

    vocabulary, merges = _byte_pair_files(path)
    if GPT2_END_TOKEN not in vocabulary:
        raise ValueError(
            f"The tokenizer of {path!r} has no {GPT2_END_TOKEN!r} token, which "
            "GPT-2 starts and ends texts with."
        )
    vocabulary = {token: int(index) for token, index in vocabulary.items()}
    return byte_level_tokenizer_class()(vocabulary=vocabulary, merges=merges)


def _word_piece_files(path):
    """`(vocabulary list, lowercase, strip_accents)` of a BERT tokenizer folder."""
    settings = read_json(path, "tokenizer_config.json") or {}
    lowercase = settings.get("do_lower_case", True)
    strip_accents = settings.get("strip_accents")
    vocab_file = os.path.join(path, "vocab.txt")
    if os.path.isfile(vocab_file):
        with open(vocab_file, encoding="utf-8") as handle:
            vocabulary = handle.read().split("\n")
        if vocabulary and vocabulary[-1] == "":
            vocabulary = vocabulary[:-1]
    else:
        data = read_json(path, "tokenizer.json")
        if data is None or data.get("model", {}).get("type") != "WordPiece":
            raise _missing(path, BERT_FILES)
        ids = data["model"]["vocab"]
        vocabulary = sorted(ids, key=ids.get)
        normalizer = data.get("normalizer") or {}
        if normalizer.get("type") == "BertNormalizer":
            lowercase = normalizer.get("lowercase", lowercase)
            strip_accents = normalizer.get("strip_accents", strip_accents)
    # As Hugging Face's BERT: accents go with lowercasing unless told.
    strip_accents = lowercase if strip_accents is None else strip_accents
    return vocabulary, bool(lowercase), bool(strip_accents)


def bert_tokenizer(path):
    """The folder's WordPiece tokenizer as KerasHub's `BertTokenizer`."""
    import keras_hub

    vocabulary, lowercase, strip_accents = _word_piece_files(path)
    if not vocabulary or vocabulary[0] != "[PAD]":
        raise ValueError(
            f"The vocabulary of {path!r} must have [PAD] as id 0 (keras-seq's "
            f"padding id). Received: id 0 is {vocabulary[:1]}"
        )
    return keras_hub.models.BertTokenizer(
        vocabulary=vocabulary,
        lowercase=lowercase,
        strip_accents=strip_accents,
        special_tokens_in_strings=True,
    )
