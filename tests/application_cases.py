"""One small instance of every application, with a batch to feed it.

The cross-application tests (initialization, dtype policies, empty
sequences) run on every case here, so a new application or variant is
covered by adding one entry.
"""

import numpy as np

from keras_seq import applications

VOCABULARY, LENGTH, CLASSES = 30, 8, 3
TRANSFORMER = {
    "num_layers": 2,
    "num_heads": 2,
    "hidden_dim": 16,
    "intermediate_dim": 32,
}
RECURRENT = {"num_layers": 2, "hidden_dim": 16}

# name: (builder, keyword arguments, kind of inputs and targets)
CASES = {
    "text_classifier_mean": (
        applications.TextClassifier,
        {
            "vocabulary_size": VOCABULARY,
            "max_length": LENGTH,
            "classes": CLASSES,
            "pooling": "mean",
            **TRANSFORMER,
        },
        "ids_to_class",
    ),
    "text_classifier_class_token": (
        applications.TextClassifier,
        {
            "vocabulary_size": VOCABULARY,
            "max_length": LENGTH,
            "classes": CLASSES,
            "pooling": "class_token",
            **TRANSFORMER,
        },
        "ids_to_class",
    ),
    "rnn_classifier_lstm": (
        applications.RNNClassifier,
        {
            "classes": CLASSES,
            "cell": "lstm",
            "vocabulary_size": VOCABULARY,
            **RECURRENT,
        },
        "ids_to_class",
    ),
    "rnn_classifier_bidirectional_gru": (
        applications.RNNClassifier,
        {
            "classes": CLASSES,
            "cell": "gru",
            "bidirectional": True,
            "vocabulary_size": VOCABULARY,
            **RECURRENT,
        },
        "ids_to_class",
    ),
    "rnn_classifier_series": (
        applications.RNNClassifier,
        {
            "classes": CLASSES,
            "cell": "simple_rnn",
            "input_shape": (None, 2),
            **RECURRENT,
        },
        "series_to_class",
    ),
    "tagger_transformer": (
        applications.SequenceTagger,
        {
            "classes": CLASSES,
            "vocabulary_size": VOCABULARY,
            "max_length": LENGTH,
            **TRANSFORMER,
        },
        "ids_to_tags",
    ),
    "tagger_causal_transformer": (
        applications.SequenceTagger,
        {
            "classes": CLASSES,
            "bidirectional": False,
            "vocabulary_size": VOCABULARY,
            "max_length": LENGTH,
            **TRANSFORMER,
        },
        "ids_to_tags",
    ),
    "tagger_lstm": (
        applications.SequenceTagger,
        {
            "classes": CLASSES,
            "backbone": "lstm",
            "vocabulary_size": VOCABULARY,
            **RECURRENT,
        },
        "ids_to_tags",
    ),
    "vit": (
        applications.ViT,
        {"input_shape": (8, 8, 1), "patch_size": 4, "classes": CLASSES, **TRANSFORMER},
        "images_to_class",
    ),
    "vivit_spatiotemporal": (
        applications.ViViT,
        {
            "input_shape": (4, 8, 8, 1),
            "tubelet_size": (2, 4, 4),
            "classes": CLASSES,
            **TRANSFORMER,
        },
        "videos_to_class",
    ),
    "vivit_factorised": (
        applications.ViViT,
        {
            "input_shape": (4, 8, 8, 1),
            "tubelet_size": (2, 4, 4),
            "classes": CLASSES,
            "variant": "factorised_encoder",
            **TRANSFORMER,
        },
        "videos_to_class",
    ),
    "causal_lm_transformer": (
        applications.CausalLM,
        {"vocabulary_size": VOCABULARY, "max_length": LENGTH, **TRANSFORMER},
        "next_ids",
    ),
    "causal_lm_gru": (
        applications.CausalLM,
        {
            "vocabulary_size": VOCABULARY,
            "max_length": LENGTH,
            "backbone": "gru",
            **RECURRENT,
        },
        "next_ids",
    ),
    "seq2seq_transformer": (
        applications.Seq2SeqTransformer,
        {
            "source_vocabulary_size": VOCABULARY,
            "target_vocabulary_size": VOCABULARY,
            "max_length": LENGTH,
            **TRANSFORMER,
        },
        "translation",
    ),
    "seq2seq_lstm": (
        applications.Seq2SeqRNN,
        {
            "source_vocabulary_size": VOCABULARY,
            "target_vocabulary_size": VOCABULARY,
            "max_length": LENGTH,
            "cell": "lstm",
            **RECURRENT,
        },
        "translation",
    ),
    "image_captioner": (
        applications.ImageCaptioner,
        {
            "input_shape": (8, 8, 1),
            "patch_size": 4,
            "vocabulary_size": VOCABULARY,
            "max_length": LENGTH,
            **TRANSFORMER,
        },
        "captioning",
    ),
}

# Images and videos have no padding: every input has every pixel.
PADDABLE = [
    name
    for name, case in CASES.items()
    if case[2] not in ("images_to_class", "videos_to_class")
]


def build(name, **kwargs):
    """The application of case `name`, without dropout (outputs are exact)."""
    builder, arguments, _ = CASES[name]
    return builder(**arguments, dropout=0.0, **kwargs)


def _ids(rng, batch):
    """Right-padded token ids of different lengths, every row non-empty."""
    ids = rng.integers(1, VOCABULARY, size=(batch, LENGTH)).astype("int32")
    for row in range(batch):
        ids[row, LENGTH - row % 3 :] = 0
    return ids


def batch(name, size=4, seed=0):
    """`(x, y)` for case `name`: `size` real rows."""
    rng = np.random.default_rng(seed)
    kind = CASES[name][2]
    if kind == "ids_to_class":
        return _ids(rng, size), rng.integers(0, CLASSES, size)
    if kind == "series_to_class":
        x = rng.normal(size=(size, LENGTH, 2)).astype("float32")
        return x, rng.integers(0, CLASSES, size)
    if kind == "ids_to_tags":
        ids = _ids(rng, size)
        return ids, rng.integers(0, CLASSES, ids.shape)
    if kind == "images_to_class":
        return rng.uniform(size=(size, 8, 8, 1)).astype("float32"), rng.integers(
            0, CLASSES, size
        )
    if kind == "videos_to_class":
        return rng.uniform(size=(size, 4, 8, 8, 1)).astype("float32"), rng.integers(
            0, CLASSES, size
        )
    ids = _ids(rng, size)
    if kind == "next_ids":
        return ids[:, :-1], ids[:, 1:]
    targets = np.where(ids[:, 1:] > 0, ids[:, 1:], 0)
    decoder_inputs = ids[:, :-1]
    if kind == "translation":
        return {"source_ids": _ids(rng, size), "target_ids": decoder_inputs}, targets
    images = rng.uniform(size=(size, 8, 8, 1)).astype("float32")
    return {"images": images, "token_ids": decoder_inputs}, targets


def with_empty_row(name, x, y):
    """`(x, y)` with one more row whose sequence is all padding (an empty
    review, an empty source sentence, an empty caption)."""
    kind = CASES[name][2]

    def padded(array):
        return np.concatenate([array, np.zeros_like(array[:1])])

    if isinstance(x, dict):
        x = {key: padded(value) for key, value in x.items()}
        if kind == "captioning":
            # The image is real; the caption is empty.
            x["images"][-1] = x["images"][0]
    else:
        x = padded(x)
    return x, padded(y)
