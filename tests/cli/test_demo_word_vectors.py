"""`keras-seq train`'s default model starts from the shipped word vectors.

`make demo` trains the default application (text_classifier on the
Rotten Tomatoes reviews); issue 36, point 5: a new TextClassifier over the
vocabulary and token embedding of the shipped `rotten_tomatoes` preset,
the rest at random. `--tiny` smoke runs keep their small vocabulary.
"""

import keras
import numpy as np
import pytest

from keras_seq.applications import TextClassifier
from keras_seq.cli import setups

REVIEWS = ["a gripping, funny and moving film", "dull, flat and far too long"]


def _built(tiny):
    setup = setups.get(setups.DEFAULT)
    x, y = setups.load_split(setup, "rotten_tomatoes", "train", limit=64)
    return setup.build(x, y, "rotten_tomatoes", tiny)


def _weights(model, name):
    """The table of the embedding's `token_embedding` or `position_embedding`."""
    table = getattr(model.get_layer("embedding"), name).weights[0]
    return keras.ops.convert_to_numpy(table)


@pytest.fixture(scope="module")
def preset():
    return TextClassifier.from_preset(setups.WORD_VECTORS)


def test_the_default_model_starts_from_the_shipped_word_vectors(preset):
    model = _built(tiny=False)
    ours, theirs = model.preprocessor.tokenizer, preset.preprocessor.tokenizer
    assert ours.get_vocabulary() == theirs.get_vocabulary()
    np.testing.assert_array_equal(
        model.preprocessor(REVIEWS), preset.preprocessor(REVIEWS)
    )
    np.testing.assert_array_equal(
        _weights(model, "token_embedding"), _weights(preset, "token_embedding")
    )
    # Only the words: the positions and the encoder layers are new.
    assert not np.allclose(
        _weights(model, "position_embedding"), _weights(preset, "position_embedding")
    )
    first = [
        keras.ops.convert_to_numpy(m.get_layer("encoder").weights[0])
        for m in (model, preset)
    ]
    assert not np.allclose(*first)


def test_the_default_model_saves_and_reads_raw_reviews(tmp_path):
    model = _built(tiny=False)
    before = model.predict(REVIEWS, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(REVIEWS, verbose=0), before, atol=1e-6)
    np.testing.assert_array_equal(
        _weights(loaded, "token_embedding"), _weights(model, "token_embedding")
    )


def test_tiny_runs_keep_a_small_vocabulary_of_their_own(preset):
    model = _built(tiny=True)
    assert model.preprocessor.tokenizer.vocabulary_size() <= 500
    assert model.count_params() < preset.count_params() / 50
