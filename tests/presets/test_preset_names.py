"""A misspelled preset name gets `from_preset`'s answer, with the closest name.

`TextClassifier(weights="no_such")` used to raise "TypeError: __init__()
missing 3 required positional arguments": the name was taken for a file
and the sizes it would have given were missing.
"""

import pytest

from keras_seq.applications import CausalLM
from keras_seq.applications import TextClassifier
from keras_seq.applications import ViT


@pytest.mark.parametrize(
    "builder, typo, closest",
    [
        (TextClassifier, "roten_tomatoes", "rotten_tomatoes"),
        (CausalLM, "hamlet_char", "hamlet_char_lm"),
        (ViT, "mnist_vti", "mnist_vit"),
    ],
)
def test_a_misspelled_preset_as_weights_names_the_closest(builder, typo, closest):
    with pytest.raises(ValueError) as error:
        builder(weights=typo)
    message = str(error.value)
    assert "`weights` must be the name of a shipped preset" in message
    assert f"Did you mean {closest!r}?" in message
    assert f"Received: weights={typo!r}" in message
    with pytest.raises(ValueError, match=f"Did you mean {closest!r}"):
        builder.from_preset(typo)


def test_an_unknown_name_without_sizes_is_a_value_error():
    with pytest.raises(ValueError, match=r"shipped preset.*weights='no_such'"):
        TextClassifier(weights="no_such")


def test_an_unknown_name_with_sizes_names_the_closest_too():
    with pytest.raises(ValueError, match=r"Did you mean 'rotten_tomatoes'\?"):
        TextClassifier(
            vocabulary_size=20, max_length=8, classes=2, weights="rotten_tomatoe"
        )
