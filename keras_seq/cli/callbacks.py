"""The callbacks of `keras-seq train`: resumable, and never a half-written file.

`keras.callbacks.BackupAndRestore` keeps the weights, the optimizer and
the epoch after every epoch; the history of the completed epochs, the
best weights so far and the early-stopping state are kept beside it, so
a run killed at any point and resumed with `--resume` goes on from its
last completed epoch as if it had not stopped. Every file is written to
a temporary name and renamed into place.

The order in `fit`'s callback list matters: `EpochHistory` writes an
epoch's logs before `AtomicBackupAndRestore` records the epoch as done,
so the history always holds every epoch the backup holds (a resumed run
drops the history's epochs past the backup's).
"""

import json
import os
import time

import keras

from keras_seq.cli.files import atomic_path
from keras_seq.cli.files import write_json


def _floats(logs):
    return {key: float(value) for key, value in (logs or {}).items()}


class EpochHistory(keras.callbacks.Callback):
    """Writes the history of the completed epochs to a JSON file after each.

    Args:
        path: the JSON file (`history.json`).
        record: what else the file holds (application, data set, ...).
        prior: the logs of the epochs completed before (a resumed run).
    """

    def __init__(self, path, record, prior=()):
        super().__init__()
        self.path = path
        self.record = dict(record)
        self.epochs = [dict(logs) for logs in prior]

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = _floats(logs)
        logs["seconds"] = round(time.perf_counter() - self._started, 3)
        del self.epochs[epoch:]
        self.epochs.append(logs)
        self.write()

    def history(self):
        """`{name: [value per epoch]}`, as `keras.callbacks.History` keeps it."""
        names = sorted({name for logs in self.epochs for name in logs})
        return {name: [logs.get(name) for logs in self.epochs] for name in names}

    def write(self, **extra):
        self.record.update(extra)
        write_json(
            self.path,
            {**self.record, "epochs": len(self.epochs), "history": self.history()},
        )


class BestWeights(keras.callbacks.Callback):
    """Keeps the weights of the epoch with the lowest `monitor` in a file.

    Args:
        path: a `.weights.h5` file.
        monitor: the validation figure to minimize (`val_loss`).
        prior: the logs of the epochs completed before (a resumed run).
    """

    def __init__(self, path, monitor="val_loss", prior=()):
        super().__init__()
        self.path = path
        self.monitor = monitor
        self.best, self.best_epoch = None, None
        for epoch, logs in enumerate(prior):
            self._consider(epoch, logs.get(monitor))

    def _consider(self, epoch, value):
        if value is not None and (self.best is None or value < self.best):
            self.best, self.best_epoch = value, epoch
            return True
        return False

    def on_epoch_end(self, epoch, logs=None):
        if self._consider(epoch, (logs or {}).get(self.monitor)):
            with atomic_path(self.path) as temporary:
                self.model.save_weights(temporary)

    def restore(self):
        """Loads the best weights into the model; returns the best epoch (1-based)."""
        if self.best_epoch is None or not os.path.exists(self.path):
            return None
        self.model.load_weights(self.path)
        return self.best_epoch + 1


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """`EarlyStopping` that picks up its count where an interrupted run left it.

    Keras' callback starts counting afresh in every `fit`; this one replays
    the monitored values of the epochs completed before, so a resumed run
    stops at the same epoch as an uninterrupted one.

    Args:
        prior: the logs of the epochs completed before.
        **kwargs: `keras.callbacks.EarlyStopping` arguments
            (`restore_best_weights` must stay False: `BestWeights` keeps them).
    """

    def __init__(self, prior=(), **kwargs):
        super().__init__(**kwargs)
        self.prior = [dict(logs) for logs in prior]

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        for epoch, past in enumerate(self.prior):
            super().on_epoch_end(epoch, past)


class AtomicBackupAndRestore(keras.callbacks.BackupAndRestore):
    """`BackupAndRestore` whose backup files are replaced atomically.

    Keras writes `latest.weights.h5` and `training_metadata.json` in
    place: a kill during the write leaves a half-written file that the
    next run cannot load. Here each is written to a temporary name and
    renamed; the weights first, so the recorded epoch never runs ahead of
    the weights.
    """

    def _save_model(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        with atomic_path(self._weights_path) as temporary:
            self.model.save_weights(temporary, overwrite=True)
        with atomic_path(self._training_metadata_path) as temporary:
            with open(temporary, "w") as handle:
                json.dump(
                    {"epoch": self._current_epoch, "batch": self._last_batch_seen},
                    handle,
                )

    def completed_epochs(self):
        """The epochs the backup holds (0 when there is none)."""
        try:
            with open(self._training_metadata_path) as handle:
                epoch = json.load(handle)["epoch"]
        except (OSError, ValueError, KeyError):
            return 0
        return int(epoch) if os.path.exists(self._weights_path) else 0


class BatchDelay(keras.callbacks.Callback):
    """Sleeps after every batch: slows a tiny test run so it can be killed mid-epoch."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def on_train_batch_end(self, batch, logs=None):
        time.sleep(self.seconds)
