"""Tiny applications to export, each with inputs of two batch sizes and lengths."""

import numpy as np

from keras_seq import applications

_TEXTS = [
    "a gripping, funny and moving film",
    "dull, flat and far too long",
    "the film is a film about a film",
    "funny",
]


def _ids(*rows):
    width = max(len(row) for row in rows)
    return np.array([row + [0] * (width - len(row)) for row in rows], "int32")


def build(name):
    """`(model, inputs)`: a tiny model and two input batches of other shapes."""
    rng = np.random.default_rng(0)
    small = {"num_layers": 1, "hidden_dim": 16, "intermediate_dim": 16}
    ids = [_ids([3, 4, 5], [6, 7, 8, 9, 2]), _ids(*[[3, 4, 5, 6, 7, 8, 9, 1]] * 3)]
    if name == "text_classifier":
        model = applications.TextClassifier(50, 16, 2, **small)
    elif name == "rnn_classifier":
        model = applications.RNNClassifier(3, vocabulary_size=50, hidden_dim=8)
    elif name == "rnn_series":
        model = applications.RNNClassifier(3, input_shape=(None, 2), hidden_dim=8)
        ids = [rng.random((2, 5, 2), "float32"), rng.random((3, 7, 2), "float32")]
    elif name == "vit":
        model = applications.ViT((8, 8, 1), 4, 3, **small)
        ids = [rng.random((2, 8, 8, 1), "float32"), rng.random((3, 8, 8, 1), "float32")]
    elif name == "vivit":
        model = applications.ViViT((4, 8, 8, 1), (2, 4, 4), 3, **small)
        ids = [
            rng.random((2, 4, 8, 8, 1), "float32"),
            rng.random((1, 4, 8, 8, 1), "float32"),
        ]
    elif name == "sequence_tagger":
        model = applications.SequenceTagger(
            3, vocabulary_size=50, max_length=16, **small
        )
    elif name == "sequence_tagger_lstm":
        model = applications.SequenceTagger(
            1,
            backbone="lstm",
            input_shape=(None, 1),
            hidden_dim=8,
            classifier_activation=None,
        )
        ids = [rng.random((2, 5, 1), "float32"), rng.random((3, 9, 1), "float32")]
    else:
        raise ValueError(name)
    model.predict(ids[0], verbose=0)
    return model, ids


def word_piece_tokenizer():
    """A KerasHub WordPieceTokenizer: lookup tables, as keras-hub #2015 had."""
    import keras_hub

    words = sorted(
        {word for text in _TEXTS for word in text.replace(",", " ,").split()}
    )
    return keras_hub.tokenizers.WordPieceTokenizer(
        vocabulary=["[PAD]", "[UNK]", *words], lowercase=True, oov_token="[UNK]"
    )


def text_classifier_with_tokenizer():
    """A TextClassifier whose preprocessor holds a WordPiece tokenizer."""
    from keras_seq.preprocessing import TextClassifierPreprocessor

    tokenizer = word_piece_tokenizer()
    preprocessor = TextClassifierPreprocessor(tokenizer, sequence_length=16)
    model = applications.TextClassifier(
        tokenizer.vocabulary_size(),
        16,
        2,
        num_layers=1,
        hidden_dim=16,
        intermediate_dim=16,
        preprocessor=preprocessor,
    )
    # Unknown words, an empty text and one past sequence_length (cut, as
    # the preprocessor cuts it).
    texts = [*_TEXTS, "an unknown word", "", "a very long film " * 10]
    return model, texts
