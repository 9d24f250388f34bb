import numpy as np
import pytest

from keras_seq.preprocessing import pad_rows
from keras_seq.preprocessing import padded_length


def test_buckets_are_powers_of_two_with_a_floor():
    widths = {padded_length(n) for n in range(0, 300)}
    assert widths == {8, 16, 32, 64, 128, 256, 512}
    for n in range(0, 300):
        width = padded_length(n)
        assert width >= n and (width == 8 or width < 2 * n)


def test_buckets_are_capped_at_the_sequence_length():
    assert [padded_length(n, 20) for n in (3, 9, 17, 20, 50)] == [8, 16, 20, 20, 20]
    assert padded_length(3, sequence_length=5) == 5
    assert padded_length(3, min_length=1) == 4
    assert padded_length(0, min_length=1) == 1


@pytest.mark.parametrize(
    "args, match",
    [
        ((-1,), "length=-1"),
        ((2.0,), "length=2.0"),
        ((3, 0), "sequence_length=0"),
        ((3, None, 0), "min_length=0"),
    ],
)
def test_padded_length_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        padded_length(*args)


def test_pad_rows_pads_and_cuts_features():
    rows = [np.ones((3, 2)), np.full((5, 2), 2.0), np.zeros((0, 2))]
    batch = pad_rows(rows, 4, pad_value=-1.0, dtype="float32")
    assert batch.shape == (3, 4, 2) and batch.dtype == np.float32
    np.testing.assert_array_equal(batch[0, :3], 1.0)
    np.testing.assert_array_equal(batch[0, 3], -1.0)
    np.testing.assert_array_equal(batch[1], 2.0)
    np.testing.assert_array_equal(batch[2], -1.0)
