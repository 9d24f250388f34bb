"""`keras-seq train vivit --data FOLDER` on video files, then predict and evaluate.

A class folder of small `.mp4` videos (8 frames of 16x16, written with
PyAV) trains a tiny ViViT for an epoch; a CSV of video paths is then
predicted row by row with the folder's class names, and scored. An
unreadable video is refused in one line before the output folder exists.
"""

import csv
import os

import numpy as np
import pytest

from tests.cli.conftest import keras_seq
from tests.data import writers


def _films(root, per_class=6):
    """Bright `cats` and dark `dogs` videos, `(8, 16, 16, 3)` each."""
    rng = np.random.default_rng(0)
    for name, low in (("cats", 128), ("dogs", 0)):
        for i in range(per_class):
            frames = rng.integers(low, low + 128, (8, 16, 16, 3), dtype="uint8")
            writers.video(f"{root}/{name}/{i}.mp4", frames)


@pytest.mark.slow
def test_vivit_trains_on_a_folder_of_videos_and_predicts_a_table_of_them():
    _films("films")
    keras_seq(
        "train", "vivit", "--data", "films", "--tiny", "--epochs", 1,
        "--output", "run",
    )  # fmt: skip
    rows = [
        {"clip": f"films/{name}/{i}.mp4", "id": f"{name}{i}"}
        for name in ("dogs", "cats")
        for i in range(2)
    ]
    writers.write_table("clips.csv", rows)
    keras_seq("predict", "run", "--data", "clips.csv", "--output", "p.csv")
    with open("p.csv", newline="", encoding="utf-8") as handle:
        predicted = list(csv.DictReader(handle))
    assert [row["id"] for row in predicted] == ["dogs0", "dogs1", "cats0", "cats1"]
    assert {row["prediction"] for row in predicted} <= {"cats", "dogs"}
    assert all(0.5 <= float(row["probability"]) <= 1 for row in predicted)
    # One video as an INPUT: the same probability as its row.
    said = keras_seq("predict", "run", "films/dogs/0.mp4").stdout
    assert (
        f"{predicted[0]['prediction']} {float(predicted[0]['probability']):.2f}" in said
    )
    printed = keras_seq("evaluate", "run", "--data", "films").stdout
    assert "test accuracy: " in printed and " on 12 examples" in printed
    # Videos of 4 frames (or the .npy of their shape) do not fit the model.
    writers.video("short.mp4", np.zeros((4, 16, 16, 3), "uint8"))
    writers.write_table("short.csv", [{"clip": "short.mp4"}])
    result = keras_seq("predict", "run", "--data", "short.csv", check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("keras-seq predict: error: short.csv: `videos` ")
    assert "Received: videos of shape (1, 4, 16, 16, 3)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unreadable_video_is_refused_before_the_output_folder():
    _films("films", per_class=2)
    with open("films/cats/1.mp4", "wb") as handle:
        handle.write(b"no video in here")
    result = keras_seq(
        "train", "vivit", "--data", "films", "--output", "run", check=False
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "keras-seq train: error: films/cats/1.mp4: cannot read the video: "
        "Invalid data found when processing input"
    ]
    assert not os.path.exists("run")
