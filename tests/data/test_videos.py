"""Video files read as clips (`keras_seq.data.videos`), in tables and class folders.

The videos are written by the tests with PyAV itself: lossless (`ffv1`)
where the pixels are compared, `mpeg4` where only the shape matters.
"""

import os

import numpy as np

from keras_seq import data as user_data
from keras_seq.data import videos
from tests.data import writers


def _frames(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype="uint8")


def test_a_lossless_video_reads_back_its_frames_rgb_or_grey():
    frames = _frames((8, 16, 16, 3))
    writers.video("colour.mkv", frames, "ffv1")
    clip = videos.read_video("colour.mkv")
    assert clip.dtype == np.uint8 and np.array_equal(clip, frames)
    grey = _frames((6, 8, 16))
    writers.video("grey.mkv", grey, "ffv1")
    assert np.array_equal(videos.read_video("grey.mkv"), grey[..., None])


def test_a_class_folder_and_a_table_of_videos_load_as_clips():
    for c, name in enumerate(("cats", "dogs")):
        for i in range(5):
            writers.video(f"films/{name}/{i}.mp4", _frames((8, 16, 16, 3), 10 * c + i))
    data = user_data.load("films", validation_split=0, test_split=0)
    assert data.inputs == "video" and data.labels == ("cats", "dogs")
    assert data.train.x.shape == (10, 8, 16, 16, 3)
    assert data.train.x.dtype == np.uint8
    rows = [{"clip": f"films/cats/{i}.mp4", "label": "cats"} for i in range(2)]
    rows += [{"clip": os.path.abspath("films/dogs/0.mp4"), "label": "dogs"}]
    writers.write_table("clips.csv", rows)
    x, y = user_data.read("clips.csv")[0]
    assert x.shape == (3, 8, 16, 16, 3) and list(y) == [0, 0, 1]
    assert np.array_equal(x[2], data.train.x[5])  # the same file, read alike


def _refused(path):
    try:
        user_data.load(path)
    except user_data.DataError as error:
        assert "\n" not in str(error)
        return str(error)
    raise AssertionError(f"{path} was not refused")


def test_an_unreadable_video_or_one_of_another_shape_is_refused_in_a_line():
    for name in ("cats", "dogs"):
        for i in range(3):
            writers.video(f"films/{name}/{i}.mp4", _frames((8, 16, 16, 3), i))
    with open("films/dogs/1.mp4", "wb") as handle:
        handle.write(b"no video in here")
    assert _refused("films").startswith(
        "films/dogs/1.mp4: cannot read the video: Invalid data found"
    )
    writers.video("films/dogs/1.mp4", _frames((8, 16, 32, 3)))  # wider
    assert _refused("films") == (
        "films/dogs/1.mp4: a clip of shape (8, 16, 32, 3); the clips before it "
        "are (8, 16, 16, 3) (frames, height, width, channels): give clips of "
        "one shape"
    )
    writers.video("films/dogs/1.mp4", _frames((4, 16, 16, 3)))  # shorter
    rows = [{"clip": f"dogs/{i}.mp4", "label": "dogs"} for i in range(3)]
    writers.write_table("films/clips.csv", rows)
    message = _refused("films/clips.csv")
    assert message.startswith("films/dogs/1.mp4 (row 2 of films/clips.csv): a clip ")
    assert "of shape (4, 16, 16, 3)" in message
