"""What the preprocessing tests share: texts, a model that holds preprocessors, checks.

`Holder` is a tiny `keras.Model` subclass that holds preprocessors as
attributes, as an application holds `model.preprocessor`: saving it to a
`.keras` file saves their configs and their tokenizers' assets, and the
cross-backend test loads that file in a subprocess under another backend.
"""

import keras
import numpy as np

# The opening of "To be, or not to be" (Hamlet, Act III, Scene 1), with the
# play's line ends and a stage direction.
HAMLET = [
    "HAMLET\n",
    "To be, or not to be: that is the question:\n",
    "Whether 'tis nobler in the mind to suffer\n",
    "The slings and arrows of outrageous fortune,\n",
    "Or to take arms against a sea of troubles,\n",
    "And by opposing end them? To die: to sleep;\n",
    "No more; and by a sleep to say we end\n",
    "The heart-ache and the thousand natural shocks\n",
    "That flesh is heir to, 'tis a consummation\n",
    "Devoutly to be wish'd. To die, to sleep;\n",
    "To sleep: perchance to dream: ay, there's the rub;\n",
    "For in that sleep of death what dreams may come\n",
    "When we have shuffled off this mortal coil,\n",
    "Must give us pause: there's the respect\n",
    "That makes calamity of so long life;\n",
    "\t[Exit OPHELIA]\n",
]
# French names with accents, a ligature, a cedilla and a curly apostrophe.
FRENCH = [
    "République d'Autriche",
    "Dinar algérien",
    "Quechua bolivien méridional",
    "Côte d’Ivoire",
    "Îles Åland",
    "cœur à l'Œuvre, ça ira",
    "Noël, Ÿ, naïve",
]
ENGLISH = [
    "Republic of Austria",
    "Algerian Dinar",
    "South Bolivian Quechua",
    "Ivory Coast",
    "Åland Islands",
    "heart at work, it will be fine",
    "Christmas, Y, naive",
]
TEXTS = HAMLET + FRENCH + ENGLISH


@keras.saving.register_keras_serializable(package="keras_seq_tests")
class Holder(keras.Model):
    """A one-dense-layer model that holds preprocessors as attributes."""

    def __init__(self, preprocessors, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(1)
        self.names = sorted(preprocessors)
        for name, preprocessor in preprocessors.items():
            setattr(self, name, preprocessor)
        self(np.zeros((1, 2), "float32"))

    def call(self, x):
        return self.dense(x)

    def get_config(self):
        config = super().get_config()
        config["preprocessors"] = {
            name: keras.layers.serialize(getattr(self, name)) for name in self.names
        }
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["preprocessors"] = {
            name: keras.layers.deserialize(layer)
            for name, layer in config["preprocessors"].items()
        }
        return cls(**config)


def save_and_load(preprocessors, path):
    """Saves a `Holder` of `preprocessors` to `path` and loads it (safe mode)."""
    Holder(preprocessors).save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    return {name: getattr(loaded, name) for name in preprocessors}


def from_config(preprocessor):
    """A new preprocessor from `preprocessor`'s serialized config."""
    return keras.layers.deserialize(keras.layers.serialize(preprocessor))


def assert_same_outputs(first, second):
    """Equal structures of NumPy arrays: same shapes, dtypes and values."""
    first, second = keras.tree.flatten(first), keras.tree.flatten(second)
    assert len(first) == len(second)
    for a, b in zip(first, second):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def real_lengths(ids):
    """The number of nonzero ids of each row; asserts they all come first."""
    ids = np.asarray(ids)
    lengths = np.count_nonzero(ids, axis=1)
    expected = np.arange(ids.shape[1])[None, :] < lengths[:, None]
    np.testing.assert_array_equal(ids != 0, expected)
    return lengths
