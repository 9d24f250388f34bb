"""Every bad input gets an error that names the argument and what is allowed.

One table: each row calls the public API with one wrong thing and asserts
the exception type and the words of its message. The models are tiny and
built once per module; every row runs on each backend (`make test`).
"""

import functools

import keras
import numpy as np
import pytest

from keras_seq import layers
from keras_seq.applications import CausalLM
from keras_seq.applications import ImageCaptioner
from keras_seq.applications import RNNClassifier
from keras_seq.applications import Seq2SeqRNN
from keras_seq.applications import Seq2SeqTransformer
from keras_seq.applications import SequenceTagger
from keras_seq.applications import TextClassifier
from keras_seq.applications import ViT
from keras_seq.applications import ViViT
from keras_seq.preprocessing import ImagePreprocessor
from keras_seq.preprocessing import SeriesPreprocessor
from keras_seq.preprocessing import TextClassifierPreprocessor
from keras_seq.preprocessing import VideoPreprocessor
from keras_seq.preprocessing import character_tokenizer
from keras_seq.preprocessing import train_byte_pair_tokenizer

VOCABULARY = 50
SMALL = {"num_layers": 1, "hidden_dim": 8, "intermediate_dim": 16}


@functools.cache
def text_classifier():
    model = TextClassifier(VOCABULARY, 16, classes=3, **SMALL)
    model.compile()
    return model


@functools.cache
def causal_lm():
    model = CausalLM(VOCABULARY, 16, **SMALL)
    model.compile()
    return model


@functools.cache
def translator():
    return Seq2SeqTransformer(VOCABULARY, VOCABULARY + 10, 12, **SMALL)


@functools.cache
def vit():
    return ViT((8, 8, 1), 4, classes=3, **SMALL)


@functools.cache
def vivit():
    return ViViT((4, 8, 8, 1), (2, 4, 4), classes=3, **SMALL)


@functools.cache
def series_classifier():
    model = RNNClassifier(3, input_shape=(None, 2), hidden_dim=4)
    model.compile()
    return model


@functools.cache
def tagger():
    model = SequenceTagger(4, vocabulary_size=VOCABULARY, max_length=16, **SMALL)
    model.compile()
    return model


@functools.cache
def captioner():
    return ImageCaptioner((8, 8, 1), 4, VOCABULARY, 12, **SMALL)


@functools.cache
def text_preprocessor():
    sentences = ["a fine film", "a dull film", "fine and warm", "dull and long"] * 4
    tokenizer = train_byte_pair_tokenizer(sentences, vocabulary_size=300)
    return TextClassifierPreprocessor(tokenizer, sequence_length=8)


def ids(low=1, high=VOCABULARY, shape=(2, 6)):
    return np.random.default_rng(0).integers(low, high, shape).astype("int32")


def labels(values):
    return np.asarray(values, "int32")


