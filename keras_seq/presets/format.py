"""The preset format: names, digests and the checks made before anything loads.

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
legacy `.h5` model or a pickle. `verify_preset` reads each file once and
checks its size and digest against `metadata.json`; a shipped preset's
`metadata.json` is itself checked against the digest of the registry
(`keras_seq.presets.shipped`). A missing, truncated, altered or unlisted
file is refused with a `ValueError` naming the preset, the file and what to
do, before any model or preprocessor is built.

`source_kind` tells which of the sources `Task.from_preset` loads a value
names: a shipped preset, a preset folder, a folder written by
`keras-seq train`, a `.keras` file or a Hugging Face checkpoint folder.

This module imports no Keras: the command checks names and metadata with it
before it imports a backend.

Example:

>>> from keras_seq.presets import format as preset_format
>>> metadata = preset_format.read_metadata("mnist_vit")  # its digest checked
>>> metadata["builder"], metadata["dataset"]
('ViT', 'mnist')
>>> preset_format.source_kind("mnist_vit")
'shipped preset'
"""

import dataclasses
import difflib
import hashlib
import json
import os
import posixpath

from keras_seq.presets import shipped

FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"
METADATA_FILE = "metadata.json"
ASSETS_DIR = "assets"
# The model file of a folder written by `keras-seq train`.
RUN_MODEL_FILE = "model.keras"
# Weights, configs and vocabularies only: nothing that executes on load.
ALLOWED_SUFFIXES = (".weights.h5", ".json", ".txt")

# What `source_kind` answers.
SHIPPED_PRESET = "shipped preset"
PRESET_FOLDER = "preset folder"
RUN_FOLDER = "run folder"
KERAS_FILE = "keras file"
CHECKPOINT_FOLDER = "checkpoint folder"


def _every_source(names=""):
    """What `Task.from_preset` takes; `names`, the shipped ones, if given."""
    names = f" ({names})" if names else ""
    return (
        f"`preset` must be the name of a shipped preset{names}, a folder written "
        "by `save_to_preset` or `keras-seq train`, a Hugging Face checkpoint "
        "folder (`save_pretrained`) or a `.keras` file."
    )


@dataclasses.dataclass(frozen=True)
class ShippedPreset:
    """A preset that ships with the package: its folder and its metadata's digest.

    Attributes:
        name: the name `from_preset` and `weights=` take.
        directory: the preset folder (package data).
        metadata_sha256: the SHA-256 digest `metadata.json` must have.
        recipe: where the recipe that makes the files lives, for messages.
    """

    name: str
    directory: str
    metadata_sha256: str
    recipe: str = None


_SHIPPED = {
    name: ShippedPreset(
        name, shipped.preset_directory(name), digest, shipped.recipe(name)
    )
    for name, digest in shipped.SHIPPED_PRESETS.items()
}


def shipped_presets():
    """`{name: ShippedPreset}` of every shipped preset."""
    return dict(_SHIPPED)


def sha256_digest(data):
    """The SHA-256 hex digest of `data` (bytes).

    Args:
        data: the bytes to digest.
    """
    return hashlib.sha256(data).hexdigest()


