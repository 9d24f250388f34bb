"""The loader of every application's `weights` argument.

`weights` is None, a shipped preset's name (see `presets.py`), a preset
folder written by `save_to_preset`, or the path of a `.weights.h5` file.
A preset given to a builder (`ViT(weights="mnist_vit")`) is resolved
before the model is built (`Task` wraps each builder's constructor, see
`keras_seq.presets.preset`): the sizes come from the preset and its
preprocessor is attached. `load_weights(model, preset)` on a model already
built loads only the preset's weights, every file checked first.

`REGISTERED_WEIGHTS` maps a name to `(file, sha256)`: a bare `.weights.h5`
file under `keras_seq/applications/weight_files/` and the SHA-256 digest
it must have (the shipped pretrained applications are presets instead).
"""

import difflib
import hashlib
import os

from keras_seq.presets import preset as preset_format
from keras_seq.presets.weights_file import load_weights_file

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
    known = sorted({*REGISTERED_WEIGHTS, *preset_format.shipped_presets()})
    names = ", ".join(repr(name) for name in known) or "none yet"
    close = []
    if isinstance(weights, (str, os.PathLike)):
        close = difflib.get_close_matches(os.fspath(weights), known, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        "`weights` must be None, a registered name (registered: "
        f"{names}), a preset folder or the path of an existing "
        f"`.weights.h5` file.{hint} Received: weights={weights!r}"
    )


def load_weights(model, weights):
    """Loads `weights` into `model` and returns it; `weights=None` loads nothing.

    Args:
        model: a built Keras model.
        weights: None, a name in `REGISTERED_WEIGHTS`, a shipped preset's
            name or a preset folder (its weights only, every file checked
            first), or the path of a `.weights.h5` file saved from a model
            of the same architecture.

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
    if weights is None:
        return model
    registered = isinstance(weights, str) and weights in REGISTERED_WEIGHTS
    if not registered and preset_format.is_preset_reference(weights):
        return preset_format.load_preset_weights(model, weights)
    return load_weights_file(model, weights_path(weights))
