"""Every reader of `keras_seq.data`: tables of each format, files, folders, corpora."""

import os

import numpy as np
import pytest

from keras_seq import data as user_data
from keras_seq.data import files
from keras_seq.data import tables
from tests.data import writers

FORMATS = ["r.csv", "r.tsv", "r.jsonl", "r.parquet"]
FORMATS += [name + ".gz" for name in FORMATS]


@pytest.mark.parametrize("name", FORMATS)
def test_every_table_format_reads_the_same_rows(name):
    rows = writers.reviews(10)
    writers.write_table(name, rows)
    assert tables.column_names(name) == ["text", "label"]
    values = tables.read_columns(name, ["text", "label"])
    assert values["text"] == [row["text"] for row in rows]
    assert values["label"] == [row["label"] for row in rows]


def test_batches_stream_a_table_in_bounded_record_batches(monkeypatch):
    monkeypatch.setattr(tables, "BLOCK_BYTES", 1024)
    writers.write_table("big.csv", writers.reviews(2000))
    sizes = [batch.num_rows for batch in tables.batches("big.csv", ["label"])]
    assert len(sizes) > 10 and sum(sizes) == 2000
    assert max(sizes) < 200


def test_images_are_read_resized_and_greyscale_kept():
    writers.image("a.png", (8, 8))
    writers.image("b.jpg", (12, 10))
    writers.image("g.png", (8, 8), grey=True)
    assert files.read_image("a.png").shape == (8, 8, 3)
    assert files.read_image("b.jpg", size=(8, 8)).shape == (8, 8, 3)
    assert files.image_channels("g.png") == 1
    grey = files.read_image("g.png", channels=1)
    assert grey.shape == (8, 8, 1) and grey.dtype == np.uint8


def test_series_from_npy_and_csv_agree():
    series = np.arange(12, dtype="float32").reshape(6, 2)
    np.save("s.npy", series)
    writers.series_csv("s.csv", series)
    np.testing.assert_array_equal(files.read_series("s.npy"), series)
    np.testing.assert_array_equal(files.read_series("s.csv"), series)
    np.save("one.npy", np.arange(5.0))
    assert files.read_series("one.npy").shape == (5, 1)


def test_clips_get_a_channel_axis():
    np.save("c.npy", np.zeros((4, 8, 8), "float32"))
    assert files.read_clip("c.npy").shape == (4, 8, 8, 1)


def test_a_text_table_loads_with_default_columns():
    writers.write_table("reviews.jsonl", writers.reviews(20))
    data = user_data.load("reviews.jsonl")
    assert data.inputs == "text" and data.labels == ("neg", "pos")
    assert (data.input_column, data.target_column) == ("text", "label")
    assert isinstance(data.train.x[0], str)
    assert len(data.train.x) + len(data.validation.x) + len(data.test.x) == 20
    names = data.label_names(data.train.y)
    assert names == ["pos" if " fine " in text else "neg" for text in data.train.x]


def test_a_table_of_image_paths_resolves_against_its_folder():
    os.makedirs("set/pictures")
    rows = []
    for i in range(8):
        writers.image(f"set/pictures/{i}.png", seed=i)
        rows.append({"file": f"pictures/{i}.png", "kind": "cat" if i % 2 else "dog"})
    writers.write_table("set/images.csv", rows)
    data = user_data.load("set/images.csv", target_column="kind")
    assert data.inputs == "image" and data.labels == ("cat", "dog")
    assert data.train.x.shape[1:] == (8, 8, 3) and data.train.x.dtype == np.uint8


def test_integer_labels_keep_their_numeric_order():
    rows = [{"text": f"t{i}", "label": [10, 2, 1][i % 3]} for i in range(12)]
    writers.write_table("n.csv", rows)
    assert user_data.load("n.csv").labels == ("1", "2", "10")


@pytest.mark.parametrize("kind", ["text", "image", "video", "series"])
def test_class_folders_of_every_kind(kind):
    writers.class_folder("folder", kind)
    data = user_data.load("folder")
    assert data.inputs == kind and data.labels == ("a", "b")
    x = data.train.x
    assert len(x) + len(data.validation.x) + len(data.test.x) == 12
    if kind == "series":
        assert all(series.shape[1] == 2 for series in x)
    if kind == "video":
        assert x.shape[1:] == (4, 8, 8, 1)


def test_a_corpus_file_or_folder_splits_by_position():
    text = "".join(chr(97 + i % 26) for i in range(1000))
    os.makedirs("books")
    for name in ("books/1.txt", "books/2.txt"):
        with open(name, "w") as handle:
            handle.write(text)
    data = user_data.load("books/1.txt")
    assert data.train.x + data.validation.x + data.test.x == text
    assert len(data.test.x) == 100 and data.train.y is None
    whole = user_data.load("books")
    assert len(whole.train.x + whole.validation.x + whole.test.x) == 2001


def test_validation_and_test_files_are_used_whole():
    writers.write_table("train.csv", writers.reviews(20))
    writers.write_table("val.csv", writers.reviews(4))
    writers.write_table("test.jsonl", writers.reviews(6))
    data = user_data.load(
        "train.csv", validation_data="val.csv", test_data="test.jsonl"
    )
    assert (len(data.train.x), len(data.validation.x), len(data.test.x)) == (20, 4, 6)
    assert list(data.test.y) == [0, 1, 0, 1, 0, 1]


def test_read_keeps_the_order_and_codes_with_given_labels():
    writers.write_table("r.csv", writers.reviews(7))
    split, _ = user_data.read("r.csv", labels=("pos", "neg"))
    assert list(split.y) == [1, 0, 1, 0, 1, 0, 1]
    assert split.x[0].endswith("number 0")
