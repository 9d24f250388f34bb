"""`keras-seq train` and `evaluate` on every application, tiny budgets (slow)."""

import json

import pytest

from keras_seq.cli import setups
from tests.cli.conftest import keras_seq

# The default (text_classifier), causal_lm and vit(digits) run in test_cli.
OTHERS = [
    name for name in setups.SETUPS if name not in ("text_classifier", "causal_lm")
]


@pytest.mark.slow
@pytest.mark.parametrize("app", OTHERS)
def test_train_and_evaluate(app, tmp_path):
    result = keras_seq(
        "train",
        app,
        "--tiny",
        "--limit",
        48,
        "--epochs",
        1,
        "--batch-size",
        16,
        "--output",
        tmp_path,
    )
    setup = setups.get(app)
    record = json.loads((tmp_path / "history.json").read_text())
    assert record["completed"] and record["test"]["metric"] in result.stdout
    assert record["baselines"]
    evaluated = keras_seq("evaluate", tmp_path, "--limit", 48)
    assert f"test {record['test']['metric']}:" in evaluated.stdout
    assert setup.builder in evaluated.stdout
