"""Files the command reads: the run's file names, JSON records, raw inputs.

The command writes its files with `keras_seq.callbacks.atomic_path` (a
temporary name, then a rename), so a run killed at any moment leaves
either the old file or the new one, never a half-written one. This
module imports no Keras: the command reads its arguments' files before
it loads a backend.

Example:

    texts = read_texts(["a gripping film", "reviews.txt"])
"""

import json
import os

from keras_seq.cli.errors import UsageError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
HISTORY_FILE = "history.json"
MODEL_FILE = "model.keras"
CURVES_FILE = "training_curves.png"


def read_json(path):
    """The JSON in `path`, or None if there is no such file."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read {path}: {error}") from None


def read_texts(arguments):
    """Texts from the command line: each argument, or each line of a .txt file."""
    texts = []
    for argument in arguments:
        if argument.lower().endswith(".txt") or os.path.isfile(argument):
            if not os.path.isfile(argument):
                raise UsageError(f"no such file: {argument}")
            with open(argument, encoding="utf-8", errors="replace") as handle:
                lines = [line.rstrip("\n") for line in handle if line.strip()]
            if not lines:
                raise UsageError(f"{argument} holds no text (one input a line)")
            texts.extend(lines)
        else:
            texts.append(argument)
    return texts


def read_image(path, shape):
    """A PNG/JPEG (or .npy) image as a uint8 array of `shape` (height, width, c)."""
    import numpy as np

    if path.lower().endswith(".npy"):
        image = read_array(path)
    else:
        if not path.lower().endswith(IMAGE_SUFFIXES):
            raise UsageError(
                f"{path!r} is not an image: give a .png, .jpg or .jpeg file "
                "(or a .npy array)"
            )
        if not os.path.isfile(path):
            raise UsageError(f"no such file: {path}")
        from PIL import Image
        from PIL import UnidentifiedImageError

        try:
            with Image.open(path) as opened:
                mode = "L" if shape[-1] == 1 else "RGB"
                image = np.asarray(opened.convert(mode))
        except (UnidentifiedImageError, OSError) as error:
            raise UsageError(f"cannot read the image {path}: {error}") from None
    if image.ndim == 2:
        image = image[..., None]
    if tuple(image.shape) != tuple(shape):
        raise UsageError(
            f"{path} is a {'x'.join(map(str, image.shape))} image; this model "
            f"reads {'x'.join(map(str, shape))} images (height x width x channels)"
        )
    return image


def read_array(path):
    """The array in a .npy file (no pickles)."""
    import numpy as np

    if not path.lower().endswith(".npy"):
        raise UsageError(f"{path!r} is not a .npy file")
    if not os.path.isfile(path):
        raise UsageError(f"no such file: {path}")
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read {path} as a .npy array: {error}") from None
