"""`load_series`: one long series in a table, as forecasting windows in time order."""

import numpy as np
import pytest

from keras_seq import data as user_data
from tests.data import writers


def _weather(path="weather.csv", steps=100):
    rows = [
        {"date": f"day {i}", "temperature": float(i), "humidity": 1000.0 + i}
        for i in range(steps)
    ]
    return writers.write_table(path, rows)


def test_windows_split_in_time_order_with_next_step_targets():
    _weather()
    data = user_data.load_series("weather.csv", window=10)
    assert data.inputs == "series" and data.labels is None
    assert data.input_column == "temperature,humidity"  # "date" is not numbers
    assert data.target_column == "temperature"
    x, y = data.train
    assert x.shape[1:] == (10, 2) and y.shape[1:] == (10, 1)
    # The targets are the target's next steps.
    np.testing.assert_array_equal(y[:, :, 0], x[:, :, 0] + 1)
    # Training forecasts steps 10..79, validation 80..89, test 90..99.
    assert y[:, -1, 0].tolist() == list(range(10, 80))
    assert data.validation.y[:, -1, 0].tolist() == list(range(80, 90))
    assert data.test.y[:, -1, 0].tolist() == list(range(90, 100))
    # A validation window reads the steps before its part as context.
    assert data.validation.x[0, 0, 0] == 70


def test_the_target_comes_first_and_columns_can_be_named():
    _weather()
    data = user_data.load_series("weather.csv", target_column="humidity", window=5)
    assert data.input_column == "humidity,temperature"
    assert data.train.y[0, -1, 0] == 1005.0
    data = user_data.load_series("weather.csv", columns=["humidity"], window=5)
    assert data.train.x.shape[-1] == 1


def test_bad_series_tables_are_refused_in_one_line():
    _weather()
    with pytest.raises(user_data.DataError, match="column 'date': a series column"):
        user_data.load_series("weather.csv", columns=["date", "humidity"])
    with pytest.raises(user_data.DataError, match="no column 'wind'; its columns"):
        user_data.load_series("weather.csv", target_column="wind")
    with pytest.raises(user_data.DataError, match="20 steps leave 16 to train on"):
        _weather("short.csv", steps=20)
        user_data.load_series("short.csv", window=24)
    writers.write_table("words.csv", [{"a": "x", "b": "y"}] * 30)
    with pytest.raises(user_data.DataError, match="no column holds numbers"):
        user_data.load_series("words.csv")
