"""Checks every `keras_seq.datasets` loader must pass, shared by their tests.

Each loader's test module calls these with its module; they check the
contract of `load_data(split=None)`: the split argument, the error for a
missing source package, copies that protect the cache, the same arrays in
every call and every process, and load times.
"""

import hashlib
import importlib
import importlib.util
import json
import pathlib
import subprocess
import sys
import time

import numpy as np
import pytest

REPO = pathlib.Path(__file__).parents[2]
SPLITS = ("train", "validation", "test")
# A fresh process reads and splits one data set within this (seconds; the
# slowest, moving_digits, takes about one on an idle 2-core machine).
FIRST_LOAD_SECONDS = 10.0
# A split already in memory comes back within this (the copy of the largest,
# moving_digits' 57 MB of training clips, takes about 0.2 s).
CACHED_LOAD_SECONDS = 0.75


def digest(value):
    """A SHA-256 of a loader's result: dicts, tuples, str and arrays of them.

    Covers dtypes and shapes, not only bytes, and object arrays of `str` or
    of arrays item by item, so equal digests mean equal results.
    """
    sha = hashlib.sha256()

    def update(item):
        if isinstance(item, dict):
            for key in sorted(item):
                sha.update(f"<{key}>".encode())
                update(item[key])
        elif isinstance(item, tuple):
            sha.update(f"tuple{len(item)}".encode())
            for part in item:
                update(part)
        elif isinstance(item, str):
            sha.update(b"str" + item.encode() + b"\x00")
        elif isinstance(item, np.ndarray) and item.dtype == object:
            sha.update(f"object{item.shape}".encode())
            for part in item:
                update(part)
        elif isinstance(item, np.ndarray):
            sha.update(f"{item.dtype.str}{item.shape}".encode())
            sha.update(np.ascontiguousarray(item).tobytes())
        else:
            raise TypeError(f"unexpected {type(item)} in a loader's result")

    update(value)
    return sha.hexdigest()


def digest_in_fresh_process(module_name):
    """`(digest of load_data(), seconds it took)` in a new interpreter."""
    code = (
        "import json, sys, time\n"
        "from tests.datasets.loader_checks import digest\n"
        "start = time.perf_counter()\n"
        f"from keras_seq.datasets import {module_name} as module\n"
        "result = module.load_data()\n"
        "seconds = time.perf_counter() - start\n"
        "print(json.dumps([digest(result), seconds]))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    value, seconds = json.loads(output.splitlines()[-1])
    return value, seconds


def check_same_in_every_process(module):
    """Two fresh processes and this one load identical data, fast enough."""
    name = module.__name__.rsplit(".", 1)[-1]
    first, seconds = digest_in_fresh_process(name)
    second, _ = digest_in_fresh_process(name)
    assert first == second
    assert digest(module.load_data()) == first
    assert seconds < FIRST_LOAD_SECONDS, f"first load took {seconds:.1f} s"


def check_cached_reload_is_fast(module):
    module.load_data()  # read and cached (or already)
    for split in (*SPLITS, None):
        start = time.perf_counter()
        module.load_data(split)
        seconds = time.perf_counter() - start
        assert seconds < CACHED_LOAD_SECONDS, f"{split}: {seconds:.2f} s"


def check_split_argument(module):
    """One split per name, the three for None, and a ValueError otherwise."""
    everything = module.load_data()
    assert list(everything) == list(SPLITS)
    for split in SPLITS:
        assert digest(module.load_data(split)) == digest(everything[split])
    for bad in ("dev", "Train", "", 0, ("train",)):
        with pytest.raises(ValueError) as error:
            module.load_data(bad)
        message = str(error.value)
        assert "`split`" in message and repr(bad) in message, message
        assert all(repr(split) in message for split in SPLITS), message


def check_results_are_copies(module, split="validation"):
    """Changing what a call returned changes nothing a later call returns."""
    before = digest(module.load_data(split))
    arrays = module.load_data(split)
    for array in arrays:
        assert array.flags.writeable
        if array.dtype == object:
            item = array[0]
            if isinstance(item, np.ndarray):
                assert item.flags.writeable
                item[...] = 0
            array[0] = None
        else:
            array[...] = 0 if array.dtype.kind in "iuf" else array.flat[-1]
    assert digest(module.load_data(split)) == before


def _uncached(monkeypatch, modules):
    """Swaps each module's lru-cached readers for their uncached functions.

    So a test can make a read fail without losing the cached data that the
    other tests reuse (monkeypatch puts the cached ones back).
    """
    for module in modules:
        for name, value in vars(module).copy().items():
            if hasattr(value, "cache_clear") and hasattr(value, "__wrapped__"):
                monkeypatch.setattr(module, name, value.__wrapped__)


def check_missing_package(module, package, install, monkeypatch, also=()):
    """Without `package`, loading raises ImportError: `pip install <install>`.

    `also` names the other dataset modules whose cached readers `module`
    calls (e.g. `mnist` for the sets built from its digits).
    """
    _uncached(monkeypatch, (module, *also))
    find_spec = importlib.util.find_spec

    def find_spec_without(name, *args, **kwargs):
        if name == package:
            return None
        return find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec_without)
    with pytest.raises(ImportError) as error:
        module.load_data("train")
    message = str(error.value)
    assert f"`pip install {install}`" in message, message
    assert f"`{package}`" in message, message


def fingerprints(images):
    """One hashable key a row: the bytes of each image (or tile)."""
    return [image.tobytes() for image in np.ascontiguousarray(images)]


def check_disjoint(keys_by_split):
    """No key (an item, or a source item it was built from) in two splits."""
    seen = {}
    for split, keys in keys_by_split.items():
        for key in set(keys):
            assert key not in seen, f"an item of {split} is also in {seen[key]}"
            seen[key] = split
