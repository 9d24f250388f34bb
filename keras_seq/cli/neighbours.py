"""`keras-seq neighbours`: the tokens nearest to a word in the learned embedding.

The model's token embedding (its `(vocabulary, dim)` matrix) is read and
every token compared with the word's by cosine similarity. A word that
the tokenizer splits into several tokens is represented by the mean of
their vectors. Padding and the start and end tokens are left out.
"""

import numpy as np

from keras_seq.cli import models
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
from keras_seq.cli.predict import token_text


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


def nearest(matrix, query, k, excluded=()):
    """The `k` rows of `matrix` most cosine-similar to `query`: `[(row, sim)]`."""
    norms = np.linalg.norm(matrix, axis=1) * max(np.linalg.norm(query), 1e-12)
    similarities = matrix @ query / np.maximum(norms, 1e-12)
    similarities[list(excluded)] = -np.inf
    order = np.argsort(-similarities)[:k]
    return [(int(row), float(similarities[row])) for row in order]


def _readable(text):
    return bool(text.strip()) and text.isprintable() and "\ufffd" not in text


def run(args):
    loaded = models.load(args.model)
    import keras

    from keras_seq import plotting
    from keras_seq.preprocessing import special_token_ids

    say(f"backend: {keras.backend.backend()}")
    preprocessor = models.require_preprocessor(loaded, "neighbours")
    tokenizer = models.text_tokenizer(preprocessor)
    if tokenizer is None:
        raise UsageError(
            f"{loaded.source} is a {loaded.builder}, which reads no tokens: "
            "`neighbours` needs a text model"
        )
    vocabulary_size = int(tokenizer.vocabulary_size())
    matrix = token_embedding(loaded.model, vocabulary_size)
    if matrix is None:
        raise UsageError(f"{loaded.source} has no token embedding to search")
    ids = [int(i) for i in np.asarray(tokenizer.tokenize([args.word])[0]).ravel()]
    ids = [i for i in ids if 0 < i < vocabulary_size]
    if not ids:
        raise UsageError(f"{args.word!r} gives no token in this model's vocabulary")
    special = [0, *special_token_ids(tokenizer)]
    k = min(args.k, vocabulary_size - len(special) - len(ids))
    if k < 1:
        raise UsageError(f"the vocabulary has only {vocabulary_size} tokens")
    # Tokens that are no text alone (a lone byte of a longer character, a
    # control character) are left out: they tell nothing at a glance.
    texts = [token_text(tokenizer, i) for i in range(vocabulary_size)]
    unreadable = [i for i, text in enumerate(texts) if not _readable(text)]
    query = matrix[ids].mean(axis=0)
    found = nearest(matrix, query, k, excluded={*special, *ids, *unreadable})
    pieces = [token_text(tokenizer, i) for i in ids]
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
