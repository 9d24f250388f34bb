"""The shipped presets' names and metadata, read without importing Keras.

`keras_seq.applications` (whose package imports every model, hence
Keras and a backend) holds the registry of shipped presets:
`SHIPPED_PRESETS` in `keras_seq/presets/shipped.py`, each name with
the SHA-256 digest of its `metadata.json`. `keras-seq list` and the check
of a preset's name need only that table and those files, so this module
reads the table from the module's source (a literal dict, read with
`ast.literal_eval`, nothing executed) and each `metadata.json` checked
against its digest, as `keras_seq.applications.list_presets` does. The
tests check that both give the same presets and figures.
"""

import ast
import difflib
import functools
import hashlib
import importlib.util
import json
import os

from keras_seq.cli.errors import UsageError

METADATA_FILE = "metadata.json"


def _applications_folder():
    # The spec, not the module: finding it runs no package __init__ below keras_seq.
    spec = importlib.util.find_spec("keras_seq.applications")
    return os.path.dirname(spec.origin)


@functools.cache
def registry():
    """`{name: metadata digest}` of the shipped presets, or None if unreadable."""
    path = os.path.join(_applications_folder(), "presets.py")
    try:
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
    except (OSError, SyntaxError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "SHIPPED_PRESETS"
            for target in node.targets
        ):
            try:
                table = ast.literal_eval(node.value)
            except ValueError:
                return None
            return table if isinstance(table, dict) else None
    return None


def names():
    """The shipped presets' names, sorted (from Keras if the table is unreadable)."""
    table = registry()
    if table is None:
        from keras_seq.cli import environment

        environment.import_keras()
        from keras_seq.applications import list_presets

        return [info.name for info in list_presets()]
    return sorted(table)


def folder(name):
    """The folder of the shipped preset `name`."""
    return os.path.join(_applications_folder(), "preset_files", name)


def metadata(name):
    """The `metadata.json` of the shipped preset `name`, its digest checked."""
    path = os.path.join(folder(name), METADATA_FILE)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise UsageError(f"cannot read the shipped preset {name!r}: {error}") from None
    expected = (registry() or {}).get(name)
    if expected is not None and hashlib.sha256(data).hexdigest() != expected:
        raise UsageError(
            f"the shipped preset {name!r} is damaged: {path} does not match the "
            "digest its registry holds; reinstall keras-seq"
        )
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise UsageError(f"cannot read {path}: {error}") from None


def size_bytes(name, data):
    """The size of a preset's files together, `metadata.json` included."""
    listed = sum(entry["size"] for entry in data.get("files", {}).values())
    return listed + os.path.getsize(os.path.join(folder(name), METADATA_FILE))


def closest(name, choices):
    """`" (did you mean 'x'?)"` for the choice closest to `name`, or `""`."""
    matches = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""
