import numbers

import keras
import numpy as np

from keras_seq.preprocessing.preprocessor import Preprocessor
from keras_seq.preprocessing.preprocessor import pack_outputs
from keras_seq.utils.validation import is_int


def _check_factor(name, value, channels):
    """`value` (a float, or one float per channel) as a float or list of floats."""
    values = value if isinstance(value, (list, tuple, np.ndarray)) else None
    if values is None:
        if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
            return float(value)
    elif len(values) == channels and all(
        isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
        for v in values
    ):
        return [float(v) for v in values]
    raise ValueError(
        f"`{name}` must be a float or a list of {channels} floats (one per "
        f"channel). Received: {name}={value!r}"
    )


def _check_shape(name, value, axes):
    """`value` as a tuple of one positive int per axis."""
    shape = tuple(value) if isinstance(value, (list, tuple)) else None
    if (
        shape is None
        or len(shape) != len(axes)
        or not all(is_int(size) and size > 0 for size in shape)
    ):
        raise ValueError(
            f"`{name}` must be a tuple of {len(axes)} positive ints "
            f"({', '.join(axes)}), without the batch axis. Received: "
            f"{name}={value!r}"
        )
    return tuple(int(size) for size in shape)


class ArrayPreprocessor(Preprocessor):
    """Numeric arrays of one shape (images, videos) to a scaled float32 batch.

    The shared part of `ImagePreprocessor` and `VideoPreprocessor`: one
    example or a batch of them, uint8 or float, becomes a float32 batch
    `x * scale + offset`; with one channel its axis may be left out.
    Subclasses set `kind` (the name of the input, `"images"`), `example`
    (`"image"`), `axes` (the names of the example's axes) and
    `shape_argument` (the name of `shape` in their constructor).
    """

    kind = "arrays"
    example = "array"
    axes = ()
    shape_argument = "shape"

    def __init__(self, shape, scale=1.0 / 255.0, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.shape = _check_shape(self.shape_argument, shape, self.axes)
        channels = self.shape[-1]
        self.scale = _check_factor("scale", scale, channels)
        self.offset = _check_factor("offset", offset, channels)

    def _batch(self, x):
        if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
            x = x.numpy()
        try:
            array = np.asarray(x)
        except ValueError:
            array = None  # a ragged list of examples
        if array is None or not (
            np.issubdtype(array.dtype, np.integer)
            or np.issubdtype(array.dtype, np.floating)
        ):
            kind = "ragged" if array is None else str(array.dtype)
            raise TypeError(
                f"`{self.kind}` must be a numeric (uint8 or float) array of "
                f"{self.kind}. Received: {self.kind} of dtype {kind}"
            )
        shape = self.shape
        without_channels = shape[:-1] if shape[-1] == 1 else None
        if array.shape == shape or array.shape == without_channels:
            array = array[None]
        if array.shape[1:] == without_channels:
            array = array[..., None]
        if array.ndim != len(shape) + 1 or array.shape[1:] != shape:
            raise ValueError(
                f"`{self.kind}` must be one {self.example} of shape {shape} "
                f"({', '.join(self.axes)}) or a batch of them, shape "
                f"(batch, {', '.join(map(str, shape))}){self._mismatch(array)}. "
                f"Received: {self.kind} of shape {array.shape}"
            )
        if not len(array):
            raise ValueError(
                f"`{self.kind}` must be a non-empty batch. Received: {self.kind} "
                f"of shape {array.shape}"
            )
        scale = np.asarray(self.scale, "float32")
        offset = np.asarray(self.offset, "float32")
        return array.astype("float32") * scale + offset

    def _mismatch(self, array):
        """Which axis is wrong, when the rank is right (e.g. the channels)."""
        if array.ndim != len(self.shape) + 1:
            return ""
        wrong = [
            f"{axis} {got} instead of {want}"
            for axis, got, want in zip(self.axes, array.shape[1:], self.shape)
            if got != want
        ]
        return ": " + ", ".join(wrong)

    def call(self, x, y=None, sample_weight=None):
        return pack_outputs(self._batch(x), y, sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config


@keras.saving.register_keras_serializable(package="keras_seq")
class ImagePreprocessor(ArrayPreprocessor):
    """Images to the float32 `images` of a `ViT` (or an `ImageCaptioner`).

    One image `(height, width, channels)` or a batch of them, uint8 or
    float, becomes a float32 batch `images * scale + offset` (by default
    uint8 pixels 0..255 to 0..1; pass `scale=1.0` for images already
    scaled). Grayscale images may leave out their channel axis when
    `image_shape` has one channel, as MNIST's `(batch, 28, 28)`. Images
    are not resized: a different size or number of channels raises a
    ValueError. Labels `y` and `sample_weight` pass through as NumPy
    arrays.

    Args:
        image_shape: `(height, width, channels)` of the model's images.
        scale: a float, or one per channel, that multiplies the pixels.
        offset: a float, or one per channel, added after scaling.
        **kwargs: `keras.layers.Layer` arguments (`name`).

    Example:

    >>> from keras_seq.preprocessing import ImagePreprocessor
    >>> preprocessor = ImagePreprocessor((2, 2, 1))
    >>> images = preprocessor(np.array([[0, 255], [51, 102]], "uint8"))
    >>> images.shape, images.dtype
    ((1, 2, 2, 1), dtype('float32'))
    >>> images[0, :, :, 0]
    array([[0. , 1. ],
           [0.2, 0.4]], dtype=float32)
    """

    kind = "images"
    example = "image"
    axes = ("height", "width", "channels")
    shape_argument = "image_shape"

    def __init__(self, image_shape, scale=1.0 / 255.0, offset=0.0, **kwargs):
        super().__init__(image_shape, scale=scale, offset=offset, **kwargs)

    @property
    def image_shape(self):
        """`(height, width, channels)` of the images."""
        return self.shape

    def get_config(self):
        config = super().get_config()
        config["image_shape"] = self.shape
        return config
