"""Video files as clips: every frame, decoded with PyAV (FFmpeg).

A clip a model reads is an array `(frames, height, width, channels)`; a
video file (`.mp4`, `.avi`, `.mov`, `.mkv`, `.webm`...: whatever FFmpeg
decodes) is read as one, every frame of its first video stream as
`uint8` pixels: RGB (3 channels), or grey (1) for a grey video. Frames
are neither resized nor dropped, as a `.npy` clip's are not: a video of
another frame count or size than the others is refused by the reader of
a column of clips. Imports no Keras.

Example:

    clip = read_video("films/cats/1.mp4")   # (frames, height, width, 3) uint8
"""

import os

import numpy as np

from keras_seq.data.errors import DataError

SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".mpg", ".mpeg", ".gif")


def is_video(path):
    """Whether `path` names a video file (by its suffix, `SUFFIXES`)."""
    return str(path).lower().endswith(SUFFIXES)


def read_video(path):
    """The frames of the video at `path`, `uint8` `(frames, height, width, channels)`.

    Args:
        path: a video file FFmpeg decodes.

    Returns:
        Every frame of the first video stream, in order: RGB, or grey
        (one channel) where the stream is grey.

    Raises:
        DataError: no such file, no PyAV, or a file FFmpeg cannot decode
            or that holds no video frame.
    """
    if not os.path.isfile(path):
        raise DataError(f"{path}: no such file")
    try:
        import av
    except ImportError:
        raise DataError(
            f"{path}: reading video files needs PyAV: pip install av (or save "
            "the clip as a .npy array (frames, height, width[, channels]))"
        ) from None
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise DataError(f"{path}: cannot read the video: no video stream")
            stream = container.streams.video[0]
            grey = stream.format is not None and stream.format.name.startswith("gray")
            frames = [
                frame.to_ndarray(format="gray" if grey else "rgb24")
                for frame in container.decode(stream)
            ]
    except (av.FFmpegError, ValueError, OSError) as error:
        reason = getattr(error, "strerror", None) or str(error).strip()
        reason = (reason or type(error).__name__).splitlines()[0]
        raise DataError(f"{path}: cannot read the video: {reason}") from None
    if not frames:
        raise DataError(f"{path}: cannot read the video: it holds no frame")
    clip = np.stack(frames)
    return clip[..., None] if grey else clip
