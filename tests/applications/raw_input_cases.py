"""Tiny applications with their preprocessors (`CASES`), and raw inputs (`RAW_INPUTS`).

Shared by tests/applications/test_raw_inputs.py and the probe that loads
the saved models under another backend (`raw_input_probe.py`). Every case
is seeded: the same raw inputs in every process.
"""

import numpy as np

SENTENCES = [
    "a gripping, funny film",
    "dull and far too long",
    "the best film of the year",
    "a tedious mess",
    "funny, warm and wise",
    "i wanted to leave early",
    "a small gem of a film",
    "flat, lifeless and dull",
]
SENTIMENTS = np.array([1, 0, 1, 0, 1, 0, 1, 0])
WORDS = ["cat", "dog", "bird", "horse", "mouse", "fish", "cow", "wolf"]
FRENCH = ["chat", "chien", "oiseau", "cheval", "souris", "poisson", "vache", "loup"]


def _images(shape, count=8, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (count, *shape), "uint8")


def _series(count=8, channels=2, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(int(rng.integers(3, 12)), channels)) for _ in range(count)]


def text_classifier():
    from keras_seq.applications import TextClassifier
    from keras_seq.preprocessing import TextClassifierPreprocessor
    from keras_seq.preprocessing import train_byte_pair_tokenizer

    tokenizer = train_byte_pair_tokenizer(SENTENCES, vocabulary_size=300)
    preprocessor = TextClassifierPreprocessor(tokenizer, sequence_length=32)
    model = TextClassifier(
        tokenizer.vocabulary_size(),
        32,
        classes=2,
        num_layers=1,
        hidden_dim=16,
        intermediate_dim=32,
        preprocessor=preprocessor,
    )
    return model


def causal_lm():
    from keras_seq.applications import CausalLM
    from keras_seq.preprocessing import CausalLMPreprocessor
    from keras_seq.preprocessing import character_tokenizer

    tokenizer = character_tokenizer(SENTENCES)
    model = CausalLM(
        tokenizer.vocabulary_size(),
        32,
        num_layers=1,
        hidden_dim=16,
        intermediate_dim=32,
        preprocessor=CausalLMPreprocessor(tokenizer, 32),
    )
    return model


def seq2seq_transformer():
    from keras_seq.applications import Seq2SeqTransformer
    from keras_seq.preprocessing import Seq2SeqPreprocessor
    from keras_seq.preprocessing import character_tokenizer

    tokenizer = character_tokenizer(WORDS + FRENCH)
    size = tokenizer.vocabulary_size()
    model = Seq2SeqTransformer(
        size,
        size,
        16,
        num_layers=1,
        hidden_dim=16,
        intermediate_dim=32,
        preprocessor=Seq2SeqPreprocessor(tokenizer, None, 16, 16),
    )
    return model


def seq2seq_rnn():
    from keras_seq.applications import Seq2SeqRNN
    from keras_seq.preprocessing import Seq2SeqPreprocessor
    from keras_seq.preprocessing import character_tokenizer

    tokenizer = character_tokenizer(WORDS + FRENCH)
    size = tokenizer.vocabulary_size()
    model = Seq2SeqRNN(
        size,
        size,
        16,
        hidden_dim=16,
        preprocessor=Seq2SeqPreprocessor(tokenizer, None, 16, 16),
    )
    return model


def image_captioner():
    from keras_seq.applications import ImageCaptioner
    from keras_seq.preprocessing import ImageCaptionerPreprocessor
    from keras_seq.preprocessing import ImagePreprocessor
    from keras_seq.preprocessing import character_tokenizer

    tokenizer = character_tokenizer(WORDS)
    preprocessor = ImageCaptionerPreprocessor(
        ImagePreprocessor((8, 8, 1)), tokenizer, 16
    )
    model = ImageCaptioner(
        (8, 8, 1),
        4,
        tokenizer.vocabulary_size(),
        16,
        num_layers=1,
        hidden_dim=16,
        intermediate_dim=32,
        preprocessor=preprocessor,
    )
    return model


