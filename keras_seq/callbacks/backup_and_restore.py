"""`BackupAndRestore` whose files a kill can never leave half-written."""

import json
import os

import keras

from keras_seq.callbacks.atomic_files import atomic_path


class AtomicBackupAndRestore(keras.callbacks.BackupAndRestore):
    """`keras.callbacks.BackupAndRestore` whose backup files are replaced atomically.

    Keras writes `latest.weights.h5` and `training_metadata.json` in
    place: a kill during the write leaves a half-written file that the
    next run cannot load. Here each is written to a temporary name and
    renamed; the weights first, so the recorded epoch never runs ahead of
    the weights. A `fit` given the same `backup_dir` again resumes after
    the last completed epoch (with `delete_checkpoint=False`, a finished
    run is not trained again).

    Args:
        backup_dir: the folder of the backup.
        **kwargs: `keras.callbacks.BackupAndRestore` arguments
            (`save_freq`, `delete_checkpoint`, ...).

    Example:

    >>> import tempfile
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> backup = AtomicBackupAndRestore(tempfile.mkdtemp(), delete_checkpoint=False)
    >>> x, y = np.ones((4, 3)), np.ones((4, 1))
    >>> _ = model.fit(x, y, epochs=2, verbose=0, callbacks=[backup])
    >>> backup.completed_epochs()
    2
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
