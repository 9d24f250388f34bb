"""The weights of the best epoch so far, kept in a file across interruptions."""

import os

import keras

from keras_seq.callbacks.atomic_files import atomic_path
from keras_seq.utils.validation import check_choice


class BestWeights(keras.callbacks.Callback):
    """Keeps the weights of the epoch best on `monitor` in a file.

    Like `keras.callbacks.ModelCheckpoint(save_best_only=True,
    save_weights_only=True)`, but it also knows the best epoch of a run
    before an interruption (`prior`), and writes the file atomically.

    Args:
        path: a `.weights.h5` file.
        monitor: the validation figure to select on (`val_loss`).
        prior: the logs of the epochs completed before (a resumed run).
        mode: `"min"` (the lowest value is best) or `"max"`.

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "best.weights.h5")
    >>> best = BestWeights(path, "val_loss", prior=[{"val_loss": 0.5}])
    >>> best.best_epoch, best.best
    (0, 0.5)
    """

    def __init__(self, path, monitor="val_loss", prior=(), mode="min"):
        super().__init__()
        self.path = path
        self.monitor = monitor
        self.mode = check_choice("mode", mode, ("min", "max"))
        self.best, self.best_epoch = None, None
        for epoch, logs in enumerate(prior):
            self._consider(epoch, logs.get(monitor))

    def _better(self, value):
        return value < self.best if self.mode == "min" else value > self.best

    def _consider(self, epoch, value):
        if value is not None and (self.best is None or self._better(value)):
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