def vit():
    from keras_seq.applications import ViT
    from keras_seq.preprocessing import ImagePreprocessor

    model = ViT(
        (8, 8, 1),
        4,
        classes=3,
        num_layers=1,
        hidden_dim=16,
        intermediate_dim=32,
        preprocessor=ImagePreprocessor((8, 8, 1)),
    )
    return model


def vivit():
    from keras_seq.applications import ViViT
    from keras_seq.preprocessing import VideoPreprocessor

    model = ViViT(
        (4, 8, 8, 1),
        (2, 4, 4),
        classes=3,
        num_layers=1,
        hidden_dim=16,
        intermediate_dim=32,
        preprocessor=VideoPreprocessor((4, 8, 8, 1)),
    )
    return model


def rnn_classifier():
    from keras_seq.applications import RNNClassifier
    from keras_seq.preprocessing import SeriesPreprocessor

    preprocessor = SeriesPreprocessor(channels=2)
    preprocessor.adapt(RAW_INPUTS["rnn_classifier"]()[0])
    model = RNNClassifier(
        3, input_shape=(None, 2), hidden_dim=8, preprocessor=preprocessor
    )
    return model


def sequence_tagger():
    from keras_seq.applications import SequenceTagger
    from keras_seq.preprocessing import SeriesPreprocessor

    model = SequenceTagger(
        1,
        backbone="gru",
        input_shape=(None, 2),
        hidden_dim=8,
        classifier_activation=None,
        preprocessor=SeriesPreprocessor(channels=2, per_step_targets=True),
    )
    return model


def _tagged_series():
    series = _series(seed=1)
    return series, [np.cumsum(values[:, :1], axis=0) for values in series]


# The raw inputs and targets of each case, cheap to make without a model.
RAW_INPUTS = {
    "text_classifier": lambda: (SENTENCES, SENTIMENTS),
    "causal_lm": lambda: (SENTENCES, None),
    "seq2seq_transformer": lambda: (WORDS, FRENCH),
    "seq2seq_rnn": lambda: (WORDS, FRENCH),
    "image_captioner": lambda: (_images((8, 8, 1)), WORDS),
    "vit": lambda: (_images((8, 8, 1)), np.arange(8) % 3),
    "vivit": lambda: (_images((4, 8, 8, 1)), np.arange(8) % 3),
    "rnn_classifier": lambda: (_series(), np.arange(8) % 3),
    "sequence_tagger": _tagged_series,
}
# The model of each case, with its preprocessor.
CASES = {
    "text_classifier": text_classifier,
    "causal_lm": causal_lm,
    "seq2seq_transformer": seq2seq_transformer,
    "seq2seq_rnn": seq2seq_rnn,
    "image_captioner": image_captioner,
    "vit": vit,
    "vivit": vivit,
    "rnn_classifier": rnn_classifier,
    "sequence_tagger": sequence_tagger,
}
# Their targets are decoder inputs too: outputs need them.
TEACHER_FORCED = {"seq2seq_transformer", "seq2seq_rnn", "image_captioner"}


def outputs(model, case, x, y):
    """What the model computes from the raw inputs, as NumPy."""
    import keras

    if case not in TEACHER_FORCED:
        return np.asarray(model.predict(x, verbose=0), "float32")
    inputs = model_inputs(model.preprocessor, case, x, y)
    return np.asarray(keras.ops.convert_to_numpy(model(inputs)), "float32")


def model_inputs(preprocessor, case, x, y):
    """The model inputs `preprocessor` makes of the case's raw inputs."""
    import keras

    targets = y if case in TEACHER_FORCED else None
    inputs, _, _ = keras.utils.unpack_x_y_sample_weight(preprocessor(x, targets))
    return inputs


def bare_outputs(model, inputs):
    """What a model saved without its preprocessor computes from model inputs."""
    return np.asarray(model.predict(inputs, verbose=0), "float32")
