"""Every bad file is refused with one line naming the file (and row or column)."""

import numpy as np
import pytest

from keras_seq import data as user_data
from tests.data import writers


def _refused(path, **options):
    with pytest.raises(user_data.DataError) as caught:
        user_data.load(path, **options)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_missing_file():
    assert _refused("nowhere.csv") == "nowhere.csv: no such file or folder"


def test_an_unknown_column_lists_the_columns():
    writers.write_table("r.csv", writers.reviews(6))
    message = _refused("r.csv", target_column="stars")
    assert message == "r.csv: no column 'stars'; its columns: text, label"


def test_columns_that_cannot_be_told():
    rows = [{"a": "x", "b": "y", "c": str(i % 2)} for i in range(6)]
    writers.write_table("abc.csv", rows)
    assert "which column is the target? its columns: a, b, c" in _refused("abc.csv")


def test_an_empty_table():
    with open("empty.csv", "w") as handle:
        handle.write("text,label\n")
    assert _refused("empty.csv") == "empty.csv: the table holds no rows"
    open("nothing.csv", "w").close()
    assert "empty.csv" in _refused("nothing.csv").replace("nothing", "empty")


def test_one_class_only():
    rows = [{"text": f"t{i}", "label": "pos"} for i in range(6)]
    writers.write_table("one.jsonl", rows)
    message = _refused("one.jsonl")
    assert message.startswith("one.jsonl, column 'label': one class only ('pos')")


@pytest.mark.parametrize("label", [None, "", "  "])
def test_a_missing_or_empty_label_names_its_row(label):
    rows = writers.reviews(6)
    rows[3]["label"] = label
    writers.write_table("gap.jsonl", rows)
    assert _refused("gap.jsonl") == (
        "gap.jsonl, row 4, column 'label': the label is missing"
    )


def test_an_unreadable_image_names_the_file_and_row():
    rows = []
    for i in range(4):
        writers.image(f"{i}.png", seed=i)
        rows.append({"image": f"{i}.png", "label": i % 2})
    with open("2.png", "wb") as handle:
        handle.write(b"not a png")
    writers.write_table("images.csv", rows)
    message = _refused("images.csv")
    assert message.startswith("2.png: cannot read the image")
    assert message.endswith("(row 3 of images.csv)")


def test_an_unreadable_clip():
    writers.class_folder("clips", "video")
    with open("clips/b/3.npy", "wb") as handle:
        handle.write(b"nonsense")
    assert "clips/b/3.npy: cannot read the clip" in _refused("clips")


def test_series_of_different_channel_counts():
    writers.class_folder("series", "series")
    np.save("series/b/5.npy", np.zeros((6, 3), "float32"))
    assert _refused("series") == (
        "series/b/5.npy: a series of 3 channels; the series before it have 2: "
        "give series of one channel count"
    )


def test_a_test_label_that_training_never_saw():
    writers.write_table("train.csv", writers.reviews(10))
    rows = writers.reviews(3)
    rows[1]["label"] = "meh"
    writers.write_table("test.csv", rows)
    assert _refused("train.csv", test_data="test.csv") == (
        "test.csv, row 2, column 'label': the label 'meh' is not one training "
        "saw (neg, pos)"
    )


def test_not_a_table_nor_a_folder():
    open("notes.doc", "w").close()
    assert "notes.doc: not a table" in _refused("notes.doc")


def test_bad_arguments_are_value_errors():
    writers.write_table("r.csv", writers.reviews(6))
    with pytest.raises(ValueError, match="inputs"):
        user_data.load("r.csv", inputs="audio")
    with pytest.raises(ValueError, match="targets"):
        user_data.load("r.csv", targets="classes")
