"""The Python examples of README.md and the guides run as written.

The guides are the pages of the documentation site (`docs/*.md`, see
tests/guides.py). An example that leaves its data to the reader
(`token_ids`, `labels`, `ids`) gets small random data. Each example is a
test of its own, named after its page, so that the two pytest workers
share them out; an example that two pages show alike runs once.
Examples that train on a whole data set (the Rotten Tomatoes reviews,
Hamlet) train on its first part in the default run and on all of it, as
written, in the slow run.
"""

import re

import numpy as np
import pytest

from keras_seq import datasets
from tests import guides
from tests.tiers import spread_over_backends


def _blocks():
    """`(id, code)` of every Python example of the pages, each once."""
    found, seen = [], set()
    for page in guides.pages():
        for index, block in enumerate(guides.python_blocks(page.read_text())):
            if block not in seen:
                seen.add(block)
                found.append((f"{page.stem}_{index}", block))
    return found


BLOCKS = _blocks()
TRAINING_SETS = ("rotten_tomatoes", "hamlet")
FIRST_ITEMS = 1_000  # reviews; Hamlet is cut after this many lines


def _trains_on_a_data_set(block):
    return "fit(" in block and any(name in block for name in TRAINING_SETS)


# The examples are the same code on every backend: each one runs in the
# default run of one backend in turn, and in the slow run of all three.
CASES = [
    pytest.param(block, False, id=name, marks=param.marks)
    for (name, block), param in zip(BLOCKS, spread_over_backends(range(len(BLOCKS))))
] + [
    pytest.param(block, True, id=f"{name}_whole", marks=pytest.mark.slow)
    for name, block in BLOCKS
    if _trains_on_a_data_set(block)
]


def _first_part(load_data):
    """`load_data` whose splits hold only their first `FIRST_ITEMS` items."""

    def load(split=None):
        data = load_data(split)
        if split is None:
            return data
        if isinstance(data, str):
            return "\n".join(data.split("\n")[:FIRST_ITEMS])
        return tuple(part[:FIRST_ITEMS] for part in data)

    return load


def test_readme_and_guides_have_python_examples():
    assert guides.python_blocks(guides.README.read_text())
    assert any(_trains_on_a_data_set(block) for _, block in BLOCKS)


@pytest.mark.parametrize("block, whole", CASES)
def test_readme_example_runs(block, whole, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # what the example saves stays out of the repo
    if not whole:
        for name in TRAINING_SETS:
            module = getattr(datasets, name)
            monkeypatch.setattr(module, "load_data", _first_part(module.load_data))
    rng = np.random.default_rng(0)
    # The names the examples leave to the reader: their data.
    namespace = {
        "token_ids": rng.integers(1, 100, (32, 64)),
        "labels": rng.integers(0, 2, 32),
        "ids": rng.integers(1, 100, (16, 32)),
    }
    exec(re.sub(r"epochs=\d+", "epochs=1", block), namespace)
