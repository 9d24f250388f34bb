"""Saving: a model, its preprocessor and their assets as a checked preset folder.

`save_preset` is what `Task.save_to_preset` calls. It writes the folder
described in `keras_seq.presets.format` into a staging folder beside the
target and moves it into place only when every file is written, so an
interrupted save leaves the old preset (or none), never half of one.

Example:

>>> import os, tempfile
>>> from keras_seq.applications import ViT
>>> model = ViT(input_shape=(8, 8, 1), patch_size=4, classes=3)
>>> with tempfile.TemporaryDirectory() as folder:
...     path = model.save_to_preset(os.path.join(folder, "tiny_vit"))
...     sorted(os.listdir(path))
['config.json', 'metadata.json', 'model.weights.h5']
"""

import json
import os
import shutil
import tempfile

import keras
import numpy as np

from keras_seq.presets import format as preset_format

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


def save_preset(model, directory, metadata=None, overwrite=False):
    """Writes `model` as a preset folder: see `Task.save_to_preset`.

    Args:
        model: a built `Task`.
        directory: the folder to write (str or path object).
        metadata: what `metadata.json` records besides the format's keys.
        overwrite: whether to replace an existing preset folder.

    Returns:
        `directory` as it was given (a str or a path object).
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
        is_preset = os.path.isfile(os.path.join(directory, preset_format.METADATA_FILE))
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
    config_path = os.path.join(folder, preset_format.CONFIG_FILE)
    with open(config_path, "w", encoding="utf-8") as handle:
        json.dump(stored, handle, indent=2, sort_keys=True)
        handle.write("\n")

    # The weights of an uncompiled copy: no optimizer state in the file.
    # Rebuilding from the config also checks that the config round-trips.
    config = model.get_config()
    config.pop("preprocessor", None)
    copy = type(model).from_config(config)
    _copy_variables(model, copy)
    copy.save_weights(os.path.join(folder, preset_format.WEIGHTS_FILE))

    assets = _write_assets(model, folder)

    files = {}
    for root, _, names in os.walk(folder):
        for base in sorted(names):
            path = os.path.join(root, base)
            relative = os.path.relpath(path, folder).replace(os.sep, "/")
            if not relative.endswith(preset_format.ALLOWED_SUFFIXES):
                raise ValueError(
                    f"A preset holds only "
                    f"{', '.join(preset_format.ALLOWED_SUFFIXES)} files; saving "
                    f"wrote {relative!r}. Nothing was saved."
                )
            with open(path, "rb") as handle:
                data = handle.read()
            files[relative] = {
                "sha256": preset_format.sha256_digest(data),
                "size": len(data),
            }
    record = {
        "format_version": preset_format.FORMAT_VERSION,
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
    metadata_path = os.path.join(folder, preset_format.METADATA_FILE)
    with open(metadata_path, "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=2, sort_keys=True, default=_json_default)
        handle.write("\n")


def _copy_variables(model, copy):
    """Each layer's variables into `copy`'s, as Keras saves them.

    A layer's own `save_own_variables` gives what a `.keras` file holds: a
    quantized layer's int8 kernel and scale, and a kernel with its LoRA
    adapter merged (the copy, built from the config, has no adapter).
    """
    layers = {layer.path: layer for layer in copy._flatten_layers(include_self=False)}
    preprocessor = getattr(model, "preprocessor", None)
    skipped = (
        {id(layer) for layer in preprocessor._flatten_layers()}
        if preprocessor
        else set()
    )
    for layer in model._flatten_layers(include_self=False):
        store = {}
        layer.save_own_variables(store)
        if not store or id(layer) in skipped:
            continue
        if layer.path not in layers:
            raise ValueError(
                f"Cannot save the preset: the layer {layer.path!r} is not rebuilt "
                "by the model's config. Nothing was saved."
            )
        layers[layer.path].load_own_variables(store)


def _write_assets(model, folder):
    """Writes each tokenizer's files under `assets/<name>/`: `{name: files}`."""
    assets_dir = os.path.join(folder, preset_format.ASSETS_DIR)
    preprocessor = getattr(model, "preprocessor", None)
    assets = {}
    for name, layer in preset_format.asset_layers(preprocessor).items():
        layer_folder = os.path.join(assets_dir, name)
        os.makedirs(layer_folder)
        layer.save_assets(layer_folder)
        written = sorted(os.listdir(layer_folder))
        if written:
            assets[name] = written
        else:
            os.rmdir(layer_folder)
    if os.path.isdir(assets_dir) and not assets:
        os.rmdir(assets_dir)
    return assets


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
