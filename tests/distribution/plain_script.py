"""A user's plain script: `keras_seq.distribution.initialize()`, then `Task.fit`.

Not collected (no `test_` prefix); test_multi_process.py launches it as
two processes, the way each engine's launcher would, and alone. It
trains a tiny ViT on random 8x8 images and, on the process that writes
(`is_writer`), saves the losses as JSON in the file its argument names.
"""

import json
import sys


def main(path):
    import keras
    import numpy as np

    import keras_seq.distribution

    cluster = keras_seq.distribution.initialize()
    if cluster.processes == 1 and keras.backend.backend() == "jax":
        # Alone, the reference: data-parallel over this process's devices.
        keras.distribution.set_distribution(keras.distribution.DataParallel())
    from keras_seq.applications import ViT
    from keras_seq.preprocessing import ImagePreprocessor

    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (32, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 3, 32)
    model = ViT(
        input_shape=(8, 8, 1),
        patch_size=2,
        classes=3,
        num_layers=1,
        num_heads=2,
        hidden_dim=8,
        intermediate_dim=16,
        dropout=0.0,
        preprocessor=ImagePreprocessor((8, 8, 1)),
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    if cluster.is_writer:
        with open(path, "w") as file:
            json.dump({"processes": cluster.processes, **history.history}, file)


if __name__ == "__main__":
    main(sys.argv[1])
