"""The three lines of Python: `load`, `Builder.from_data`, `fit`, then label names.

`from_data` sizes a classifier to the data and fits its preprocessor on
the training part only; its class names (`labels`) are saved inside the
`.keras` file, so a reloaded model predicts the user's own names.
"""

import keras
import numpy as np
import pytest

import keras_seq
from keras_seq.applications import RNNClassifier
from keras_seq.applications import TextClassifier
from keras_seq.applications import ViT
from keras_seq.applications import ViViT
from tests.data import writers

TINY = {"num_layers": 1, "num_heads": 2, "hidden_dim": 8, "intermediate_dim": 16}


@pytest.mark.slow
def test_a_text_table_trains_in_three_lines_and_predicts_its_label_names():
    rows = [
        {"text": f"{'bright sunny' if i % 2 else 'grey rainy'} day {i}", "label": m}
        for i, m in enumerate(["wet", "dry"] * 20)
    ]
    writers.write_table("days.csv", rows)
    # A word of the test file only: not in the vocabulary.
    writers.write_table("test.csv", [{"text": "zyzzyva zyzzyva", "label": "wet"}] * 4)
    data = keras_seq.data.load("days.csv", test_data="test.csv")

    model = TextClassifier.from_data(data, vocabulary_size=300, **TINY)
    model.fit(*data.train, validation_data=data.validation, epochs=1, verbose=0)
    predicted = model.predict_labels(data.test.x, verbose=0)

    assert model.labels == data.labels == ("dry", "wet")
    assert len(predicted) == len(data.test.x)
    assert set(predicted) <= {"dry", "wet"}
    # The vocabulary is learned from the training texts only.
    vocabulary = model.preprocessor.tokenizer.get_vocabulary()
    assert any("sunny" in token for token in vocabulary)
    assert not any("zyzz" in token for token in vocabulary)


def test_the_label_names_are_saved_in_the_keras_file():
    writers.write_table("r.csv", writers.reviews(24))
    data = keras_seq.data.load("r.csv")
    model = TextClassifier.from_data(data, vocabulary_size=300, **TINY)
    before = model.predict_labels(data.test.x, verbose=0)
    model.save("reviews.keras")

    loaded = keras.saving.load_model("reviews.keras")
    assert loaded.labels == ("neg", "pos")
    assert loaded.predict_labels(data.test.x, verbose=0) == before
    assert set(before) <= {"neg", "pos"}


@pytest.mark.slow
def test_an_image_folder_a_series_folder_and_clips_build_their_classifiers():
    writers.class_folder("photos", "image", per_class=6, classes=("cat", "dog"))
    images = keras_seq.data.load("photos")
    model = ViT.from_data(images, **TINY)
    assert model.input_shape == (None, 8, 8, 3)
    model.fit(*images.train, epochs=1, verbose=0)
    assert set(model.predict_labels(images.test.x, verbose=0)) <= {"cat", "dog"}

    writers.class_folder("moves", "series", per_class=8, classes=("up", "down"))
    series = keras_seq.data.load("moves")
    model = RNNClassifier.from_data(series, hidden_dim=4)
    # The scaling is fitted on the training part only.
    steps = np.concatenate(series.train.x)
    np.testing.assert_allclose(model.preprocessor.mean, steps.mean(0), rtol=1e-4)
    assert model.labels == ("down", "up")

    writers.class_folder("clips", "video", per_class=4)
    clips = keras_seq.data.load("clips", validation_split=0, test_split=0)
    model = ViViT.from_data(clips, **TINY)
    assert model.labels == ("a", "b")
    assert len(model.predict_labels(clips.train.x, verbose=0)) == 8


def test_data_of_another_kind_and_wrong_label_lists_are_refused():
    writers.write_table("r.csv", writers.reviews(20))
    data = keras_seq.data.load("r.csv")
    with pytest.raises(ValueError, match="of image inputs and class labels for ViT"):
        ViT.from_data(data)
    with pytest.raises(ValueError, match="`labels` must be 2 distinct class names"):
        TextClassifier(vocabulary_size=50, max_length=8, classes=2, labels=["a"])
    model = TextClassifier(vocabulary_size=50, max_length=8, classes=3, **TINY)
    assert model.labels is None
    assert model.predict_labels(np.ones((2, 4), "int32"), verbose=0)[0] in (0, 1, 2)
    model.labels = ["x", "y", "z"]
    assert model.get_config()["labels"] == ["x", "y", "z"]
