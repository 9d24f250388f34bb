"""Tables read as they come: parts, labels, batches, and memory bounded.

The small tests stream tables of a few thousand rows (`stream=True`);
the large one generates a table of several hundred MB and trains on it
for a bounded number of steps in a subprocess, whose peak resident
memory beyond what Keras, the backend and the model took before the
table was touched stays far below the table's size (by default under
PyTorch, where it costs least; the slow run has it on every backend).
"""

import os
import subprocess
import sys
import textwrap

import pytest

from keras_seq import data as user_data
from keras_seq.data import streaming
from tests.data import writers
from tests.tiers import default_only_under


def _table(rows=3000, path="s.csv"):
    return writers.write_table(path, writers.reviews(rows))


def test_streamed_parts_partition_the_rows_and_are_seeded():
    _table()
    data = user_data.load("s.csv", stream=True, validation_split=0.2, test_split=0.1)
    assert data.streamed and data.labels == ("neg", "pos")
    sizes = [len(data.train), len(data.validation), len(data.test)]
    assert sum(sizes) == 3000
    assert 0.17 < sizes[1] / 3000 < 0.23 and 0.07 < sizes[2] / 3000 < 0.13
    again = user_data.load("s.csv", stream=True, validation_split=0.2, test_split=0.1)
    assert again.validation.take(50).x == data.validation.take(50).x
    other = user_data.load("s.csv", stream=True, seed=1)
    assert other.validation.take(50).x != data.validation.take(50).x
    # No row in two parts.
    parts = [set(getattr(data, name).take(3000).x) for name in streaming.PARTS]
    assert sum(map(len, parts)) == 3000 and len(set.union(*parts)) == 3000


