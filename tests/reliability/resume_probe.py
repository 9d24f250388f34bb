"""A small training run that `test_resume.py` kills mid-epoch and resumes.

Run as `python -m tests.reliability.resume_probe FOLDER [--stall]` with
`KERAS_BACKEND` set. It trains a tiny `TextClassifier` (dropout 0, fixed
data, no shuffling) for `EPOCHS` epochs with
`keras.callbacks.BackupAndRestore(FOLDER/backup)`, then writes its final
weights to `FOLDER/final.npz`. With `--stall` it writes `FOLDER/stalled`
in the middle of the second epoch and waits there, for the test to kill it.
"""

import pathlib
import sys
import time

import numpy as np

EPOCHS = 3
BATCHES = 8


def build():
    import keras

    from keras_seq.applications import TextClassifier

    keras.utils.set_random_seed(3)
    model = TextClassifier(
        40, 12, 3, num_layers=1, hidden_dim=8, intermediate_dim=16, dropout=0.0
    )
    model.compile()
    return model


def data():
    rng = np.random.default_rng(0)
    return rng.integers(1, 40, (BATCHES * 4, 12)), rng.integers(0, 3, BATCHES * 4)


def main(folder, *flags):
    import keras

    folder = pathlib.Path(folder)

    class Stall(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.epoch == 1 and batch == BATCHES // 2:
                (folder / "stalled").write_text("in epoch 2")
                time.sleep(600)

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

    callbacks = [keras.callbacks.BackupAndRestore(str(folder / "backup"))]
    if "--stall" in flags:
        callbacks.append(Stall())
    model = build()
    x, y = data()
    model.fit(
        x, y, batch_size=4, epochs=EPOCHS, shuffle=False, callbacks=callbacks, verbose=0
    )
    weights = model.get_weights()
    np.savez(folder / "final.npz", *weights)


if __name__ == "__main__":
    main(*sys.argv[1:])
