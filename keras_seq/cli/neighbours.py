"""`keras-seq neighbours`: the tokens nearest to a word in the learned embedding.

The model's token embedding (its `(vocabulary, dim)` matrix) is read and
every token compared with the word's by cosine similarity. A word that
the tokenizer splits into several tokens is represented by the mean of
their vectors. Special tokens (padding, start, end, unknown) and tokens
that are no readable text alone are left out; a `-k` larger than what
is left shows all that is left, and says so.
"""

import numpy as np

from keras_seq.cli import models
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
from keras_seq.serving.tokens import special_tokens
from keras_seq.serving.tokens import text_tokenizer
from keras_seq.serving.tokens import token_text
from keras_seq.serving.tokens import vocabulary_texts


def token_embedding(model, vocabulary_size):
    """The `(vocabulary_size, dim)` token embedding matrix of `model`, or None.

    The first such variable named `embeddings` (Keras' `Embedding`), the
    source's before the target's in an encoder-decoder.
    """
    import keras

    for variable in model.weights:
        shape = tuple(variable.shape)
        if (
            variable.path.endswith("embeddings")
            and len(shape) == 2
            and shape[0] == vocabulary_size
        ):
            return keras.ops.convert_to_numpy(variable).astype("float32")
    return None


def nearest(matrix, query, k, candidates):
    """The `k` `candidates` rows of `matrix` most cosine-similar to `query`.

    Returns:
        `[(row, similarity)]`, the most similar first.
    """
    candidates = np.asarray(sorted(candidates), dtype="int64")
    rows = matrix[candidates]
    norms = np.linalg.norm(rows, axis=1) * max(np.linalg.norm(query), 1e-12)
    similarities = rows @ query / np.maximum(norms, 1e-12)
    order = np.argsort(-similarities, kind="stable")[:k]
    return [(int(candidates[i]), float(similarities[i])) for i in order]


def _readable(text):
    return bool(text.strip()) and text.isprintable() and "\ufffd" not in text


def run(args):
    loaded = models.load(args.model)
    import keras

    from keras_seq import plotting

    say(f"backend: {keras.backend.backend()}")
    preprocessor = models.require_preprocessor(loaded, "neighbours")
    tokenizer = text_tokenizer(preprocessor)
    if tokenizer is None:
        raise UsageError(
            f"{loaded.source} is a {loaded.builder}, which reads no tokens: "
            "`neighbours` needs a text model"
        )
    vocabulary_size = int(tokenizer.vocabulary_size())
    matrix = token_embedding(loaded.model, vocabulary_size)
    if matrix is None:
        raise UsageError(f"{loaded.source} has no token embedding to search")
    special = special_tokens(tokenizer)
    ids = [int(i) for i in np.asarray(tokenizer.tokenize([args.word])[0]).ravel()]
    ids = [i for i in ids if 0 < i < vocabulary_size]
    if not ids or all(i in special for i in ids):
        raise UsageError(f"{args.word!r} gives no token in this model's vocabulary")
    # Special tokens, and tokens that are no text alone (a lone byte of a
    # longer character, a control character), are left out: they tell
    # nothing at a glance.
    texts = vocabulary_texts(tokenizer, vocabulary_size, special)
    candidates = {
        i
        for i, text in enumerate(texts)
        if i not in special and i not in ids and _readable(text)
    }
    if not candidates:
        raise UsageError(f"the vocabulary has no other token than {args.word!r}'s")
    k = min(args.k, len(candidates))
    if k < args.k:
        say(
            f"-k {args.k}: the vocabulary has {len(candidates)} other ordinary "
            f"tokens; showing all {k}"
        )
    query = matrix[ids].mean(axis=0)
    found = nearest(matrix, query, k, candidates)
    pieces = [token_text(tokenizer, i, special) for i in ids]
    if len(ids) > 1:
        say(f"{args.word!r} is {len(ids)} tokens {pieces}: using their mean vector")
    neighbours = [(texts[row], similarity) for row, similarity in found]
    width = max(len(repr(token)) for token, _ in neighbours)
    print(f"nearest tokens to {args.word!r} (cosine similarity):")
    for token, similarity in neighbours:
        print(f"  {repr(token):<{width}}  {similarity:+.3f}")
    if args.output:
        if not args.output.lower().endswith(".png"):
            raise UsageError(f"--output {args.output!r} must be a .png file")
        plotting.embedding_neighbours(args.word, neighbours, args.output)
        print(f"wrote {args.output}")
    return 0
