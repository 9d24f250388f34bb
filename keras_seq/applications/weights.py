"""The registry of pretrained weights that ship with keras_seq, and their loader.

`REGISTERED_WEIGHTS` maps a name to `(file, sha256)`: the `.weights.h5`
file under `keras_seq/applications/weight_files/` and the SHA-256 digest
it must have. Every application's `weights` argument goes through
`load_weights`.
"""

import hashlib
import os

WEIGHTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weight_files")

REGISTERED_WEIGHTS = {}


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def weights_path(weights):
    """Returns the file of `weights`: a registered name or a `.weights.h5` path.

    A registered file is checked against its SHA-256 digest.

    Raises:
        ValueError: for an unknown name, a missing file or a corrupt one.
    """
    if isinstance(weights, str) and weights in REGISTERED_WEIGHTS:
        file_name, sha256 = REGISTERED_WEIGHTS[weights]
        path = os.path.join(WEIGHTS_DIR, file_name)
        if not os.path.isfile(path) or _sha256(path) != sha256:
            raise ValueError(
                f"The file of the registered weights {weights!r} ({path}) is "
                "missing or does not match its SHA-256 digest: reinstall keras-seq."
            )
        return path
    if isinstance(weights, (str, os.PathLike)):
        path = os.fspath(weights)
        if path.endswith(".weights.h5") and os.path.isfile(path):
            return path
    names = ", ".join(repr(name) for name in sorted(REGISTERED_WEIGHTS)) or "none yet"
    raise ValueError(
        "`weights` must be None, a registered name (registered: "
        f"{names}) or the path of an existing `.weights.h5` file. "
        f"Received: weights={weights!r}"
    )


def load_weights(model, weights):
    """Loads `weights` into `model` and returns it; `weights=None` loads nothing.

    Args:
        model: a built Keras model.
        weights: None, a name in `REGISTERED_WEIGHTS`, or the path of a
            `.weights.h5` file saved from a model of the same architecture.

    Example:

    >>> import os, tempfile
    >>> def build():
    ...     return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> trained = build()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "dense.weights.h5")
    ...     trained.save_weights(path)
    ...     model = load_weights(build(), path)
    >>> pairs = zip(model.get_weights(), trained.get_weights())
    >>> all(np.array_equal(loaded, saved) for loaded, saved in pairs)
    True
    """
    if weights is not None:
        model.load_weights(weights_path(weights))
    return model
