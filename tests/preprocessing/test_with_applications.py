"""The preprocessors' outputs are what the application models take.

Each application reads its preprocessor's inputs and its default loss
takes the targets; the generative ones then `generate` from
`generate_preprocess`, read back with `generate_postprocess`.
"""

import keras
import numpy as np
import pytest

from keras_seq import applications
from keras_seq.preprocessing import CausalLMPreprocessor
from keras_seq.preprocessing import ImageCaptionerPreprocessor
from keras_seq.preprocessing import ImagePreprocessor
from keras_seq.preprocessing import Seq2SeqPreprocessor
from keras_seq.preprocessing import SeriesPreprocessor
from keras_seq.preprocessing import TextClassifierPreprocessor
from keras_seq.preprocessing import VideoPreprocessor
from keras_seq.preprocessing import character_tokenizer
from keras_seq.preprocessing import train_byte_pair_tokenizer
from tests.preprocessing.checks import ENGLISH
from tests.preprocessing.checks import FRENCH
from tests.preprocessing.checks import HAMLET

SIZES = {"num_layers": 1, "num_heads": 2, "hidden_dim": 8, "intermediate_dim": 16}


def check_loss(model, x, y):
    """The model reads `x` and its default loss takes `y` (eagerly: cheap)."""
    # Eager generate as well: a few steps of a tiny model cost less than
    # compiling them.
    model.compile(run_eagerly=True)
    loss = model.default_loss()(y, model(x))
    assert np.isfinite(float(keras.ops.convert_to_numpy(loss)))


def test_causal_lm():
    tokenizer = train_byte_pair_tokenizer(HAMLET, 300, min_frequency=1)
    preprocessor = CausalLMPreprocessor(tokenizer, sequence_length=32)
    model = applications.CausalLM(preprocessor.vocabulary_size, 32, **SIZES)
    check_loss(model, *preprocessor(HAMLET[:4]))
    prompts = preprocessor.generate_preprocess(["To be", "The"])
    generated = model.generate(
        prompts, max_length=12, end_token_id=preprocessor.end_token_id
    )
    texts = preprocessor.generate_postprocess(generated)
    assert len(texts) == 2 and texts[0].startswith("To be")
    assert texts[1].startswith("The")


@pytest.mark.parametrize("architecture", ["transformer", "rnn"])
def test_seq2seq(architecture):
    preprocessor = Seq2SeqPreprocessor(
        character_tokenizer(texts=ENGLISH), character_tokenizer(texts=FRENCH), 32, 32
    )
    vocabularies = (
        preprocessor.source_vocabulary_size,
        preprocessor.target_vocabulary_size,
    )
    if architecture == "transformer":
        model = applications.Seq2SeqTransformer(*vocabularies, 32, **SIZES)
    else:
        model = applications.Seq2SeqRNN(*vocabularies, 32, num_layers=1, hidden_dim=8)
    check_loss(model, *preprocessor(ENGLISH, FRENCH))
    generated = model.generate(
        preprocessor.generate_preprocess(ENGLISH[:2]),
        max_length=8,
        start_token_id=preprocessor.start_token_id,
        end_token_id=preprocessor.end_token_id,
    )
    texts = preprocessor.generate_postprocess(generated)
    assert len(texts) == 2 and all(isinstance(text, str) for text in texts)


def test_image_captioner():
    preprocessor = ImageCaptionerPreprocessor(
        ImagePreprocessor((8, 8, 1)), character_tokenizer(vocabulary_size=128), 16
    )
    model = applications.ImageCaptioner(
        (8, 8, 1), 4, preprocessor.vocabulary_size, 16, **SIZES
    )
    images = np.random.default_rng(0).integers(0, 256, (2, 8, 8, 1), dtype="uint8")
    check_loss(model, *preprocessor(images, ["a seven", "a one"]))
    generated = model.generate(
        preprocessor.generate_preprocess(images),
        max_length=6,
        start_token_id=preprocessor.start_token_id,
        end_token_id=preprocessor.end_token_id,
    )
    assert len(preprocessor.generate_postprocess(generated)) == 2


def test_classifiers():
    text = TextClassifierPreprocessor(character_tokenizer(vocabulary_size=128), 32)
    model = applications.TextClassifier(128, 32, classes=2, **SIZES)
    check_loss(model, *text(HAMLET[:4], [0, 1, 0, 1]))

    images = ImagePreprocessor((8, 8, 1))
    model = applications.ViT((8, 8, 1), 4, classes=3, **SIZES)
    check_loss(model, *images(np.zeros((2, 8, 8), "uint8"), [0, 2]))

    videos = VideoPreprocessor((4, 8, 8, 1))
    model = applications.ViViT((4, 8, 8, 1), (2, 4, 4), classes=3, **SIZES)
    check_loss(model, *videos(np.zeros((2, 4, 8, 8), "uint8"), [0, 2]))


def test_numeric_sequence_models_mask_the_padding():
    rng = np.random.default_rng(0)
    series = [rng.normal(size=(length, 2)) for length in (3, 9)]
    preprocessor = SeriesPreprocessor(channels=2)
    preprocessor.adapt(series)
    model = applications.RNNClassifier(
        classes=2, cell="gru", input_shape=(None, 2), hidden_dim=4
    )
    values, labels = preprocessor(series, [0, 1])
    check_loss(model, values, labels)
    # Padding changes nothing: the first series alone, and in the batch.
    alone = model.predict(preprocessor(series[:1]), verbose=0)
    together = model.predict(values, verbose=0)
    np.testing.assert_allclose(alone[0], together[0], rtol=1e-5, atol=1e-6)

    tagger = SeriesPreprocessor(channels=2, per_step_targets=True)
    model = applications.SequenceTagger(
        classes=3, backbone="lstm", input_shape=(None, 2), hidden_dim=4
    )
    values, labels = tagger(series, [np.zeros(3, "int32"), np.ones(9, "int32")])
    assert labels.shape == values.shape[:2]
    check_loss(model, values, labels)
