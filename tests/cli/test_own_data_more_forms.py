"""`keras-seq train --data PATH` on the other forms: a corpus, captions, a series.

`causal_lm` on a folder of `.txt` files, `image_captioner` on a table of
image paths and captions, `sequence_tagger` forecasting from a series
table, each trained for an epoch with a tiny model from the command and
scored on its test part; and the refusals of what is not done yet (a
streamed table in several processes, video files).
"""

import csv
import json
import os

import numpy as np
import pytest

from keras_seq.backend import processes
from keras_seq.data import streaming
from tests.cli.conftest import keras_seq
from tests.data import writers


def _train(app, data, *extra):
    return keras_seq(
        "train", app, "--data", data, "--tiny", "--epochs", 1, "--output", "run", *extra
    ).stdout


def _history():
    with open("run/history.json", encoding="utf-8") as handle:
        return json.load(handle)


@pytest.mark.slow
def test_causal_lm_trains_on_a_folder_of_texts_and_writes_more():
    os.makedirs("plays")
    rng = np.random.default_rng(0)
    words = "to be or not that is the question whether tis nobler".split()
    for name in ("one", "two"):
        with open(f"plays/{name}.txt", "w", encoding="utf-8") as handle:
            handle.write("\n".join(" ".join(rng.choice(words, 8)) for _ in range(60)))
    printed = _train("causal_lm", "plays", "--limit", 20)
    assert "training CausalLM on plays: 20 training" in printed
    assert "test bits per character: " in printed
    assert _history()["data"]["path"] == "plays"
    written = keras_seq(
        "generate", "run", "--prompt", "to be", "--max-length", 12
    ).stdout
    assert written.strip()


@pytest.mark.slow
def test_image_captioner_trains_on_a_table_of_images_and_captions():
    rows = []
    for i in range(20):
        writers.image(f"pictures/{i}.png", (8, 8), seed=i)
        rows.append({"image": f"{i}.png", "caption": ("a red square", "a dot")[i % 2]})
    writers.write_table("pictures/captions.csv", rows)
    printed = _train("image_captioner", "pictures/captions.csv")
    assert "training ImageCaptioner on pictures/captions.csv: 16 training" in printed
    assert "test exact caption rate: " in printed
    writers.write_table("pictures/new.csv", rows[:3])
    keras_seq("predict", "run", "--data", "pictures/new.csv", "--output", "p.csv")
    with open("p.csv", newline="", encoding="utf-8") as handle:
        predicted = list(csv.DictReader(handle))  # a caption may hold a newline
    assert [row["image"] for row in predicted] == ["0.png", "1.png", "2.png"]


@pytest.mark.slow
def test_sequence_tagger_forecasts_a_series_table():
    steps = np.arange(200)
    rows = [
        {"day": f"d{i}", "level": float(np.sin(i / 6)), "rain": float(i % 7)}
        for i in steps
    ]
    writers.write_table("river.csv", rows)
    printed = _train("sequence_tagger", "river.csv", "--target-column", "level")
    assert "training SequenceTagger on river.csv: 136 training and 20 valid" in printed
    assert "test mean absolute error (one-step forecast): " in printed
    assert "persistence (next step = this step)" in printed
    history = _history()
    assert history["data"]["input_column"] == "level,rain"
    assert history["test"]["examples"] == 20
    # Persistence of the target, over the test part's 20 last steps.
    level = np.sin(steps / 6)
    expected = np.abs(level[180:] - level[179:-1]).mean()
    persistence = history["baselines"]["persistence (next step = this step)"]
    assert persistence == pytest.approx(expected, rel=1e-4)


def _refused(*args):
    result = keras_seq(*args, check=False)
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_streamed_table_in_several_processes_and_video_files_are_refused(
    monkeypatch,
):
    writers.write_table("big.csv", writers.reviews(200))
    monkeypatch.setattr(streaming, "STREAM_BYTES", 1000)
    monkeypatch.setattr(processes, "_joined", processes.Cluster(2, 0))
    line = _refused("train", "--data", "big.csv", "--tiny", "--output", "run")
    assert "big.csv is streamed (larger than memory should hold): train it in " in line
    assert "launch one process" in line
    monkeypatch.setattr(processes, "_joined", processes.ALONE)
    writers.write_table("films.csv", [{"clip": "a.mp4", "label": "x"}] * 4)
    line = _refused("train", "vivit", "--data", "films.csv", "--output", "run")
    assert line.endswith(
        "a.mp4: a video file; keras-seq reads no video files: save "
        "each clip as a .npy array (frames, height, width[, channels])"
    )
    assert not os.path.exists("run")
