"""The Python examples in README.md run as written (on small random data)."""

import pathlib
import re

import numpy as np

README = pathlib.Path(__file__).parents[1] / "README.md"


def test_readme_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # what the examples save stays out of the repo
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks
    rng = np.random.default_rng(0)
    # The names the examples leave to the reader: their data.
    namespace = {
        "token_ids": rng.integers(1, 100, (32, 64)),
        "labels": rng.integers(0, 2, 32),
        "ids": rng.integers(1, 100, (16, 32)),
    }
    for block in blocks:
        exec(re.sub(r"epochs=\d+", "epochs=1", block), namespace)