# (id, call, exception type, regular expression its message must match)
CASES = [
    # Sizes of the builders.
    (
        "vocabulary 0",
        lambda: TextClassifier(0, 16, 3),
        ValueError,
        r"`vocabulary_size` must be an int of at least 2.*=0",
    ),
    (
        "vocabulary 1",
        lambda: CausalLM(1, 16, **SMALL),
        ValueError,
        r"`vocabulary_size` must be an int of at least 2.*=1",
    ),
    (
        "vocabulary float",
        lambda: CausalLM(10.0, 16, **SMALL),
        ValueError,
        r"`vocabulary_size`.*10\.0",
    ),
    (
        "vocabulary bool",
        lambda: CausalLM(True, 16, **SMALL),
        ValueError,
        r"`vocabulary_size`.*True",
    ),
    (
        "source vocabulary 1",
        lambda: Seq2SeqTransformer(1, 10, 8, **SMALL),
        ValueError,
        r"`source_vocabulary_size` must be an int of at least 2",
    ),
    (
        "target vocabulary str",
        lambda: Seq2SeqRNN(10, "10", 8),
        ValueError,
        r"`target_vocabulary_size`.*'10'",
    ),
    (
        "max_length 0",
        lambda: TextClassifier(10, 0, 3),
        ValueError,
        r"`max_length` must be a positive int.*=0",
    ),
    (
        "max_length negative",
        lambda: CausalLM(10, -4, **SMALL),
        ValueError,
        r"`max_length`.*-4",
    ),
    (
        "classes 0",
        lambda: TextClassifier(10, 8, 0),
        ValueError,
        r"`classes` must be a positive int.*=0",
    ),
    (
        "classes float",
        lambda: ViT((8, 8, 1), 4, classes=2.5),
        ValueError,
        r"`classes`.*2\.5",
    ),
    (
        "classes 1 softmax",
        lambda: TextClassifier(10, 8, 1, **SMALL),
        ValueError,
        r"`classes=1` with `classifier_activation='softmax'`",
    ),
    (
        "classifier activation typo",
        lambda: TextClassifier(10, 8, 3, classifier_activation="softmaxx", **SMALL),
        ValueError,
        r"`classifier_activation` must be None.*'softmaxx'",
    ),
    (
        "classifier activation on RNN",
        lambda: RNNClassifier(3, vocabulary_size=10, classifier_activation="relux"),
        ValueError,
        r"`classifier_activation`.*'relux'",
    ),
    (
        "num_layers 0",
        lambda: TextClassifier(10, 8, 3, num_layers=0),
        ValueError,
        r"`num_layers` must be a positive int.*=0",
    ),
    (
        "num_heads divides",
        lambda: TextClassifier(10, 8, 3, num_heads=3, hidden_dim=8),
        ValueError,
        r"`num_heads` must divide `hidden_dim`.*num_heads=3, hidden_dim=8",
    ),
    (
        "hidden_dim 0",
        lambda: CausalLM(10, 8, hidden_dim=0),
        ValueError,
        r"`hidden_dim` must be a positive int",
    ),
    (
        "intermediate_dim None",
        lambda: CausalLM(10, 8, intermediate_dim=None),
        ValueError,
        r"`intermediate_dim` must be a positive int.*None",
    ),
    (
        "dropout 1",
        lambda: TextClassifier(10, 8, 3, dropout=1.0, **SMALL),
        ValueError,
        r"`dropout` must be a float in \[0, 1\).*1\.0",
    ),
    (
        "dropout negative",
        lambda: RNNClassifier(3, vocabulary_size=10, dropout=-0.1),
        ValueError,
        r"`dropout`.*-0\.1",
    ),
    (
        "pooling",
        lambda: TextClassifier(10, 8, 3, pooling="max", **SMALL),
        ValueError,
        r"`pooling` must be one of .*'max'",
    ),
    (
        "cell",
        lambda: RNNClassifier(3, cell="transformer", vocabulary_size=10),
        ValueError,
        r"`cell` must be one of .*'transformer'",
    ),
    (
        "both inputs",
        lambda: RNNClassifier(3, vocabulary_size=10, input_shape=(None, 2)),
        ValueError,
        r"Pass exactly one of `vocabulary_size`.*`input_shape`",
    ),
    (
        "neither input",
        lambda: RNNClassifier(3),
        ValueError,
        r"Pass exactly one of `vocabulary_size`",
    ),
    (
        "series input rank",
        lambda: RNNClassifier(3, input_shape=(5,)),
        ValueError,
        r"`input_shape` must be a tuple of 2 sizes",
    ),
    ("ViT input rank", lambda: ViT((8, 8), 4, classes=3), ValueError, r"`input_shape`"),
    (
        "ViT patch does not divide",
        lambda: ViT((8, 8, 1), 3, classes=3, **SMALL),
        ValueError,
        r"not divisible by `patch_size=\(3, 3\)`",
    ),
    ("ViT patch 0", lambda: ViT((8, 8, 1), 0, classes=3), ValueError, r"`patch_size`"),
    (
        "ViViT tubelet does not divide",
        lambda: ViViT((5, 8, 8, 1), (2, 4, 4), classes=3, **SMALL),
        ValueError,
        r"not divisible by `tubelet_size=\(2, 4, 4\)`",
    ),
    (
        "ViViT tubelet rank",
        lambda: ViViT((4, 8, 8, 1), (2, 4), classes=3),
        ValueError,
        r"`tubelet_size`",
    ),
    (
        "ViViT variant",
        lambda: ViViT((4, 8, 8, 1), (2, 4, 4), classes=3, variant="factorised"),
        ValueError,
        r"`variant` must be one of.*'factorised'",
    ),
    (
        "tagger backbone",
        lambda: SequenceTagger(3, backbone="cnn", vocabulary_size=10),
        ValueError,
        r"`backbone` must be one of.*'cnn'",
    ),
    (
        "weights unknown name",
        lambda: TextClassifier(10, 8, 3, weights="imagenet"),
        ValueError,
        r"`weights` must be None, a registered name.*'imagenet'",
    ),
    (
        "weights missing file",
        lambda: ViT((8, 8, 1), 4, classes=3, weights="/nowhere/x.weights.h5"),
        ValueError,
        r"`weights` must be.*x\.weights\.h5",
    ),
    (
        "preprocessor type",
        lambda: TextClassifier(10, 8, 3, preprocessor="bpe", **SMALL),
        (TypeError, ValueError),
        r"`preprocessor`",
    ),
    (
        "name type",
        lambda: TextClassifier(10, 8, 3, name=5, **SMALL),
        (TypeError, ValueError),
        r"name",
    ),
    # Model inputs of predict, fit and evaluate.
    (
        "predict ids past vocabulary",
        lambda: text_classifier().predict(ids() + VOCABULARY, verbose=0),
        ValueError,
        r"`token_ids` must hold ids in \[0, 50\)",
    ),
    (
        "predict negative ids",
        lambda: text_classifier().predict(-ids(), verbose=0),
        ValueError,
        r"`token_ids` must hold ids in \[0, 50\).*from -",
    ),
    (
        "predict float ids",
        lambda: text_classifier().predict(ids() + 0.5, verbose=0),
        ValueError,
        r"`token_ids` must be .*int token ids.*float64",
    ),
    (
        "predict ids rank 1",
        lambda: text_classifier().predict(ids()[0], verbose=0),
        ValueError,
        r"TextClassifier takes `token_ids` of shape \(batch, any\): 2 axes",
    ),
    (
        "predict ids rank 3",
        lambda: text_classifier().predict(ids()[..., None], verbose=0),
        ValueError,
        r"`token_ids` of shape \(batch, any\)",
    ),
    (
        "predict empty batch",
        lambda: text_classifier().predict(np.zeros((0, 4), "int32"), verbose=0),
        ValueError,
        r"`token_ids` holds no examples",
    ),
    (
        "fit ids past vocabulary",
        lambda: text_classifier().fit(ids() + VOCABULARY, labels([0, 1]), verbose=0),
        ValueError,
        r"`token_ids` must hold ids in \[0, 50\)",
    ),
    (
        "evaluate ids past vocabulary",
        lambda: text_classifier().evaluate(
            ids() + VOCABULARY, labels([0, 1]), verbose=0
        ),
        ValueError,
        r"`token_ids` must hold ids",
    ),
    (
        "fit labels past classes",
        lambda: text_classifier().fit(ids(), labels([0, 3]), verbose=0),
        ValueError,
        r"TextClassifier takes class labels `y` in \[0, 3\).*0 to 3",
    ),
    (
        "fit negative labels",
        lambda: text_classifier().fit(ids(), labels([-1, 0]), verbose=0),
        ValueError,
        r"class labels `y` in \[0, 3\)",
    ),
    (
        "evaluate labels past classes",
        lambda: text_classifier().evaluate(ids(), labels([5, 0]), verbose=0),
        ValueError,
        r"class labels `y` in \[0, 3\)",
    ),
    (
        "validation labels past classes",
        lambda: text_classifier().fit(
            ids(), labels([0, 1]), validation_data=(ids(), labels([0, 9])), verbose=0
        ),
        ValueError,
        r"class labels `y` in \[0, 3\)",
    ),
    (
        "validation ids past vocabulary",
        lambda: text_classifier().fit(
            ids(),
            labels([0, 1]),
            validation_data=(ids() + 99, labels([0, 1])),
            verbose=0,
        ),
        ValueError,
        r"`token_ids` must hold ids",
    ),
    (
        "causal lm targets past vocabulary",
        lambda: causal_lm().fit(ids(), ids() + VOCABULARY, verbose=0),
        ValueError,
        r"CausalLM takes next-token ids `y` in \[0, 50\)",
    ),
    (
        "causal lm predict ids",
        lambda: causal_lm().predict(ids() + VOCABULARY, verbose=0),
        ValueError,
        r"`token_ids` must hold ids in \[0, 50\)",
    ),
    (
        "tagger ids past vocabulary",
        lambda: tagger().predict(ids() + VOCABULARY, verbose=0),
        ValueError,
        r"`token_ids` must hold ids",
    ),
    (
        "tagger labels past classes",
        lambda: tagger().fit(ids(), ids(0, 6), verbose=0),
        ValueError,
        r"SequenceTagger takes class labels `y` in \[0, 4\)",
    ),
    (
        "translator source past vocabulary",
        lambda: translator().predict(
            {"source_ids": ids() + VOCABULARY, "target_ids": ids()}, verbose=0
        ),
        ValueError,
        r"`source_ids` must hold ids in \[0, 50\)",
    ),
    (
        "translator target past vocabulary",
        lambda: translator().predict(
            {"source_ids": ids(), "target_ids": ids() + 70}, verbose=0
        ),
        ValueError,
        r"`target_ids` must hold ids in \[0, 60\)",
    ),
    (
        "ViT image size",
        lambda: vit().predict(np.zeros((2, 12, 12, 1)), verbose=0),
        ValueError,
        r"ViT takes `images` of shape \(batch, 8, 8, 1\): axis 1 must be 8",
    ),
    (
        "ViT channels",
        lambda: vit().predict(np.zeros((2, 8, 8, 3)), verbose=0),
        ValueError,
        r"axis 3 must be 1",
    ),
    (
        "ViT image rank",
        lambda: vit().predict(np.zeros((2, 8, 8)), verbose=0),
        ValueError,
        r"`images` of shape \(batch, 8, 8, 1\): 4 axes",
    ),
    (
        "ViViT frame count",
        lambda: vivit().predict(np.zeros((2, 6, 8, 8, 1)), verbose=0),
        ValueError,
        r"ViViT takes `videos` of shape \(batch, 4, 8, 8, 1\): axis 1 must be 4",
    ),
    (
        "ViViT empty batch",
        lambda: vivit().predict(np.zeros((0, 4, 8, 8, 1)), verbose=0),
        ValueError,
        r"`videos` holds no examples",
    ),
    (
        "series channels",
        lambda: series_classifier().predict(np.zeros((2, 5, 3)), verbose=0),
        ValueError,
        r"RNNClassifier takes `values` of shape \(batch, any, 2\): axis 2 must be 2",
    ),
    (
        "series labels",
        lambda: series_classifier().fit(np.ones((2, 5, 2)), labels([0, 7]), verbose=0),
        ValueError,
        r"class labels `y` in \[0, 3\)",
    ),
    # Compile.
    (
        "include_top False default loss",
        lambda: TextClassifier(10, 8, None, include_top=False, **SMALL).compile(),
        ValueError,
        r"`include_top=False`.*no default loss.*Pass `loss`",
    ),
    # generate.
    (
        "generate ids past vocabulary",
        lambda: causal_lm().generate(ids() + VOCABULARY, max_length=8),
        ValueError,
        r"`prompt_ids` must hold ids in \[0, 50\)",
    ),
    (
        "generate max_length too short",
        lambda: causal_lm().generate(ids(), max_length=4),
        ValueError,
        r"`max_length` must exceed the longest prompt, 6 tokens",
    ),
    (
        "generate max_length past positions",
        lambda: causal_lm().generate(ids(), max_length=99),
        ValueError,
        r"`max_length` can be at most 16",
    ),
    (
        "generate sampler name",
        lambda: causal_lm().generate(ids(), max_length=8, sampler="nucleus"),
        ValueError,
        r"sampler.*'nucleus'",
    ),
    (
        "generate end token 0",
        lambda: causal_lm().generate(ids(), max_length=8, end_token_id=0),
        ValueError,
        r"`end_token_id` must be an int in \[1, 50\)",
    ),
    (
        "generate left padding",
        lambda: causal_lm().generate(np.array([[0, 3, 4]]), max_length=8),
        ValueError,
        r"must start with a real",
    ),
    (
        "generate start token on decoder-only",
        lambda: causal_lm().generate(ids(), max_length=8, start_token_id=1),
        ValueError,
        r"takes no `start_token_id`",
    ),
    (
        "generate translator needs start",
        lambda: translator().generate(ids(), max_length=8),
        TypeError,
        r"needs `start_token_id`",
    ),
    (
        "generate captioner image size",
        lambda: captioner().generate(
            np.zeros((1, 9, 9, 1)), max_length=8, start_token_id=1
        ),
        ValueError,
        r"images",
    ),
    # Layers.
    (
        "MHSA heads 0",
        lambda: layers.MultiHeadSelfAttention(0),
        ValueError,
        r"`num_heads` must be a positive int",
    ),
    (
        "MHSA merge",
        lambda: layers.MultiHeadSelfAttention(2, merge="max"),
        ValueError,
        r"`merge` must be one of.*'max'",
    ),
    (
        "MHSA dropout",
        lambda: layers.MultiHeadSelfAttention(2, dropout=2.0),
        ValueError,
        r"`dropout` must be a float in \[0, 1\)",
    ),
    (
        "MHSA input rank",
        lambda: layers.MultiHeadSelfAttention(2)(np.zeros((2, 8), "float32")),
        ValueError,
        r"\(batch, time, dim\)",
    ),
    (
        "MHSA dim does not divide",
        lambda: layers.MultiHeadSelfAttention(3)(np.zeros((1, 4, 8), "float32")),
        ValueError,
        r"divide|divisible",
    ),
    (
        "MHSA mask rank",
        lambda: layers.MultiHeadSelfAttention(2)(
            np.zeros((1, 4, 8), "float32"), mask=np.ones((1, 4, 4, 1), bool)
        ),
        ValueError,
        r"mask",
    ),
    (
        "encoder intermediate 0",
        lambda: layers.TransformerEncoder(2, 0),
        ValueError,
        r"`intermediate_dim` must be a positive int",
    ),
    (
        "encoder activation",
        lambda: layers.TransformerEncoder(2, 8, activation="gelux"),
        ValueError,
        r"gelux",
    ),
    (
        "encoder input rank",
        lambda: layers.TransformerEncoder(2, 8)(np.zeros((4, 8), "float32")),
        ValueError,
        r"\(batch, time, dim\)",
    ),
    (
        "decoder encoder outputs later",
        lambda: _decoder_given_context_later(),
        ValueError,
        r"built without `encoder_outputs`",
    ),
    (
        "positional kind",
        lambda: layers.PositionalEmbedding(8, kind="rotary"),
        ValueError,
        r"`kind` must be one of.*'rotary'",
    ),
    (
        "positional too long",
        lambda: layers.PositionalEmbedding(4)(np.zeros((1, 6, 8), "float32")),
        ValueError,
        r"4|max_length",
    ),
    (
        "token embedding dim 0",
        lambda: layers.TokenAndPositionEmbedding(10, 8, 0),
        ValueError,
        r"`embedding_dim` must be a positive int",
    ),
    (
        "patch embedding does not divide",
        lambda: layers.PatchEmbedding(3, 8)(np.zeros((1, 8, 8, 1), "float32")),
        ValueError,
        r"\(8, 8\) is not divisible by `patch_size=\(3, 3\)`",
    ),
    (
        "patch embedding rank",
        lambda: layers.PatchEmbedding(4, 8)(np.zeros((1, 8, 8), "float32")),
        ValueError,
        r"\(batch, height, width, channels\)|4 axes|rank",
    ),
    (
        "tubelet embedding rank",
        lambda: layers.TubeletEmbedding((2, 4, 4), 8)(
            np.zeros((1, 8, 8, 1), "float32")
        ),
        ValueError,
        r"frames|5 axes|rank|\(batch",
    ),
    (
        "mean pooling rank",
        lambda: layers.MaskedMeanPooling()(np.zeros((2, 3), "float32")),
        ValueError,
        r"MaskedMeanPooling expects `inputs` of shape \(batch, time, dim\)",
    ),
    # Preprocessors.
    (
        "text preprocessor length",
        lambda: TextClassifierPreprocessor(text_preprocessor().tokenizer, 0),
        ValueError,
        r"`sequence_length` must be a positive int",
    ),
    (
        "text preprocessor tokenizer",
        lambda: TextClassifierPreprocessor("bpe", 8),
        (TypeError, ValueError),
        r"`tokenizer`",
    ),
    (
        "text preprocessor labels count",
        lambda: text_preprocessor()(["a fine film", "dull"], [0]),
        ValueError,
        r"`x`.*`y`|as many",
    ),
    (
        "text preprocessor numbers",
        lambda: text_preprocessor()([1, 2]),
        (TypeError, ValueError),
        r"`x`.*str",
    ),
    (
        "text preprocessor empty",
        lambda: text_preprocessor()([]),
        ValueError,
        r"`x`.*empty|no ",
    ),
    (
        "image preprocessor shape",
        lambda: ImagePreprocessor((8, 8, 1))(np.zeros((2, 9, 9, 1), "uint8")),
        ValueError,
        r"\(8, 8, 1\)",
    ),
    (
        "image preprocessor rank",
        lambda: ImagePreprocessor((8, 8)),
        ValueError,
        r"`image_shape`",
    ),
    (
        "video preprocessor frames",
        lambda: VideoPreprocessor((4, 8, 8, 1))(np.zeros((2, 3, 8, 8, 1), "uint8")),
        ValueError,
        r"\(4, 8, 8, 1\)",
    ),
    (
        "series preprocessor channels",
        lambda: SeriesPreprocessor(2)([np.zeros((5, 3))]),
        ValueError,
        r"2",
    ),
    (
        "series preprocessor NaN",
        lambda: SeriesPreprocessor(2)([np.full((3, 2), np.nan)]),
        ValueError,
        r"`x\[0\]` must hold finite values only",
    ),
    (
        "series preprocessor channels 0",
        lambda: SeriesPreprocessor(0),
        ValueError,
        r"`channels` must be a positive int",
    ),
    (
        "byte pair vocabulary 0",
        lambda: train_byte_pair_tokenizer(["a b"], 0),
        ValueError,
        r"`vocabulary_size`",
    ),
    (
        "byte pair texts not str",
        lambda: train_byte_pair_tokenizer([1, 2], 300),
        TypeError,
        r"`texts` must hold only str.*texts\[0\]=1",
    ),
    (
        "byte pair too little text",
        lambda: train_byte_pair_tokenizer("a single text", 300),
        ValueError,
        r"`texts` are too little text to learn any merge",
    ),
    (
        "character tokenizer vocabulary",
        lambda: character_tokenizer(vocabulary_size=2),
        ValueError,
        r"`vocabulary_size`",
    ),
    # Loaders.
    (
        "loader split",
        lambda: _dataset("mnist").load_data("dev"),
        ValueError,
        r"`split` must be one of.*'dev'",
    ),
    (
        "loader split type",
        lambda: _dataset("sunspots").load_data(1),
        ValueError,
        r"`split` must be one of",
    ),
    (
        "hamlet split",
        lambda: _dataset("hamlet").load_data("valid"),
        ValueError,
        r"`split` must be one of.*'valid'",
    ),
]


