"""The preset format: a trained application in one checked folder.

A preset is a folder, in the spirit of KerasHub's:

- `config.json`: the application as `keras.saving.serialize_keras_object`
  gives it (its registered class and constructor arguments, its
  preprocessor's config nested inside), without compile state;
- `model.weights.h5`: the model's weights only (no optimizer state);
- `assets/<layer name>/...`: the vocabulary files of each tokenizer of the
  preprocessor, written by the tokenizer's own `save_assets` and read back
  by its `load_assets` (a shared tokenizer is saved once);
- `metadata.json`: the preset's name, builder, data set and held-out
  metric (as the recipe that trained it recorded them), the versions and
  backend it was saved with, which layer owns which asset folder, and the
  SHA-256 digest and size of every other file in the folder.

Only `.json`, `.txt` and `.weights.h5` files are written or read: never a
legacy `.h5` model or a pickle. Loading reads each file once, checks its
size and digest against `metadata.json` and only then uses those bytes
(copied to a private temporary folder, so a file changed after the check
is never read); a shipped preset's `metadata.json` is itself checked
against the digest its registry holds. A missing, truncated, altered or
unlisted file is refused with a `ValueError` naming the preset, the file
and what to do, before any model or preprocessor is built.

Shipped presets are registered by name with `register_shipped_preset`;
`keras_seq.applications` registers its own when it is imported, so this
module (and `Task`) resolves names without importing the applications.
`Task.save_to_preset`, `Task.from_preset` and a builder's `weights=` argument
all go through this module.
"""

import contextlib
import dataclasses
import difflib
import functools
import hashlib
import inspect
import json
import os
import posixpath
import shutil
import tempfile

import keras
import numpy as np

from keras_seq.presets.weights_file import load_weights_file

FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"
METADATA_FILE = "metadata.json"
ASSETS_DIR = "assets"
# Weights, configs and vocabularies only: nothing that executes on load.
ALLOWED_SUFFIXES = (".weights.h5", ".json", ".txt")
# Arguments a caller may change on a preset: they do not change what the
# weights are (the rest, sizes above all, must match the preset's).
OVERRIDABLE_ARGUMENTS = ("name", "dtype", "trainable", "preprocessor", "dropout")
# Metadata keys this module writes; a recipe's metadata may not set them.
_RESERVED_METADATA = (
    "format_version",
    "builder",
    "registered_name",
    "keras_seq_version",
    "keras_version",
    "backend",
    "assets",
    "files",
)


@dataclasses.dataclass(frozen=True)
class ShippedPreset:
    """A preset that ships with the package: its folder and its metadata's digest."""

    name: str
    directory: str
    metadata_sha256: str
    recipe: str = None


_SHIPPED = {}


def register_shipped_preset(name, directory, metadata_sha256, recipe=None):
    """Registers the shipped preset `name`, whose folder is `directory`.

    Args:
        name: the name `from_preset` and `weights=` take.
        directory: the preset folder (package data).
        metadata_sha256: the SHA-256 digest `metadata.json` must have.
        recipe: where the recipe that makes the files lives, for messages.
    """
    _SHIPPED[name] = ShippedPreset(name, os.fspath(directory), metadata_sha256, recipe)


def shipped_presets():
    """`{name: ShippedPreset}` of every registered shipped preset."""
    return dict(_SHIPPED)


def sha256_digest(data):
    """The SHA-256 hex digest of `data` (bytes)."""
    return hashlib.sha256(data).hexdigest()


