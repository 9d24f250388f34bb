"""Loading: a preset, or any source the command loads, as a model.

`load_source` is what `Task.from_preset` calls. Like KerasHub's
`get_preset_loader`, it looks at the source first (`format.source_kind`)
and hands it to the loader of its kind:

- a shipped preset's name or a preset folder: every file is checked, then
  the builder the preset names is built from its config (the caller's
  arguments checked against it, see `OpenPreset.arguments`), its
  preprocessor attached and its weights loaded;
- a `.keras` file, or a folder written by `keras-seq train` (its
  `model.keras`): `keras.saving.load_model`;
- a Hugging Face checkpoint folder: the loader `keras_seq.convert`
  registers with `register_loader` when it is imported.

The presets sit below the packages that make models from other formats,
so those register their loader here rather than being imported from here.
As with any Keras class, the builders a source names must be registered
(`import keras_seq.applications`) before it loads.

Example:

>>> import keras_seq.applications  # registers the builders with Keras
>>> from keras_seq.presets import load
>>> from keras_seq.models import Task
>>> model = load.load_source(Task, "japanese_vowels_lstm")
>>> type(model).__name__
'RNNClassifier'
"""

import contextlib
import os
import tempfile

import keras
import numpy as np

from keras_seq.presets import format as preset_format
from keras_seq.presets.quantized_dtype import with_float_policy
from keras_seq.presets.weights_file import load_weights_file

# Arguments a caller may change on a preset: they do not change what the
# weights are (the rest, sizes above all, must match the preset's).
OVERRIDABLE_ARGUMENTS = ("name", "dtype", "trainable", "preprocessor", "dropout")
# `{source kind: function(source, **options) -> model}`, registered by the
# packages that read other formats (`keras_seq.convert`: checkpoint folders).
_LOADERS = {}


