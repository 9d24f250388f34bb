"""Files written whole or not at all: a temporary name, then a rename.

A file is written to a temporary name in its own folder and then renamed
over the target (`os.replace`, atomic on POSIX and Windows), so a run
killed at any moment leaves either the old file or the new one, never a
half-written one.

Example:

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "record.json")
>>> write_json(path, {"epochs": 2})
>>> open(path).read()
'{\\n  "epochs": 2\\n}\\n'
"""

import contextlib
import json
import os


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside `path`; renamed to `path` on success.

    The temporary name keeps `path`'s suffix (`x.weights.h5`, `x.keras`),
    which Keras and matplotlib read the format from.

    Args:
        path: the file to write (str or path-like); its folder is created.
    """
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temporary = os.path.join(directory, f".partial-{os.getpid()}-{name}")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_json(path, data):
    """Writes `data` as indented JSON to `path`, atomically.

    Args:
        path: the JSON file.
        data: what `json.dump` takes.
    """
    with atomic_path(path) as temporary:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