def test_batches_cover_the_part_once_an_epoch_shuffled_within_blocks(monkeypatch):
    monkeypatch.setattr(user_data.tables, "BLOCK_BYTES", 4096)
    _table()
    data = user_data.load("s.csv", stream=True)
    batches = data.train.batches(64, shuffle=True, seed=2)
    assert len(batches) == -(-len(data.train) // 64)
    batches.on_epoch_begin()
    first = [text for i in range(len(batches)) for text in batches[i][0]]
    assert sorted(first) == sorted(data.train.take(len(data.train)).x)
    assert first != data.train.take(len(data.train)).x
    batches.on_epoch_end()
    batches.on_epoch_begin()
    second = [text for i in range(len(batches)) for text in batches[i][0]]
    assert sorted(second) == sorted(first) and second != first
    x, y = batches[0]
    names = data.label_names(y)
    assert names == ["pos" if " fine " in text else "neg" for text in x]
    with pytest.raises(IndexError, match="reads in order"):
        batches[5]


def test_shares_of_the_batches_are_read_apart_and_make_the_whole(monkeypatch):
    monkeypatch.setattr(user_data.tables, "BLOCK_BYTES", 4096)
    _table(1000)
    train = user_data.load("s.csv", stream=True).train
    read = []  # the input cells each share read
    inputs = type(train).inputs
    monkeypatch.setattr(
        type(train),
        "inputs",
        lambda self, cells: read.append(cells) or inputs(self, cells),
    )
    whole, *shares = (
        train.batches(64, shuffle=True, seed=2, share=share, drop_remainder=True)
        for share in ((0, 1), (0, 2), (1, 2))
    )
    assert len(whole) == len(shares[0]) == len(train) // 64
    assert len(train.batches(64)) == len(whole) + 1  # the last, partial batch
    for index in range(len(whole)):
        read.clear()
        x, y = whole[index]
        halves = [share[index] for share in shares]
        assert [len(cells) for cells in read] == [64, 32, 32]
        assert x == halves[0][0] + halves[1][0]
        assert y.tolist() == halves[0][1].tolist() + halves[1][1].tolist()


def test_fit_reads_the_part_once_an_epoch_in_a_new_order(monkeypatch):
    import keras
    import numpy as np

    from keras_seq.backend import support

    monkeypatch.setattr(user_data.tables, "BLOCK_BYTES", 2048)
    _table(300)
    train = user_data.load("s.csv", stream=True).train
    seen, epochs = [], []

    def lengths(x, y):
        seen.extend(x)
        return np.array([[len(text)] for text in x], "float32"), y

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    batches = train.batches(32, lengths, shuffle=True, seed=1)
    model.fit(
        support.batches_for_keras(batches),
        epochs=2,
        shuffle=False,
        verbose=0,
        callbacks=[keras.callbacks.LambdaCallback(lambda *_: epochs.append(len(seen)))],
    )
    first, second = seen[epochs[0] : epochs[1]], seen[epochs[1] :]
    assert sorted(first) == sorted(second) == sorted(train.take(len(train)).x)
    assert first != second


def test_batches_go_through_a_preprocessor():
    _table(200)
    data = user_data.load("s.csv", stream=True)
    batches = data.train.batches(16, preprocessor=lambda x, y: (len(x), y.sum()))
    count, _ = batches[0]
    assert count == 16


def test_a_streamed_table_refuses_what_an_in_memory_one_does():
    rows = writers.reviews(500)
    rows[321]["label"] = ""
    writers.write_table("gap.csv", rows)
    with pytest.raises(user_data.DataError, match=r"^gap.csv, row 322, column 'label'"):
        user_data.load("gap.csv", stream=True)
    writers.write_table("one.csv", [{"text": "x", "label": "a"}] * 50)
    with pytest.raises(user_data.DataError, match="one class only"):
        user_data.load("one.csv", stream=True)
    _table(100)
    writers.write_table("test.csv", [{"text": "x", "label": "meh"}])
    with pytest.raises(user_data.DataError, match="'meh' is not one training saw"):
        user_data.load("s.csv", stream=True, test_data="test.csv")


def test_large_tables_stream_by_themselves(monkeypatch):
    _table(100)
    assert not user_data.load("s.csv").streamed
    monkeypatch.setattr(streaming, "STREAM_BYTES", 1000)
    assert user_data.load("s.csv").streamed


# The subprocess: the model is built and one step trained on texts of its
# own (Keras, the backend, TensorFlow's text ops, pyarrow all loaded) before the
# table is touched; then the table is read (one pass over its labels) and
# trained on for a bounded number of steps.
_TRAIN_ON_A_LARGE_TABLE = """
import sys

import numpy as np
import pyarrow.csv  # the reader's library, loaded before the baseline
import keras_seq
from keras_seq.backend import support
from keras_seq.preprocessing import TextClassifierPreprocessor
from keras_seq.preprocessing import train_byte_pair_tokenizer

def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

# Rows like the table's: the same padded widths, compiled before the baseline.
texts = [f"a fine film of row {i} and some more words to make the row longer"
         for i in range(256)]
tokenizer = train_byte_pair_tokenizer(texts, 300)
model = keras_seq.applications.TextClassifier(
    vocabulary_size=tokenizer.vocabulary_size(), max_length=64, classes=2,
    num_layers=1, num_heads=2, hidden_dim=16, intermediate_dim=32,
    preprocessor=TextClassifierPreprocessor(tokenizer, 64),
)
model.compile()
model.fit(texts, np.arange(256) % 2, batch_size=64, epochs=1, verbose=0)
before = peak_mb()
data = keras_seq.data.load(sys.argv[1])
batches = data.train.batches(64, model.preprocessor, shuffle=True)
model.fit(support.batches_for_keras(batches), steps_per_epoch=int(sys.argv[2]),
          epochs=1, shuffle=False, verbose=0)
print(data.streamed, len(data.train), before, peak_mb())
"""


@default_only_under("torch")  # the reading is the backend's least part
def test_a_table_of_hundreds_of_mb_trains_in_bounded_memory(tmp_path):
    path = writers.large_table(tmp_path / "large.csv", 600)
    size_mb = os.path.getsize(path) / 2**20
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(_TRAIN_ON_A_LARGE_TABLE),
            str(path),
            "40",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env=dict(os.environ, OMP_NUM_THREADS="1"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    streamed, rows, before, after = result.stdout.split()[-4:]
    assert streamed == "True" and int(rows) > 3_000_000
    grown = float(after) - float(before)
    # The table passes through memory a record batch at a time: the peak
    # grows by a small part of the file (measured: see BENCHMARKS.md).
    print(f"table {size_mb:.0f} MB, peak {before} MB before it, {after} MB after")
    assert grown < size_mb / 4, (grown, size_mb)
