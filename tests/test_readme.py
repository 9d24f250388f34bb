"""The Python examples in README.md run as written (on small random data).

Each example is a test of its own, so that the two pytest workers share
them out. Examples that train on a whole data set (the Rotten Tomatoes
reviews, Hamlet) train on its first part in the default run and on all of
it, as written, in the slow run.
"""

import pathlib
import re

import numpy as np
import pytest

from keras_seq import datasets

README = pathlib.Path(__file__).parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
TRAINING_SETS = ("rotten_tomatoes", "hamlet")
FIRST_ITEMS = 1_000  # reviews; Hamlet is cut after this many lines


def _trains_on_a_data_set(block):
    return "fit(" in block and any(name in block for name in TRAINING_SETS)


CASES = [
    pytest.param(block, False, id=f"example_{index}")
    for index, block in enumerate(BLOCKS)
] + [
    pytest.param(block, True, id=f"example_{index}_whole", marks=pytest.mark.slow)
    for index, block in enumerate(BLOCKS)
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


def test_readme_has_python_examples():
    assert BLOCKS
    assert any(_trains_on_a_data_set(block) for block in BLOCKS)


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
