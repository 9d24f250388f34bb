"""`keras-seq train`'s default model starts from the shipped word vectors.

`make demo` trains the default application (text_classifier on the
Rotten Tomatoes reviews); issue 36, point 5: a new TextClassifier over the
vocabulary and token embedding of the shipped `rotten_tomatoes` preset,
the rest at random. `--tiny` smoke runs keep their small vocabulary.
"""

import importlib.util
import pathlib

import keras
import numpy as np
import pytest

from keras_seq.applications import TextClassifier
from keras_seq.cli import setups

SETTINGS = (
    pathlib.Path(__file__).resolve().parents[2]
    / "recipes"
    / "rotten_tomatoes"
    / "demo_settings.py"
)
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


def test_the_settings_script_changes_only_what_it_is_given():
    # recipes/rotten_tomatoes/demo_settings.py: the variants docs/install.md
    # compares the demo with, on validation.
    spec = importlib.util.spec_from_file_location("demo_settings", SETTINGS)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    default = _built(tiny=False)
    variant = script.demo_model({"pooling": "class_token", "dropout": 0.2})
    changed = {
        key
        for key, value in variant.init_config.items()
        if default.init_config[key] != value
    }
    assert changed == {"pooling", "dropout"}
    assert variant.preprocessor.tokenizer.get_vocabulary() == (
        default.preprocessor.tokenizer.get_vocabulary()
    )
    np.testing.assert_array_equal(
        _weights(variant, "token_embedding"), _weights(default, "token_embedding")
    )


def _script(name):
    path = SETTINGS.with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def test_the_settings_script_starts_from_the_vectors_it_is_given():
    # `demo_settings.py --vectors`: other starting words (docs/install.md).
    default = _built(tiny=False)
    vectors = 0.5 * _weights(default, "token_embedding")
    variant = _script("demo_settings").demo_model({"dropout": 0.2}, vectors)
    np.testing.assert_array_equal(_weights(variant, "token_embedding"), vectors)


def test_the_bigram_prototype_hashes_pairs_of_real_words_only():
    ids = np.array([[5, 9, 2, 0, 0], [7, 0, 0, 0, 0]], dtype="int32")
    pairs = keras.ops.convert_to_numpy(
        _script("demo_bigrams").bigram_ids(keras.ops.convert_to_tensor(ids), 64)
    )
    assert pairs.shape == (2, 4)
    assert (pairs[0, :2] >= 1).all() and (pairs[0, :2] < 64).all()
    assert pairs[0, 0] != pairs[0, 1]
    assert (pairs[0, 2:] == 0).all() and (pairs[1] == 0).all()