def unknown_preset_message(argument, value, every_source=False):
    """Says that `value` names no shipped preset nor folder; names the closest.

    Args:
        argument: the argument's name, e.g. `"weights"`.
        value: what the caller gave.
        every_source: whether the argument also takes the other sources
            of `Task.from_preset` (a `.keras` file, a run or checkpoint
            folder).
    """
    names = sorted(_SHIPPED)
    listed = ", ".join(repr(name) for name in names) or "none"
    close = []
    if isinstance(value, (str, os.PathLike)):
        close = difflib.get_close_matches(os.fspath(value), names, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    if every_source:
        allowed = _every_source(listed)
    else:
        allowed = (
            f"`{argument}` must be the name of a shipped preset (registered: "
            f"{listed}) or a folder written by `save_to_preset`."
        )
    return f"{allowed}{hint} Received: {argument}={value!r}"


def is_preset_reference(value):
    """Whether `value` names a shipped preset or is a folder (a preset's, or not).

    Args:
        value: anything given as `weights` or `preset`.
    """
    if isinstance(value, str) and value in _SHIPPED:
        return True
    return isinstance(value, (str, os.PathLike)) and os.path.isdir(value)


def source_kind(source):
    """Which source of `Task.from_preset` `source` is, from its name and files.

    A shipped preset's name comes first (a path object is never a name);
    then a `.keras` file; then a folder: one with `model.keras` (written by
    `keras-seq train`), with `metadata.json` (a preset), or with
    `config.json` alone (a Hugging Face checkpoint). Nothing is read but
    the folder's listing.

    Args:
        source: a shipped preset's name, or a path (str or path object).

    Returns:
        One of `SHIPPED_PRESET`, `PRESET_FOLDER`, `RUN_FOLDER`,
        `KERAS_FILE` and `CHECKPOINT_FOLDER`.

    Raises:
        ValueError: naming what `source` is not and what is allowed.
    """
    if isinstance(source, str) and source in _SHIPPED:
        return SHIPPED_PRESET
    if not isinstance(source, (str, os.PathLike)):
        raise ValueError(unknown_preset_message("preset", source, every_source=True))
    path = os.fspath(source)
    if path.endswith(".keras"):
        if os.path.isfile(path):
            return KERAS_FILE
        raise ValueError(
            f"There is no such model file: {path}. Received: preset={source!r}"
        )
    if os.path.isfile(path):
        raise ValueError(
            f"{path} is not a .keras model file (or a folder written by "
            f"`keras-seq train`, or a preset). {_every_source()} "
            f"Received: preset={source!r}"
        )
    if os.path.isdir(path):
        for file, kind in (
            (RUN_MODEL_FILE, RUN_FOLDER),
            (METADATA_FILE, PRESET_FOLDER),
            (CONFIG_FILE, CHECKPOINT_FOLDER),
        ):
            if os.path.isfile(os.path.join(path, file)):
                return kind
        raise ValueError(
            f"{path} holds neither {RUN_MODEL_FILE} (a `keras-seq train` folder) "
            f"nor {METADATA_FILE} (a preset) nor {CONFIG_FILE} (a Hugging Face "
            f"checkpoint). Received: preset={source!r}"
        )
    raise ValueError(unknown_preset_message("preset", source, every_source=True))


class _Source:
    """Where a preset's files are and what to say when one is bad."""

    def __init__(self, preset):
        if isinstance(preset, str) and preset in _SHIPPED:
            self.reference = preset
            entry = _SHIPPED[preset]
            self.directory = entry.directory
            self.expected_metadata_sha256 = entry.metadata_sha256
            self.label = f"the shipped preset {preset!r}"
            recipe = entry.recipe or shipped.recipe(preset)
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

    Args:
        preset: a shipped preset's name or a preset folder.

    Raises:
        ValueError: for an unknown name, or a missing or altered file.
    """
    return _read_metadata(_Source(preset))


@dataclasses.dataclass(frozen=True)
class VerifiedPreset:
    """A preset whose every file has been read and checked, held in memory.

    Attributes:
        label: how messages name it ("the shipped preset 'mnist_vit'").
        reference: the name or folder it was loaded by.
        metadata: its `metadata.json`.
        files: `{relative path: the checked bytes}`.
    """

    label: str
    reference: str
    metadata: dict
    files: dict

    @property
    def name(self):
        return self.metadata.get("name")

    def json(self, file):
        """The checked file `file`, parsed as JSON."""
        return json.loads(self.files[file].decode("utf-8"))


def verify_preset(preset):
    """Reads every file of `preset` and checks it; returns a `VerifiedPreset`.

    Args:
        preset: a shipped preset's name or a preset folder.

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


def asset_layers(preprocessor):
    """`{name: layer}` of the layers of `preprocessor` that have assets.

    A layer has assets when it defines `save_assets` (the tokenizers);
    each saves into `assets/<its name>/`.

    Args:
        preprocessor: a preprocessor layer, or None.

    Raises:
        ValueError: when two different layers with assets share a name.
    """
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
