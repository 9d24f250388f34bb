"""The recipes' training tools: resumable runs and the soup of fine-tunings.

`tools.py` (shared by the recipes) and the Rotten Tomatoes
recipes' `fine_tuning.py`.
"""

import argparse
import tempfile

import keras
import numpy as np

from keras_seq.applications import RNNClassifier
from keras_seq.datasets import rotten_tomatoes
from keras_seq.preprocessing import TextClassifierPreprocessor
from tests.applications.preset_recipes import recipe

# Importing the recipe puts recipes/ and recipes/rotten_tomatoes/
# on the path, as running it does.
recipe("rotten_tomatoes_lstm")
import fine_tuning  # noqa: E402
import pretraining  # noqa: E402
import tools  # noqa: E402


def _weights(model):
    return [keras.ops.convert_to_numpy(v) for v in model.trainable_variables]


def test_average_weights_is_the_mean_of_the_files(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    paths = []
    for index, scale in enumerate((1.0, 2.0, 6.0)):
        for variable in model.trainable_variables:
            variable.assign(np.full(variable.shape, scale, "float32"))
        paths.append(tmp_path / f"run{index}.weights.h5")
        model.save_weights(paths[-1])
    tools.average_weights(model, paths)
    for value in _weights(model):
        np.testing.assert_allclose(value, 3.0)


def test_soup_averages_runs_fine_tuned_from_the_same_start(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    splits = {
        split: tuple(part[:64] for part in rotten_tomatoes.load_data(split))
        for split in ("train", "validation")
    }
    tokenizer = pretraining.word_piece_tokenizer(list(splits["train"][0]), 200)
    keras.utils.set_random_seed(1)
    model = RNNClassifier(
        classes=2,
        vocabulary_size=tokenizer.vocabulary_size(),
        hidden_dim=8,
        preprocessor=TextClassifierPreprocessor(tokenizer, 16),
    )
    start = _weights(model)
    starts = []
    fit = model.fit

    def recording_fit(*args, **kwargs):
        starts.append(_weights(model))
        return fit(*args, **kwargs)

    monkeypatch.setattr(model, "fit", recording_fit)
    args = argparse.Namespace(soup=2, epochs=2, batch_size=16, word_dropout=0.1)
    summary = fine_tuning.fine_tuned_soup(
        model,
        lambda: keras.optimizers.Adam(1e-2),
        "soup_test",
        {"case": 1},
        splits,
        args,
        seed=5,
    )
    soup = _weights(model)
    assert [run["epochs"] for run in summary["runs"]] == [2, 2]
    assert 0.0 <= summary["soup_val_accuracy"] <= 1.0
    # Every run started from the model's weights as they were given.
    assert len(starts) == 2
    for run_start in starts:
        for value, expected in zip(run_start, start):
            np.testing.assert_array_equal(value, expected)
    # Each run kept its own best weights (other batches and word dropout);
    # the model now holds their mean.
    kept = []
    for run in range(2):
        folder = tools.work_folder("soup_test", {"case": 1, "run": run})
        model.load_weights(folder / "best.weights.h5")
        kept.append(_weights(model))
    assert not np.allclose(kept[0][0], kept[1][0])
    for value, first, second in zip(soup, *kept):
        np.testing.assert_allclose(value, (first + second) / 2, rtol=1e-5, atol=1e-7)


def test_a_finished_run_is_reused_and_an_interrupted_one_resumed(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 1), "float32")
    folder = tools.work_folder("reuse_test", {"case": 1})
    epochs_run = []
    for _ in range(2):
        callbacks, _ = tools.training_callbacks(folder, "val_loss", "min")
        history = model.fit(
            x, y, validation_data=(x, y), epochs=3, callbacks=callbacks, verbose=0
        )
        epochs_run.append(len(history.history.get("loss", [])))
    assert epochs_run == [3, 0]
    assert tools.summary_of_history(folder, "val_loss", "min")["epochs"] == 3
