import keras

from keras_seq.preprocessing.image_preprocessor import ArrayPreprocessor


@keras.saving.register_keras_serializable(package="keras_seq")
class VideoPreprocessor(ArrayPreprocessor):
    """Video clips to the float32 `videos` of a `ViViT`.

    One clip `(frames, height, width, channels)` or a batch of them, uint8
    or float, becomes a float32 batch `videos * scale + offset` (by default
    uint8 pixels 0..255 to 0..1; pass `scale=1.0` for clips already
    scaled). Grayscale clips may leave out their channel axis when
    `video_shape` has one channel. Clips are neither resized nor cut: a
    different number of frames, size or number of channels raises a
    ValueError. Labels `y` and `sample_weight` pass through as NumPy
    arrays.

    Args:
        video_shape: `(frames, height, width, channels)` of the model's
            clips.
        scale: a float, or one per channel, that multiplies the pixels.
        offset: a float, or one per channel, added after scaling.
        **kwargs: `keras.layers.Layer` arguments (`name`).

    Example:

    >>> from keras_seq.preprocessing import VideoPreprocessor
    >>> preprocessor = VideoPreprocessor((4, 8, 8, 1))
    >>> clips = np.full((2, 4, 8, 8), 255, "uint8")
    >>> videos, labels = preprocessor(clips, [0, 1])
    >>> videos.shape, float(videos.max())
    ((2, 4, 8, 8, 1), 1.0)
    """

    kind = "videos"
    example = "clip"
    axes = ("frames", "height", "width", "channels")
    shape_argument = "video_shape"

    def __init__(self, video_shape, scale=1.0 / 255.0, offset=0.0, **kwargs):
        super().__init__(video_shape, scale=scale, offset=offset, **kwargs)

    @property
    def video_shape(self):
        """`(frames, height, width, channels)` of the clips."""
        return self.shape

    def get_config(self):
        config = super().get_config()
        config["video_shape"] = self.shape
        return config
