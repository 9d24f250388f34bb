"""`keras-seq train|evaluate|predict --data PATH` on a user's own files, end to end.

A JSONL table of texts, a class folder of images and one of series, each
trained for an epoch with a tiny model, then predicted over a CSV of
paths: the predictions file holds one row per input row, in order, with
the user's own label names. Bad files are refused in one line, exit
status 2, before the output folder exists.
"""

import csv
import json
import os
import shutil

import pytest

from tests.cli.conftest import keras_seq
from tests.cli.conftest import refused_line
from tests.data import writers


def _train(app, data, output, *extra):
    return keras_seq(
        "train",
        app,
        "--data",
        data,
        "--tiny",
        "--epochs",
        1,
        "--output",
        output,
        *extra,
    )


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_jsonl_text_table_trains_evaluates_and_predicts():
    rows = [
        {"sentence": f"{'great' if i % 3 else 'awful'} plot {i}", "mood": m}
        for i, m in enumerate(["sad", "happy", "happy"] * 10)
    ]
    writers.write_table("moods.jsonl", rows)
    result = _train(
        "text_classifier",
        "moods.jsonl",
        "run",
        "--input-column",
        "sentence",
        "--target-column",
        "mood",
    )
    assert "training TextClassifier on moods.jsonl: 24 training and 3 validation" in (
        result.stdout
    )
    history = json.loads(open("run/history.json").read())
    assert history["labels"] == ["happy", "sad"]
    assert history["data"]["input_column"] == "sentence"
    assert history["test"]["examples"] == 3

    writers.write_table(
        "new.csv",
        [{"sentence": "great fun", "id": 7}] * 2
        + [{"sentence": "awful, truly", "id": 8}],
    )
    keras_seq("predict", "run", "--data", "new.csv", "--output", "out.csv")
    predicted = _rows("out.csv")
    assert [row["id"] for row in predicted] == ["7", "7", "8"]
    assert [row["sentence"] for row in predicted][2] == "awful, truly"
    assert {row["prediction"] for row in predicted} <= {"happy", "sad"}
    assert all(0.5 <= float(row["probability"]) <= 1 for row in predicted)

    printed = keras_seq("predict", "run", "--data", "new.csv").stdout.splitlines()
    assert printed[0] == "sentence,id,prediction,probability"
    assert len(printed) == 4
    # The label names are inside model.keras too: without history.json beside it.
    shutil.copy("run/model.keras", "alone.keras")
    keras_seq("predict", "alone.keras", "--data", "new.csv", "--output", "a.csv")
    assert [row["prediction"] for row in _rows("a.csv")] == [
        row["prediction"] for row in predicted
    ]

    scored = keras_seq("evaluate", "run", "--data", "moods.jsonl").stdout
    assert "test accuracy: " in scored and "on 30 examples" in scored


def test_an_image_class_folder_trains_and_predicts_a_csv_of_paths():
    writers.class_folder("photos", "image", per_class=8, classes=("cat", "dog"))
    _train("vit", "photos", "run")
    writers.write_table(
        "photos/batch.csv",
        [{"image": f"{c}/{i}.png"} for c in ("dog", "cat") for i in (1, 2)],
    )
    keras_seq("predict", "run", "--data", "photos/batch.csv", "--output", "p.jsonl")
    with open("p.jsonl", encoding="utf-8") as handle:
        predicted = [json.loads(line) for line in handle]
    assert [row["image"] for row in predicted] == [
        "dog/1.png",
        "dog/2.png",
        "cat/1.png",
        "cat/2.png",
    ]
    assert {row["prediction"] for row in predicted} <= {"cat", "dog"}
    # The class folder itself, every file in order.
    keras_seq("predict", "run", "--data", "photos", "--output", "all.csv")
    assert len(_rows("all.csv")) == 16


def test_a_series_class_folder_trains_and_predicts_a_csv_of_paths():
    writers.class_folder("moves", "series", per_class=8, classes=("left", "right"))
    _train("rnn_classifier", "moves", "run")
    paths = [
        f"{c}/{i}.{'csv' if i % 2 else 'npy'}"
        for c in ("left", "right")
        for i in range(4)
    ]
    writers.write_table("moves/which.csv", [{"series": path} for path in paths])
    keras_seq("predict", "run", "--data", "moves/which.csv", "--output", "p.csv")
    predicted = _rows("p.csv")
    assert [row["series"] for row in predicted] == paths
    assert {row["prediction"] for row in predicted} <= {"left", "right"}


@pytest.mark.parametrize(
    "make, data, message",
    [
        (lambda: None, "missing.csv", "missing.csv: no such file or folder"),
        (
            lambda: writers.write_table("r.csv", writers.reviews(8)),
            "r.csv --target-column stars",
            "r.csv: no column 'stars'; its columns: text, label",
        ),
        (
            lambda: open("e.tsv", "w").write("text\tlabel\n"),
            "e.tsv",
            "e.tsv: the table holds no rows",
        ),
        (
            lambda: writers.write_table("one.csv", [{"text": "x", "label": "a"}] * 6),
            "one.csv",
            "one.csv, column 'label': one class only ('a')",
        ),
    ],
)
def test_bad_files_are_refused_before_anything_is_written(make, data, message):
    make()
    path, *options = data.split()
    line = refused_line("train", "--data", path, *options, "--tiny", "--output", "run")
    assert message in line
    assert not os.path.exists("run")


def test_a_bad_image_and_an_unseen_test_label_arerefused_line():
    writers.class_folder("photos", "image", per_class=4)
    with open("photos/b/2.png", "wb") as handle:
        handle.write(b"broken")
    line = refused_line("train", "vit", "--data", "photos", "--tiny", "--output", "run")
    assert line.startswith("keras-seq train: error: photos/b/2.png: cannot read")
    writers.image("photos/b/2.png", seed=2)
    line = refused_line("train", "--data", "photos", "--tiny", "--output", "run")
    assert "photos: holds image inputs; text_classifier reads text" in line
    writers.write_table("train.csv", writers.reviews(12))
    writers.write_table("test.csv", [{"text": "x", "label": "meh"}])
    line = refused_line(
        "train", "--data", "train.csv", "--test-data", "test.csv", "--output", "run"
    )
    assert "test.csv, row 1, column 'label': the label 'meh' is not one" in line
    assert not os.path.exists("run")


def test_list_and_help_say_how_to_train_on_own_data():
    listed = keras_seq("list").stdout
    assert "--data PATH" in listed and "or a .txt corpus" in listed
    assert "keras_seq.data.load, then Builder.from_data" in listed
    helped = keras_seq("train", "--help").stdout
    assert "--input-column" in helped and "--validation-split" in helped
    assert "a .txt corpus (causal_lm)" in " ".join(helped.split())
    assert "--output" in keras_seq("predict", "--help").stdout