def unknown_preset_message(argument, value):
    """Says that `value` names no shipped preset nor folder; names the closest."""
    names = sorted(_SHIPPED)
    listed = ", ".join(repr(name) for name in names)
    close = difflib.get_close_matches(os.fspath(value), names, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return (
        f"`{argument}` must be the name of a shipped preset (registered: "
        f"{listed or 'none; import keras_seq.applications to register them'}"
        f") or a folder written by `save_to_preset`.{hint} "
        f"Received: {argument}={value!r}"
    )


def is_preset_reference(value):
    """Whether `value` names a shipped preset or is a folder (a preset's, or not)."""
    if isinstance(value, str) and value in _SHIPPED:
        return True
    return isinstance(value, (str, os.PathLike)) and os.path.isdir(value)


class _Source:
    """Where a preset's files are and what to say when one is bad."""

    def __init__(self, preset):
        if isinstance(preset, str) and preset in _SHIPPED:
            self.reference = preset
            shipped = _SHIPPED[preset]
            self.directory = shipped.directory
            self.expected_metadata_sha256 = shipped.metadata_sha256
            self.label = f"the shipped preset {preset!r}"
            recipe = shipped.recipe or f"recipes/{preset}/train.py"
            self.remedy = (
                "Reinstall keras-seq (`pip install --force-reinstall keras-seq`), "
                f"or rerun its recipe `{recipe}` in a source checkout"
            )
        elif isinstance(preset, (str, os.PathLike)) and os.path.isdir(preset):
            self.directory = self.reference = os.fspath(preset)
            self.expected_metadata_sha256 = None
            self.label = f"the preset folder {self.directory!r}"
            self.remedy = (
                "Save the model again with `model.save_to_preset(directory)`, or "
                "copy the whole folder again"
            )
        else:
            raise ValueError(unknown_preset_message("preset", preset))

    def refuse(self, file, problem):
        path = os.path.join(self.directory, *file.split("/"))
        return ValueError(
            f"Cannot load {self.label}: its file {file!r} ({path}) {problem}. "
            f"{self.remedy}. Nothing was loaded."
        )

    def read(self, file):
        path = os.path.join(self.directory, *file.split("/"))
        if not os.path.isfile(path):
            raise self.refuse(file, "is missing")
        with open(path, "rb") as handle:
            return handle.read()


def _check_file_name(source, file):
    """Refuses a listed name that escapes the folder or is not an allowed kind."""
    normalized = posixpath.normpath(file)
    if (
        not isinstance(file, str)
        or normalized != file
        or file.startswith(("/", "../"))
        or file == ".."
        or "\\" in file
    ):
        raise source.refuse(file, "is not a plain path inside the preset folder")
    if not file.endswith(ALLOWED_SUFFIXES) or file.endswith(".keras"):
        raise source.refuse(
            file,
            "is not a file kind presets hold (only "
            f"{', '.join(ALLOWED_SUFFIXES)}: weights, configs, vocabularies)",
        )


def _read_metadata(source):
    """The checked, parsed `metadata.json` of `source`."""
    data = source.read(METADATA_FILE)
    expected = source.expected_metadata_sha256
    if expected is not None and sha256_digest(data) != expected:
        raise source.refuse(
            METADATA_FILE,
            "does not match the SHA-256 digest the registry of shipped presets "
            "holds for it (it is altered, truncated or from another version)",
        )
    try:
        metadata = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise source.refuse(METADATA_FILE, f"is not valid JSON ({error})") from None
    if not isinstance(metadata, dict) or not isinstance(metadata.get("files"), dict):
        raise source.refuse(METADATA_FILE, "lists no files")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        raise source.refuse(
            METADATA_FILE,
            f"is of preset format {version!r}; this keras-seq reads format "
            f"{FORMAT_VERSION}",
        )
    for required in (CONFIG_FILE, WEIGHTS_FILE):
        if required not in metadata["files"]:
            raise source.refuse(required, "is not listed in metadata.json")
    return metadata


def read_metadata(preset):
    """The metadata of `preset` (a shipped name or a folder), its digest checked.

    Only `metadata.json` is read (and, for a shipped preset, checked
    against the registry's digest); the other files are checked when the
    preset loads.
    """
    return _read_metadata(_Source(preset))


@dataclasses.dataclass(frozen=True)
class VerifiedPreset:
    """A preset whose every file has been read and checked, held in memory."""

    label: str
    reference: str  # the name or folder it was loaded by
    metadata: dict
    files: dict  # relative path -> the checked bytes

    @property
    def name(self):
        return self.metadata.get("name")

    def json(self, file):
        return json.loads(self.files[file].decode("utf-8"))


def verify_preset(preset):
    """Reads every file of `preset` and checks it; returns a `VerifiedPreset`.

    Raises:
        ValueError: naming the preset, the file and what to do, when a
            listed file is missing, of another size or digest, or of a
            kind presets never hold, or a file in the folder is not listed.
    """
    source = _Source(preset)
    metadata = _read_metadata(source)
    files = {}
    for file, entry in sorted(metadata["files"].items()):
        _check_file_name(source, file)
        if not isinstance(entry, dict) or not {"sha256", "size"} <= set(entry):
            raise source.refuse(file, "has no digest and size in metadata.json")
        data = source.read(file)
        if len(data) != entry["size"]:
            raise source.refuse(
                file,
                f"is {len(data)} bytes long, but metadata.json says "
                f"{entry['size']} (it is truncated or altered)",
            )
        if sha256_digest(data) != entry["sha256"]:
            raise source.refuse(
                file,
                "does not match its SHA-256 digest in metadata.json (it is "
                "altered or corrupt)",
            )
        files[file] = data
    for root, _, names in os.walk(source.directory):
        for base in names:
            relative = os.path.relpath(os.path.join(root, base), source.directory)
            relative = relative.replace(os.sep, "/")
            if relative != METADATA_FILE and relative not in files:
                raise source.refuse(
                    relative,
                    "is not listed in metadata.json (remove it, or save the "
                    "preset again)",
                )
    try:
        config = json.loads(files[CONFIG_FILE].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise source.refuse(CONFIG_FILE, f"is not valid JSON ({error})") from None
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        raise source.refuse(CONFIG_FILE, "holds no model config")
    return VerifiedPreset(source.label, source.reference, metadata, files)


def _asset_layers(preprocessor):
    """`{name: layer}` of the layers of `preprocessor` that have assets."""
    if preprocessor is None:
        return {}
    layers = {}
    for layer in preprocessor._flatten_layers(include_self=True, recursive=True):
        if callable(getattr(layer, "save_assets", None)):
            if layer.name in layers and layers[layer.name] is not layer:
                raise ValueError(
                    f"The preprocessor holds two layers named {layer.name!r} "
                    "with assets (tokenizers): give them distinct names "
                    "(`name=...`) so that each saves its own vocabulary."
                )
            layers[layer.name] = layer
    return layers


class OpenPreset:
    """A verified preset, its files written to a private temporary folder.

    Use as a context manager (`with open_preset(preset) as opened:`): the
    temporary folder is removed on exit.
    """

    def __init__(self, verified):
        self.verified = verified
        self.label = verified.label
        self.metadata = verified.metadata
        self.stored = verified.json(CONFIG_FILE)
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
        of it; a base class (`Task`) gets the preset's builder. With
        `instance`, `cls` is the class of the model being built: it must be
        the builder or a subclass.
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
        layers = _asset_layers(preprocessor)
        for layer_name in self.metadata.get("assets", []):
            if layer_name not in layers:
                raise ValueError(
                    f"Cannot load {self.label}: metadata.json lists assets of a "
                    f"layer {layer_name!r}, which its preprocessor does not hold. "
                    "Save the preset again. Nothing was loaded."
                )
            folder = os.path.join(self.directory, ASSETS_DIR, layer_name)
            layers[layer_name].load_assets(folder)
        return preprocessor

    def load_weights(self, model):
        load_weights_file(model, os.path.join(self.directory, WEIGHTS_FILE))
        return model


def open_preset(preset):
    """Verifies `preset` (every file) and opens it: an `OpenPreset` context."""
    return OpenPreset(verify_preset(preset))


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
    """`cls.from_preset(preset, **given)`: see `Task.from_preset`."""
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
    """Loads the weights of `preset` (every file checked first) into `model`."""
    with open_preset(preset) as opened:
        return opened.load_weights(model)


def accept_presets_as_weights(cls):
    """Lets the builder `cls` take a preset as `weights` (keras.applications' way).

    Wraps `cls.__init__` when it defines one with a `weights` argument:
    given a shipped preset's name or a preset folder, the wrapper checks
    every file, takes the constructor arguments from the preset (those the
    caller gives must agree, see `OpenPreset.arguments`), builds the model
    with the preset's preprocessor (unless the caller passes one) and
    loads its weights. Any other `weights` reaches `cls.__init__` as it is.
    The wrapper also makes NumPy integer arguments Python ints, and refuses
    `keras.models.clone_model`'s call with tensors.
    """
    init = cls.__dict__.get("__init__")
    if init is None or getattr(init, "_takes_presets", False):
        return
    try:
        signature = inspect.signature(init)
    except (TypeError, ValueError):
        return
    if "weights" not in signature.parameters:
        return
    var_keyword = next(
        (
            p.name
            for p in signature.parameters.values()
            if p.kind is inspect.Parameter.VAR_KEYWORD
        ),
        None,
    )

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        _refuse_graph_tensors(cls, args)
        args, kwargs = _plain_ints(args), _plain_ints(kwargs)
        try:
            bound = signature.bind_partial(self, *args, **kwargs)
        except TypeError:
            return init(self, *args, **kwargs)
        weights = bound.arguments.get("weights")
        if not is_preset_reference(weights):
            if _names_no_file(weights) and not _binds(signature, self, *args, **kwargs):
                # Meant as a preset (no sizes given), but there is none of
                # that name: say so, not that the sizes are missing.
                raise ValueError(
                    unknown_preset_message("weights", weights)
                    + f". (Without a preset, {cls.__name__} needs its sizes; "
                    "`weights` may then also be a `.weights.h5` file.)"
                )
            return init(self, *args, **kwargs)
        given = {}
        for key, value in list(bound.arguments.items())[1:]:
            if key == var_keyword:
                given.update(value)
            elif key != "weights":
                given[key] = value
        with open_preset(weights) as opened:
            opened.check_builder(type(self), instance=True)
            arguments = opened.arguments(given)
            if "preprocessor" not in given:
                arguments["preprocessor"] = opened.preprocessor()
            init(self, **arguments, weights=None)
            opened.load_weights(self)

    __init__._takes_presets = True
    cls.__init__ = __init__


def _names_no_file(weights):
    """Whether `weights` is a name or path of no existing file."""
    return isinstance(weights, (str, os.PathLike)) and not os.path.isfile(weights)


def _binds(signature, *args, **kwargs):
    """Whether `args` and `kwargs` give every required argument of `signature`."""
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        return False
    return True


def _plain_ints(value):
    """`value` with every NumPy integer (in tuples, lists, dicts) a Python int.

    Keras layers and JSON configs take Python ints only; a builder takes
    every integer type (`np.int64(8)` as well as `8`).
    """
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain_ints(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain_ints(item) for key, item in value.items()}
    return value


def _refuse_graph_tensors(cls, args):
    """Refuses `keras.models.clone_model`'s call of a builder with its graph.

    `clone_model` calls the class with the cloned input and output tensors,
    as if it were `keras.Model(inputs, outputs)`; a builder takes sizes.
    """
    if args and any(
        isinstance(leaf, keras.KerasTensor) for leaf in keras.tree.flatten(args[0])
    ):
        raise TypeError(
            f"{cls.__name__} is built from its sizes, not from input and output "
            "tensors, so `keras.models.clone_model` cannot rebuild it. Copy it "
            f"with `{cls.__name__}.from_config(model.get_config())` (new "
            "weights; then `copy.set_weights(model.get_weights())` to copy "
            "them too), or save and load it."
        )


def save_preset(model, directory, metadata=None, overwrite=False):
    """Writes `model` as a preset folder: see `Task.save_to_preset`.

    Returns `directory` as it was given (a str or a path object).
    """
    given, directory = directory, os.fspath(directory)
    metadata = dict(metadata or {})
    reserved = sorted(set(metadata) & set(_RESERVED_METADATA))
    if reserved:
        raise ValueError(
            f"`metadata` may not set {reserved}: save_to_preset writes them. "
            f"Received: metadata keys {sorted(metadata)}"
        )
    if not model.built:
        raise ValueError(
            "The model is not built: build it (or call it on data) before "
            "saving it as a preset."
        )
    exists = os.path.isdir(directory) and os.listdir(directory)
    if exists:
        is_preset = os.path.isfile(os.path.join(directory, METADATA_FILE))
        if not (overwrite and is_preset):
            what = "a preset" if is_preset else "not a preset"
            advice = (
                "pass overwrite=True to replace it"
                if is_preset
                else "choose an empty or new folder"
            )
            raise ValueError(
                f"`directory` {directory!r} is not empty ({what}): {advice}. "
                f"Received: directory={directory!r}, overwrite={overwrite!r}"
            )
    parent = os.path.dirname(os.path.abspath(directory))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".preset_", dir=parent)
    # mkdtemp makes the folder private (0700); a preset is as readable as
    # any folder the user makes.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)
    try:
        _write_preset(model, staging, directory, metadata)
        if exists:
            shutil.rmtree(directory)
        elif os.path.isdir(directory):
            os.rmdir(directory)
        os.replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return given


def _write_preset(model, folder, directory, metadata):
    from keras_seq.version import __version__

    stored = keras.saving.serialize_keras_object(model)
    stored.pop("compile_config", None)
    with open(os.path.join(folder, CONFIG_FILE), "w", encoding="utf-8") as handle:
        json.dump(stored, handle, indent=2, sort_keys=True)
        handle.write("\n")

    # The weights of an uncompiled copy: no optimizer state in the file.
    # Rebuilding from the config also checks that the config round-trips.
    config = model.get_config()
    config.pop("preprocessor", None)
    copy = type(model).from_config(config)
    copy.set_weights(model.get_weights())
    copy.save_weights(os.path.join(folder, WEIGHTS_FILE))

    assets = {}
    for name, layer in _asset_layers(getattr(model, "preprocessor", None)).items():
        layer_folder = os.path.join(folder, ASSETS_DIR, name)
        os.makedirs(layer_folder)
        layer.save_assets(layer_folder)
        written = sorted(os.listdir(layer_folder))
        if written:
            assets[name] = written
        else:
            os.rmdir(layer_folder)
    if os.path.isdir(os.path.join(folder, ASSETS_DIR)) and not assets:
        os.rmdir(os.path.join(folder, ASSETS_DIR))

    files = {}
    for root, _, names in os.walk(folder):
        for base in sorted(names):
            path = os.path.join(root, base)
            relative = os.path.relpath(path, folder).replace(os.sep, "/")
            if not relative.endswith(ALLOWED_SUFFIXES):
                raise ValueError(
                    f"A preset holds only {', '.join(ALLOWED_SUFFIXES)} files; "
                    f"saving wrote {relative!r}. Nothing was saved."
                )
            with open(path, "rb") as handle:
                data = handle.read()
            files[relative] = {"sha256": sha256_digest(data), "size": len(data)}
    record = {
        "format_version": FORMAT_VERSION,
        "name": os.path.basename(os.path.abspath(directory)),
        **metadata,
        "builder": stored["class_name"],
        "registered_name": stored.get("registered_name"),
        "keras_seq_version": __version__,
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "assets": assets,
        "files": dict(sorted(files.items())),
    }
    with open(os.path.join(folder, METADATA_FILE), "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=2, sort_keys=True, default=_json_default)
        handle.write("\n")


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
