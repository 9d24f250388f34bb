"""The recipes' training tools: resumable runs, the soup, masked-LM pre-training.

`recipe_tools.py` (shared by the recipes) and the Rotten Tomatoes
recipes' `fine_tuning.py` and `masked_lm.py`.
"""

import argparse
import tempfile

import keras
import numpy as np

from keras_seq.applications import RNNClassifier
from keras_seq.applications import TextClassifier
from keras_seq.datasets import rotten_tomatoes
from keras_seq.preprocessing import TextClassifierPreprocessor
from tests.applications.preset_recipes import recipe

# Importing the recipe puts applications/ and applications/rotten_tomatoes/
# on the path, as running it does.
recipe("rotten_tomatoes_lstm")
import fine_tuning  # noqa: E402
import masked_lm  # noqa: E402
import pretraining  # noqa: E402
import recipe_tools  # noqa: E402


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
    recipe_tools.average_weights(model, paths)
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
        folder = recipe_tools.work_folder("soup_test", {"case": 1, "run": run})
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
    folder = recipe_tools.work_folder("reuse_test", {"case": 1})
    epochs_run = []
    for _ in range(2):
        callbacks, _ = recipe_tools.training_callbacks(folder, "val_loss", "min")
        history = model.fit(
            x, y, validation_data=(x, y), epochs=3, callbacks=callbacks, verbose=0
        )
        epochs_run.append(len(history.history.get("loss", [])))
    assert epochs_run == [3, 0]
    assert recipe_tools.summary_of_history(folder, "val_loss", "min")["epochs"] == 3


def test_masked_batches_hide_15_percent_of_the_words_and_ask_for_them():
    rows = np.random.default_rng(0).integers(2, 50, (40, 20)).astype("int32")
    batches = masked_lm.masked_batches(rows, 50, 8, seed=3)
    assert len(batches) == 5
    (ids, positions), targets = batches[0]
    assert ids.shape == (8, 20) and positions.shape == targets.shape == (8, 3)
    for row_ids, row_positions, row_targets in zip(ids, positions, targets):
        assert len(set(row_positions)) == 3
        assert list(row_positions) == sorted(row_positions)
        # Unmasked words are left alone; the targets are the hidden words.
        untouched = np.setdiff1d(np.arange(20), row_positions)
        assert np.isin(row_ids[untouched], np.arange(2, 50)).all()
        assert np.isin(row_targets, np.arange(2, 50)).all()
    # Every row keeps its words where not masked: the rows are a permutation.
    all_ids = np.concatenate([batches[i][0][0] for i in range(len(batches))])
    all_positions = np.concatenate([batches[i][0][1] for i in range(len(batches))])
    all_targets = np.concatenate([batches[i][1] for i in range(len(batches))])
    restored = all_ids.copy()
    np.put_along_axis(restored, all_positions, all_targets, axis=1)
    assert sorted(map(tuple, restored)) == sorted(map(tuple, rows))
    # Mostly [UNK] (80 %) in place of the hidden words.
    hidden = np.take_along_axis(all_ids, all_positions, axis=1)
    assert 0.6 < np.mean(hidden == masked_lm.UNK) < 0.95


def test_masked_lm_pretraining_trains_the_classifier_encoder_in_place(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    texts = list(rotten_tomatoes.load_data("train")[0][:200])
    tokenizer = pretraining.word_piece_tokenizer(texts, 300)
    keras.utils.set_random_seed(2)
    model = TextClassifier(
        vocabulary_size=tokenizer.vocabulary_size(),
        max_length=16,
        classes=2,
        num_layers=1,
        num_heads=2,
        hidden_dim=16,
        intermediate_dim=32,
        preprocessor=TextClassifierPreprocessor(tokenizer, 16),
    )
    encoder = model.get_layer("encoder")
    head = [
        v
        for v in model.trainable_variables
        if not v.path.startswith(("embedding", "encoder"))
    ]
    before_encoder = [keras.ops.convert_to_numpy(v) for v in encoder.weights]
    before_head = [keras.ops.convert_to_numpy(v) for v in head]
    args = argparse.Namespace(
        max_length=16, batch_size=8, masked_lm_epochs=2, masked_lm_learning_rate=1e-2
    )
    summary = masked_lm.pretrain_encoder(
        model, tokenizer, texts, "masked_lm_test", {"case": 1}, args, seed=0
    )
    assert summary["epochs"] == 2 and summary["windows"] > 0
    assert summary["held_out_windows"] > 0
    for before, variable in zip(before_encoder, encoder.weights):
        assert not np.allclose(before, keras.ops.convert_to_numpy(variable))
    for before, variable in zip(before_head, head):
        np.testing.assert_array_equal(before, keras.ops.convert_to_numpy(variable))
