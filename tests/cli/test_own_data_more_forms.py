"""`keras-seq train|evaluate|predict --data PATH` on a corpus, captions, a series.

`causal_lm` on a folder of `.txt` files, `image_captioner` on a table of
image paths and captions, `sequence_tagger` forecasting from a series
table, each trained for an epoch with a tiny model from the command,
scored on its test part and by `evaluate --data` on a file of the same
form (the tagger's and captioner's also predicted row by row).
"""

import csv
import json
import os
import re

import numpy as np
import pytest

from tests.cli.conftest import keras_seq
from tests.cli.conftest import refused_line
from tests.data import writers


def _train(app, data, *extra):
    return keras_seq(
        "train", app, "--data", data, "--tiny", "--epochs", 1, "--output", "run", *extra
    ).stdout


def _history():
    with open("run/history.json", encoding="utf-8") as handle:
        return json.load(handle)


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))  # a caption may hold a newline


def _evaluated(data, metric):
    """`(figure, examples, {baseline: value})` that `evaluate run --data` prints."""
    printed = keras_seq("evaluate", "run", "--data", data).stdout
    found = re.search(rf"test {re.escape(metric)}: ([\d.]+) on (\d+) examples", printed)
    assert found, printed
    baselines = re.findall(r"  baseline, (.+): ([\d.]+)", printed)
    return float(found[1]), int(found[2]), {k: float(v) for k, v in baselines}


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
    # A corpus scored whole: bits per character, against the character
    # frequencies of the corpus itself (its "training part").
    bits, pieces, baselines = _evaluated("plays/one.txt", "bits per character")
    assert pieces == -(-os.path.getsize("plays/one.txt") // 64)  # 64 a piece
    assert 0 < bits < 20
    assert 0 < baselines["character frequencies (add-one)"] < np.log2(30)


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
    predicted = _rows("p.csv")
    assert [row["image"] for row in predicted] == ["0.png", "1.png", "2.png"]
    # Scored whole: the exact caption rate of the captions predict wrote.
    rate, examples, baselines = _evaluated("pictures/new.csv", "exact caption rate")
    assert examples == 3
    exact = [row["prediction"] == row["caption"] for row in predicted]
    assert rate == pytest.approx(np.mean(exact), abs=1e-4)
    assert baselines["the commonest caption"] == pytest.approx(2 / 3, abs=1e-4)


@pytest.mark.slow
def test_sequence_tagger_forecasts_a_series_table():
    steps = np.arange(260)
    rows = [
        {"day": f"d{i}", "level": float(np.sin(i / 6)), "rain": float(i % 7)}
        for i in steps
    ]
    writers.write_table("river.csv", rows[:200])
    writers.write_table("later.csv", rows[200:])  # 60 steps, not trained on
    printed = _train("sequence_tagger", "river.csv", "--target-column", "level")
    assert "training SequenceTagger on river.csv: 136 training and 20 valid" in printed
    assert "test mean absolute error (one-step forecast): " in printed
    assert "persistence (next step = this step)" in printed
    history = _history()
    assert history["data"]["input_column"] == "level,rain"
    assert history["test"]["examples"] == 20
    # Persistence of the target, over the test part's 20 last steps.
    level = np.sin(steps / 6)
    expected = np.abs(level[180:200] - level[179:199]).mean()
    persistence = history["baselines"]["persistence (next step = this step)"]
    assert persistence == pytest.approx(expected, rel=1e-4)

    # Each row's prediction: the forecast of the next row's level.
    keras_seq("predict", "run", "--data", "later.csv", "--output", "next.csv")
    predicted = _rows("next.csv")
    assert [row["day"] for row in predicted] == [f"d{i}" for i in steps[200:]]
    assert list(predicted[0]) == ["day", "level", "rain", "prediction"]
    forecasts = np.array([float(row["prediction"]) for row in predicted])
    assert np.isfinite(forecasts).all() and np.ptp(forecasts) > 0
    # The first rows read the steps so far: as predicting that series does.
    np.save(
        "first.npy", np.array([[row["level"], row["rain"]] for row in rows[200:206]])
    )
    said = json.loads(keras_seq("predict", "run", "first.npy", "--json").stdout)
    assert said["results"][0]["next"] == pytest.approx(forecasts[5], abs=1e-5)
    # Scored whole: every row with 24 steps up to it and a row after it.
    error, examples, baselines = _evaluated(
        "later.csv", "mean absolute error (one-step forecast)"
    )
    assert examples == 60 - 24
    assert error == pytest.approx(
        np.abs(forecasts[23:-1] - level[224:]).mean(), abs=1e-4
    )
    assert baselines["persistence (next step = this step)"] == pytest.approx(
        np.abs(level[224:] - level[223:-1]).mean(), abs=1e-4
    )
    # A table without the channels training read: refused in one line.
    writers.write_table("level.csv", [{"level": row["level"]} for row in rows])
    line = refused_line("predict", "run", "--data", "level.csv")
    assert line.endswith(
        "level.csv: 1 numeric columns (level); run/model.keras forecasts from "
        "2: name them with --input-column A,B (the target first)"
    )
