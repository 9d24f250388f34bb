"""The `weights` argument: None, a preset, a `.weights.h5` file, and nothing else."""

import keras
import numpy as np
import pytest

from keras_seq.presets import weights


@pytest.fixture
def saved(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    path = tmp_path / "tiny.weights.h5"
    model.save_weights(path)
    return model, path


def _fresh_model():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])


def test_none_loads_nothing():
    model = _fresh_model()
    before = model.get_weights()
    assert weights.load_weights(model, None) is model
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_a_path_loads_the_file(saved):
    model, path = saved
    fresh = _fresh_model()
    weights.load_weights(fresh, str(path))
    for expected, loaded in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(loaded, expected)


@pytest.mark.parametrize("bad", ["imagenet", "missing.weights.h5", 3])
def test_anything_else_is_rejected_with_the_shipped_names(bad, saved):
    with pytest.raises(ValueError, match="`weights` must be None.*'mnist_vit'"):
        weights.load_weights(_fresh_model(), bad)


def test_a_misspelled_name_gets_the_closest():
    with pytest.raises(
        ValueError, match="Did you mean 'mnist_vit'.*weights='mnist_vi'"
    ):
        weights.load_weights(_fresh_model(), "mnist_vi")


def test_a_file_of_another_format_is_rejected(saved):
    _, path = saved
    other = path.with_name("tiny.h5")
    other.write_bytes(path.read_bytes())
    with pytest.raises(ValueError, match="`weights`"):
        weights.load_weights(_fresh_model(), str(other))