def _dataset(name):
    import importlib

    return importlib.import_module(f"keras_seq.datasets.{name}")


def _decoder_given_context_later():
    decoder = layers.TransformerDecoder(2, 8)
    x = np.zeros((1, 4, 8), "float32")
    decoder(x)
    return decoder(x, encoder_outputs=x)


def test_the_table_is_large_and_its_ids_are_unique():
    assert len(CASES) >= 80
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize(
    "call, error, message",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_integers_are_sizes_everywhere():
    size = np.int64
    model = TextClassifier(
        size(20),
        size(8),
        size(3),
        num_layers=size(1),
        hidden_dim=size(8),
        intermediate_dim=size(8),
    )
    assert model.predict(ids(1, 20), verbose=0).shape == (2, 3)
    restored = TextClassifier.from_config(model.get_config())
    assert restored.count_params() == model.count_params()
    vision = ViT((size(8), size(8), size(1)), size(4), classes=size(2), **SMALL)
    assert vision.predict(np.zeros((1, 8, 8, 1)), verbose=0).shape == (1, 2)
    layer = layers.TransformerEncoder(size(2), size(8))
    assert layer(np.zeros((1, 4, 8), "float32")).shape == (1, 4, 8)
    assert layers.TransformerEncoder.from_config(layer.get_config()).num_heads == 2


def test_clone_model_is_refused_with_the_way_to_copy():
    for model in (causal_lm(), text_classifier(), vit()):
        with pytest.raises(
            TypeError,
            match=rf"{type(model).__name__}.from_config\(model.get_config\(\)\)",
        ):
            keras.models.clone_model(model)
    copy = CausalLM.from_config(causal_lm().get_config())
    copy.set_weights(causal_lm().get_weights())
    np.testing.assert_allclose(
        copy.predict(ids(), verbose=0), causal_lm().predict(ids(), verbose=0), atol=1e-6
    )


def test_include_top_false_compiles_with_the_loss_given():
    model = TextClassifier(10, 8, None, include_top=False, **SMALL)
    model.compile(loss="mse")
    features = model.predict(ids(1, 10), verbose=0)
    model.fit(ids(1, 10), np.zeros_like(features), verbose=0)


@pytest.mark.parametrize(
    "change, words",
    [
        (
            {"classes": 5},
            r"`layers/dense/vars/0` has shape \(8, 3\) there and \(8, 5\) here: "
            r"`classes`",
        ),
        (
            {"vocabulary_size": 60},
            r"`layers/token_and_position_embedding/token_embedding/vars/0` has "
            r"shape \(50, 8\) there and \(60, 8\) here: `vocabulary_size`",
        ),
        (
            {"max_length": 32},
            r"has shape \(16, 8\) there and \(32, 8\) here: `max_length`",
        ),
        ({"num_layers": 2}, r"weights the file lacks.*`num_layers`"),
    ],
)
def test_weights_of_other_sizes_name_the_size(tmp_path, change, words):
    path = str(tmp_path / "classifier.weights.h5")
    text_classifier().save_weights(path)
    arguments = {
        "vocabulary_size": VOCABULARY,
        "max_length": 16,
        "classes": 3,
        **SMALL,
        **change,
    }
    with pytest.raises(
        ValueError,
        match=rf"The weights file .* does not fit this TextClassifier.*{words}",
    ):
        TextClassifier(**arguments, weights=path)


def test_weights_of_another_application_are_refused(tmp_path):
    path = str(tmp_path / "vit.weights.h5")
    vit().save_weights(path)
    with pytest.raises(
        ValueError, match=r"does not fit this TextClassifier.*another application"
    ):
        TextClassifier(VOCABULARY, 16, 3, **SMALL, weights=path)
