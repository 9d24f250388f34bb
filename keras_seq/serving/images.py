"""An uploaded file (or a drawn canvas) as the uint8 image a model reads."""

import io

import numpy as np

from keras_seq.serving.errors import BadInput


def decode_image(data, shape):
    """Decodes PNG/JPEG bytes and resizes them to `shape` (height, width, channels).

    Raises:
        BadInput: for an empty file or one that is not an image.
    """
    from PIL import Image
    from PIL import UnidentifiedImageError

    if not data:
        raise BadInput("the upload is empty: choose a PNG or JPEG image")
    height, width, channels = shape
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("L" if channels == 1 else "RGB")
            image = image.resize((width, height), Image.Resampling.LANCZOS)
            array = np.asarray(image, dtype="uint8")
    except (UnidentifiedImageError, OSError, ValueError):
        raise BadInput(
            "the upload is not an image: choose a PNG or JPEG file"
        ) from None
    return array.reshape(height, width, channels)
