import numpy as np
import pytest

from keras_seq.preprocessing import VideoPreprocessor
from tests.preprocessing.checks import assert_same_outputs
from tests.preprocessing.checks import from_config
from tests.preprocessing.checks import save_and_load


def test_clips_scale_to_float32_batches():
    clips = np.random.default_rng(0).integers(0, 256, (2, 4, 6, 6, 3), dtype="uint8")
    preprocessor = VideoPreprocessor((4, 6, 6, 3))
    videos = preprocessor(clips)
    assert videos.dtype == np.float32 and videos.shape == (2, 4, 6, 6, 3)
    np.testing.assert_allclose(videos, clips / 255.0, rtol=1e-6)
    assert_same_outputs(preprocessor(clips[0]), videos[:1])


def test_grayscale_clips_may_leave_out_the_channel_axis():
    clips = np.full((3, 5, 4, 4), 255, "uint8")
    videos, labels = VideoPreprocessor((5, 4, 4, 1))(clips, [0, 1, 2])
    assert videos.shape == (3, 5, 4, 4, 1) and (videos == 1.0).all()
    assert labels.tolist() == [0, 1, 2]


def test_config_round_trip_and_save(tmp_path):
    preprocessor = VideoPreprocessor((4, 6, 6, 3), scale=2.0, offset=-1.0)
    revived = from_config(preprocessor)
    assert revived.get_config() == preprocessor.get_config()
    assert revived.video_shape == (4, 6, 6, 3)
    clips = np.random.default_rng(1).uniform(size=(2, 4, 6, 6, 3))
    assert_same_outputs(revived(clips), preprocessor(clips))
    loaded = save_and_load({"videos": preprocessor}, tmp_path / "m.keras")["videos"]
    assert_same_outputs(loaded(clips), preprocessor(clips))


@pytest.mark.parametrize(
    "clips, match",
    [
        (np.zeros((2, 8, 6, 6, 3)), r"frames 8 instead of 4"),
        (
            np.zeros((8, 6, 6, 3)),
            r"one clip of shape \(4, 6, 6, 3\).*Received: videos ",
        ),
        (np.zeros((2, 4, 6, 6, 1)), "channels 1 instead of 3"),
        (np.zeros((2, 4, 6, 5, 3)), "width 5 instead of 6"),
        (np.zeros((0, 4, 6, 6, 3)), "non-empty batch"),
    ],
)
def test_bad_clips(clips, match):
    with pytest.raises(ValueError, match=match):
        VideoPreprocessor((4, 6, 6, 3))(clips)


def test_bad_video_shape():
    with pytest.raises(ValueError, match=r"`video_shape` must be a tuple of 4.*frames"):
        VideoPreprocessor((6, 6, 3))