class OpenPreset:
    """A verified preset, its files written to a private temporary folder.

    Use as a context manager (`with open_preset(preset) as opened:`): the
    temporary folder is removed on exit. The checked bytes are the ones
    written, so a file changed in the preset folder after the check is
    never read.

    Args:
        verified: a `format.VerifiedPreset`.
    """

    def __init__(self, verified):
        self.verified = verified
        self.label = verified.label
        self.metadata = verified.metadata
        self.stored = verified.json(preset_format.CONFIG_FILE)
        self._stack = contextlib.ExitStack()
        self.directory = self._stack.enter_context(
            tempfile.TemporaryDirectory(prefix="keras_seq_preset_")
        )
        for file, data in verified.files.items():
            path = os.path.join(self.directory, *file.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._stack.close()

    @property
    def builder(self):
        """The registered class the preset was saved from."""
        registered_name = self.stored.get("registered_name")
        builder = keras.saving.get_registered_object(registered_name)
        if not isinstance(builder, type):
            raise ValueError(
                f"Cannot load {self.label}: its builder {registered_name!r} is "
                "not a registered Keras class. Import the package that defines "
                "it first (`import keras_seq.applications` for keras-seq's)."
            )
        return builder

    @property
    def builder_name(self):
        return self.stored.get("class_name") or self.builder.__name__

    def check_builder(self, cls, instance=False):
        """The class to build for `cls`, or a ValueError naming the preset's builder.

        `cls` gets the preset when it is the preset's builder or a subclass
        of it; a base class (`Task`) gets the preset's builder.

        Args:
            cls: the class asked for.
            instance: whether `cls` is the class of a model being built,
                which must then be the builder or a subclass.
        """
        builder = self.builder
        if issubclass(cls, builder):
            return cls
        if issubclass(builder, cls) and not instance:
            return builder
        name = self.verified.reference
        raise ValueError(
            f"{self.label[0].upper()}{self.label[1:]} is a {builder.__name__}, "
            f"not a {cls.__name__}: load it with `{builder.__name__}.from_preset"
            f"({name!r})` or `{builder.__name__}(weights={name!r})`."
        )

    def arguments(self, given):
        """The constructor arguments: the preset's, with the caller's checked.

        Args:
            given: the arguments the caller passed (name -> value).

        Raises:
            ValueError: naming the argument, when a given size (anything
                but `OVERRIDABLE_ARGUMENTS`) differs from the preset's.
        """
        arguments = {
            key: value
            for key, value in self.stored["config"].items()
            if key != "preprocessor"
        }
        for key, value in given.items():
            if key == "dtype":  # A quantized preset stays quantized.
                value = with_float_policy(arguments.get(key), value)
            if key in OVERRIDABLE_ARGUMENTS or key not in arguments:
                arguments[key] = value
            elif _comparable(value) != _comparable(arguments[key]):
                raise ValueError(
                    f"`{key}={value!r}` conflicts with {self.label}, whose "
                    f"{key} is {arguments[key]!r}. Leave `{key}` out (the preset "
                    "sets it), or pass weights=None to build an untrained model."
                )
        return arguments

    def preprocessor(self):
        """The preset's preprocessor (its tokenizers' assets loaded), or None."""
        config = self.stored["config"].get("preprocessor")
        if config is None:
            return None
        preprocessor = keras.layers.deserialize(config)
        layers = preset_format.asset_layers(preprocessor)
        for layer_name in self.metadata.get("assets", []):
            if layer_name not in layers:
                raise ValueError(
                    f"Cannot load {self.label}: metadata.json lists assets of a "
                    f"layer {layer_name!r}, which its preprocessor does not hold. "
                    "Save the preset again. Nothing was loaded."
                )
            folder = os.path.join(self.directory, preset_format.ASSETS_DIR, layer_name)
            layers[layer_name].load_assets(folder)
        return preprocessor

    def load_weights(self, model):
        """Loads the preset's weights into `model` (built to its sizes)."""
        path = os.path.join(self.directory, preset_format.WEIGHTS_FILE)
        load_weights_file(model, path)
        return model


def open_preset(preset):
    """Verifies `preset` (every file) and opens it: an `OpenPreset` context.

    Args:
        preset: a shipped preset's name or a preset folder.
    """
    return OpenPreset(preset_format.verify_preset(preset))


def _comparable(value):
    """`value` with tuples as lists and NumPy scalars as Python ones (JSON's view)."""
    if isinstance(value, (list, tuple)):
        return [_comparable(item) for item in value]
    if isinstance(value, dict):
        return {key: _comparable(item) for key, item in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def load_preset(cls, preset, given=None):
    """`cls.from_preset(preset, **given)` for a shipped name or a preset folder.

    Args:
        cls: the class asked for (`Task` gets the preset's builder).
        preset: a shipped preset's name or a preset folder.
        given: the caller's constructor arguments, checked against the
            preset's (`OpenPreset.arguments`).
    """
    given = dict(given or {})
    if "weights" in given:
        raise ValueError(
            "`from_preset` takes its weights from the preset: pass no `weights`. "
            f"Received: weights={given['weights']!r}"
        )
    with open_preset(preset) as opened:
        builder = opened.check_builder(cls)
        arguments = opened.arguments(given)
        if "preprocessor" in given:
            arguments["preprocessor"] = given["preprocessor"]
        else:
            arguments["preprocessor"] = opened.preprocessor()
        model = builder(**arguments)
        return opened.load_weights(model)


def load_preset_weights(model, preset):
    """Loads the weights of `preset` (every file checked first) into `model`.

    Args:
        model: a model built to the preset's sizes.
        preset: a shipped preset's name or a preset folder.
    """
    with open_preset(preset) as opened:
        return opened.load_weights(model)


def register_loader(kind, loader):
    """Makes `load_source` load sources of `kind` with `loader`.

    `keras_seq.convert` registers `from_transformers` for Hugging Face
    checkpoint folders when it is imported.

    Args:
        kind: a kind `format.source_kind` answers, e.g.
            `format.CHECKPOINT_FOLDER`.
        loader: a function `loader(source, **options)` returning the model.
    """
    _LOADERS[kind] = loader


def load_source(cls, source, given=None):
    """`cls.from_preset(source, **given)`: any source the command loads.

    Args:
        cls: the class asked for: the model must be an instance of it
            (`Task` takes any).
        source: a shipped preset's name, a preset folder, a folder written
            by `keras-seq train`, a `.keras` file or a Hugging Face
            checkpoint folder (see `format.source_kind`).
        given: for a preset, constructor arguments checked against the
            preset's; for a checkpoint, the converter's options (see
            `keras_seq.convert.from_transformers`); a `.keras` file and a
            run folder take none.

    Raises:
        ValueError: for a source of none of these kinds (or of a kind whose
            loader is not registered), a bad file, a model that is not a
            `cls`, or arguments that conflict.
    """
    given = dict(given or {})
    kind = preset_format.source_kind(source)
    if kind in (preset_format.SHIPPED_PRESET, preset_format.PRESET_FOLDER):
        return load_preset(cls, source, given)
    if kind in (preset_format.KERAS_FILE, preset_format.RUN_FOLDER):
        path = os.fspath(source)
        if kind == preset_format.RUN_FOLDER:
            path = os.path.join(path, preset_format.RUN_MODEL_FILE)
        if given:
            raise ValueError(
                f"{path} holds the whole model: `from_preset` takes no arguments "
                f"for a .keras file. Received: {sorted(given)}"
            )
        model = keras.saving.load_model(path)
    elif kind in _LOADERS:
        model = _LOADERS[kind](source, **given)
    else:
        raise ValueError(
            f"{os.fspath(source)} is a Hugging Face checkpoint folder: "
            "`import keras_seq.convert` first, which registers its converter "
            "with `from_preset`."
        )
    if not isinstance(model, cls):
        raise ValueError(
            f"{os.fspath(source)} holds a {type(model).__name__}, not a "
            f"{cls.__name__}: load it with `{type(model).__name__}.from_preset"
            f"({os.fspath(source)!r})`."
        )
    return model
