import keras
import numpy as np
import pytest

from keras_seq.preprocessing import SeriesPreprocessor
from tests.preprocessing.checks import assert_same_outputs
from tests.preprocessing.checks import from_config
from tests.preprocessing.checks import save_and_load


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(0)
    return [rng.normal(5.0, 2.0, (length, 3)) for length in (4, 11, 7)]


def test_series_are_padded_with_the_mask_value_to_a_bucket(series):
    values = SeriesPreprocessor(channels=3)(series)
    assert values.dtype == np.float32 and values.shape == (3, 16, 3)
    for row, original in zip(values, series):
        np.testing.assert_allclose(row[: len(original)], original, rtol=1e-6)
        assert (row[len(original) :] == 0.0).all()


def test_keras_masking_sees_exactly_the_real_steps(series):
    zeros = [np.zeros((2, 3)), series[0], np.array([[0.0, 0.0, 0.0], [1.0, 0, 0]])]
    for mask_value in (0.0, -1.0):
        values = SeriesPreprocessor(3, mask_value=mask_value)(zeros)
        mask = keras.layers.Masking(mask_value=mask_value).compute_mask(values)
        mask = keras.ops.convert_to_numpy(mask)
        lengths = np.array([2, 4, 2])
        np.testing.assert_array_equal(mask, np.arange(8) < lengths[:, None])
    # All-zero real steps are moved by a normal float32 step, nothing more.
    values = SeriesPreprocessor(3)(zeros)
    assert values[0, 0, 0] == np.finfo("float32").tiny
    np.testing.assert_array_equal(values[0, :2, 1:], 0.0)
    np.testing.assert_array_equal(values[2, 1], [1.0, 0.0, 0.0])


def test_no_mask_value_pads_with_zeros_and_nudges_nothing():
    values = SeriesPreprocessor(1, mask_value=None)([np.zeros(3)])
    np.testing.assert_array_equal(values, np.zeros((1, 8, 1)))


def test_adapt_learns_mean_and_std(series):
    preprocessor = SeriesPreprocessor(channels=3)
    preprocessor.adapt(series)
    steps = np.concatenate(series)
    np.testing.assert_allclose(preprocessor.mean, steps.mean(axis=0))
    np.testing.assert_allclose(preprocessor.std, steps.std(axis=0))
    values = preprocessor(series)
    real = np.concatenate([row[: len(s)] for row, s in zip(values, series)])
    np.testing.assert_allclose(real.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(real.std(axis=0), 1.0, atol=1e-5)
    constant = SeriesPreprocessor(channels=1)
    constant.adapt([np.full(5, 3.0)])
    assert constant.mean == [3.0] and constant.std == [1.0]


def test_given_mean_and_std():
    preprocessor = SeriesPreprocessor(2, mean=[1.0, 2.0], std=2.0)
    values = preprocessor([np.array([[3.0, 6.0]])])
    np.testing.assert_array_equal(values[0, 0], [1.0, 2.0])
    assert preprocessor.std == [2.0, 2.0]


def test_univariate_inputs_and_3d_arrays():
    preprocessor = SeriesPreprocessor(channels=1)
    ragged = preprocessor([np.arange(1.0, 4.0), np.arange(1.0, 10.0)])
    assert ragged.shape == (2, 16, 1)
    equal = preprocessor(np.ones((2, 5)))
    assert_same_outputs(equal, SeriesPreprocessor(1)(np.ones((2, 5, 1))))
    assert equal.shape == (2, 8, 1)


def test_truncation_and_truncate_false(series):
    values = SeriesPreprocessor(3, sequence_length=6)(series)
    assert values.shape == (3, 6, 3)
    np.testing.assert_allclose(values[1], series[1][:6], rtol=1e-6)
    strict = SeriesPreprocessor(3, sequence_length=7, truncate=False)
    assert strict([series[0], series[2]]).shape == (2, 7, 3)
    with pytest.raises(ValueError, match=r"`x\[1\]` has 11 steps.*sequence_length=7"):
        strict(series)


def test_targets_pass_through_or_pad_per_step(series):
    values, labels = SeriesPreprocessor(3)(series, [0, 2, 1])
    assert labels.tolist() == [0, 2, 1]
    tagger = SeriesPreprocessor(3, sequence_length=8, per_step_targets=True)
    targets = [np.arange(len(s)) + 1 for s in series]
    values, labels = tagger(series, targets)
    assert labels.shape == (3, 8)
    assert labels[0].tolist() == [1, 2, 3, 4, 0, 0, 0, 0]
    assert labels[1].tolist() == list(range(1, 9))
    with pytest.raises(ValueError, match=r"`y\[0\]` must hold a target for each"):
        tagger(series, [np.arange(2), *targets[1:]])
    with pytest.raises(ValueError, match="3 series and 2 target sequences"):
        tagger(series, targets[:2])


def test_config_round_trip_and_save_after_adapt(series, tmp_path):
    preprocessor = SeriesPreprocessor(
        3, sequence_length=32, mask_value=-5.0, truncate=False, per_step_targets=True
    )
    preprocessor.adapt(series)
    revived = from_config(preprocessor)
    assert revived.get_config() == preprocessor.get_config()
    assert_same_outputs(revived(series), preprocessor(series))
    loaded = save_and_load({"series": preprocessor}, tmp_path / "m.keras")["series"]
    assert loaded.get_config() == preprocessor.get_config()
    assert_same_outputs(loaded(series), preprocessor(series))


@pytest.mark.parametrize(
    "x, error, match",
    [
        ([], ValueError, r"non-empty batch of series. Received: x=\[\]"),
        (
            [np.zeros((4, 3)), np.zeros((4, 2))],
            ValueError,
            r"channels=3. Received: x\[1\] of shape \(4, 2\)",
        ),
        ([np.zeros(4)], ValueError, r"x\[0\] of shape \(4,\)"),
        (np.zeros((2, 4)), ValueError, r"Received: x of shape \(2, 4\)"),
        ([np.array([[1.0, np.nan, 0.0]])], ValueError, r"`x\[0\]` must hold finite"),
        ([["a", "b", "c"]], TypeError, r"`x\[0\]` must be a numeric"),
        ("abc", TypeError, "Received: x of type str"),
    ],
)
def test_bad_series(x, error, match):
    with pytest.raises(error, match=match):
        SeriesPreprocessor(channels=3)(x)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"channels": 0}, "channels=0"),
        ({"mean": [1.0, 2.0]}, r"`mean` must be None, a float or a list of 3"),
        ({"std": [1.0, 0.0, 1.0]}, r"`std` must be None, a positive float"),
        ({"mask_value": "0"}, "mask_value='0'"),
        ({"sequence_length": 0}, "sequence_length=0"),
        ({"per_step_targets": 1}, "per_step_targets=1"),
    ],
)
def test_bad_arguments(kwargs, match):
    kwargs = {"channels": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        SeriesPreprocessor(**kwargs)


def test_adapt_bad_series():
    with pytest.raises(ValueError, match="`series` must hold at least one step"):
        SeriesPreprocessor(channels=2).adapt([np.zeros((0, 2))])
    with pytest.raises(ValueError, match=r"`series\[0\]` must be a \(time, channels\)"):
        SeriesPreprocessor(channels=2).adapt([np.zeros((3, 1))])
