"""The history of the completed epochs, kept in a JSON file after each one."""

import time

import keras

from keras_seq.callbacks.atomic_files import write_json


def _floats(logs):
    return {key: float(value) for key, value in (logs or {}).items()}


def epoch_logs(record, count):
    """The first `count` epochs' logs of an `EpochHistory` record, one dict each.

    What a resumed run passes as `prior` to `EpochHistory`, `BestWeights`
    and `ResumableEarlyStopping`: the epochs its backup holds.

    Args:
        record: the JSON record `EpochHistory` wrote, or None.
        count: how many epochs (`AtomicBackupAndRestore.completed_epochs()`).

    Example:

    >>> epoch_logs({"epochs": 2, "history": {"loss": [1.0, 0.5]}}, 1)
    [{'loss': 1.0}]
    """
    history = (record or {}).get("history", {})
    epochs = min(count, (record or {}).get("epochs", 0))
    return [
        {
            name: values[epoch]
            for name, values in history.items()
            if epoch < len(values) and values[epoch] is not None
        }
        for epoch in range(epochs)
    ]


class EpochHistory(keras.callbacks.Callback):
    """Writes the history of the completed epochs to a JSON file after each.

    The file holds `record`, `epochs` (how many) and `history` (`{name:
    [value per epoch]}`, each epoch's wall time under `seconds`); it is
    replaced atomically. An epoch run again after a restore replaces the
    epochs from it on. Put it before `AtomicBackupAndRestore` in `fit`'s
    callbacks, so the history holds every epoch the backup holds.

    Args:
        path: the JSON file (`history.json`).
        record: what else the file holds (application, data set, ...).
        prior: the logs of the epochs completed before (a resumed run).

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "history.json")
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> history = EpochHistory(path, {"data": "ones"})
    >>> _ = model.fit(np.ones((4, 3)), np.ones((4, 1)), epochs=2, verbose=0,
    ...               callbacks=[history])
    >>> len(history.epochs), sorted(history.history())
    (2, ['loss', 'seconds'])
    """

    def __init__(self, path, record=None, prior=()):
        super().__init__()
        self.path = path
        self.record = dict(record or {})
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
        """Writes the file again, with `extra` added to the record."""
        self.record.update(extra)
        write_json(
            self.path,
            {**self.record, "epochs": len(self.epochs), "history": self.history()},
        )
