"""The resumable training callbacks (`keras-seq train` and the recipes), in process."""

import json

import keras
import numpy as np

from keras_seq import callbacks
from keras_seq.callbacks import atomic_path


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_early_stopping_replays_the_epochs_before():
    losses = [1.0, 0.5, 0.6, 0.7, 0.4]
    whole = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3)
    whole.set_model(_model())
    whole.on_train_begin()
    for epoch, loss in enumerate(losses[:3]):
        whole.on_epoch_end(epoch, {"val_loss": loss})
    resumed = callbacks.ResumableEarlyStopping(
        [{"val_loss": loss} for loss in losses[:3]], monitor="val_loss", patience=3
    )
    resumed.set_model(_model())
    resumed.on_train_begin()
    assert (resumed.wait, resumed.best, resumed.best_epoch) == (
        whole.wait,
        whole.best,
        whole.best_epoch,
    )


def test_best_weights_resume_from_the_prior_best(tmp_path):
    path = str(tmp_path / "best.weights.h5")
    best = callbacks.BestWeights(path, prior=[{"val_loss": 0.5}, {"val_loss": 0.3}])
    best.set_model(_model())
    best.on_epoch_end(2, {"val_loss": 0.4})  # worse than epoch 2: not saved
    assert best.best_epoch == 1
    best.on_epoch_end(3, {"val_loss": 0.2})
    assert best.best_epoch == 3 and best.restore() == 4


def test_backup_files_are_replaced_whole(tmp_path):
    backup = callbacks.AtomicBackupAndRestore(str(tmp_path), delete_checkpoint=False)
    model = _model()
    model.fit(np.ones((4, 3)), np.ones((4, 1)), epochs=2, verbose=0, callbacks=[backup])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "latest.weights.h5",
        "training_metadata.json",
    ]
    assert json.loads((tmp_path / "training_metadata.json").read_text())["epoch"] == 2
    assert backup.completed_epochs() == 2


def test_atomic_path_leaves_the_old_file_on_failure(tmp_path):
    target = tmp_path / "history.json"
    target.write_text("old")
    try:
        with atomic_path(target) as temporary:
            with open(temporary, "w") as handle:
                handle.write("half")
            raise RuntimeError("killed")
    except RuntimeError:
        pass
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["history.json"]


def test_epoch_history_drops_epochs_past_a_restored_one(tmp_path):
    path = tmp_path / "history.json"
    history = callbacks.EpochHistory(
        path, {"application": "x"}, prior=[{"loss": 1.0}, {"loss": 0.9}]
    )
    history.on_epoch_begin(1)
    history.on_epoch_end(1, {"loss": 0.8})  # epoch 2 run again
    record = json.loads(path.read_text())
    assert record["epochs"] == 2 and record["history"]["loss"] == [1.0, 0.8]


def test_best_weights_in_max_mode_keep_the_highest(tmp_path):
    path = str(tmp_path / "best.weights.h5")
    best = callbacks.BestWeights(
        path, "val_accuracy", prior=[{"val_accuracy": 0.5}], mode="max"
    )
    best.set_model(_model())
    best.on_epoch_end(1, {"val_accuracy": 0.4})
    assert best.best_epoch == 0
    best.on_epoch_end(2, {"val_accuracy": 0.7})
    assert best.best_epoch == 2 and best.restore() == 3


def test_epoch_logs_are_the_completed_epochs_of_a_record():
    record = {"epochs": 3, "history": {"loss": [1.0, 0.5, 0.4], "val_loss": [2.0]}}
    assert callbacks.epoch_logs(record, 2) == [
        {"loss": 1.0, "val_loss": 2.0},
        {"loss": 0.5},
    ]
    assert callbacks.epoch_logs(None, 4) == []
