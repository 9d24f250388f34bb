"""`keras-seq train --data TABLE` on a table streamed as it is read.

A table larger than memory should hold streams (here forced: `--stream`):
the model and its vocabulary are built from its first rows and `fit`
reads it a record batch at a time. In several processes, and on many
devices, see tests/distribution/test_streamed_processes.py.
"""

import json

from tests.cli.conftest import keras_seq
from tests.data import writers


def test_a_streamed_table_trains_and_is_scored():
    writers.write_table("big.csv", writers.reviews(200))
    result = keras_seq(
        "train", "text_classifier", "--data", "big.csv", "--stream", "--tiny",
        "--epochs", 1, "--batch-size", 16, "--output", "run",
    )  # fmt: skip
    assert "big.csv streams: the vocabulary (or scaling) is fitted on " in result.stderr
    assert "training TextClassifier on big.csv: " in result.stdout
    assert "test accuracy: " in result.stdout
    with open("run/history.json", encoding="utf-8") as handle:
        history = json.load(handle)
    assert history["completed"] and len(history["history"]["loss"]) == 1
