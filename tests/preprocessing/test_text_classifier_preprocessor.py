import numpy as np
import pytest

from keras_seq.preprocessing import TextClassifierPreprocessor
from keras_seq.preprocessing import character_tokenizer
from keras_seq.preprocessing import train_byte_pair_tokenizer
from tests.preprocessing.checks import FRENCH
from tests.preprocessing.checks import HAMLET
from tests.preprocessing.checks import TEXTS
from tests.preprocessing.checks import assert_same_outputs
from tests.preprocessing.checks import from_config
from tests.preprocessing.checks import real_lengths
from tests.preprocessing.checks import save_and_load


@pytest.fixture(scope="module")
def bpe():
    return train_byte_pair_tokenizer(TEXTS, 400, min_frequency=1)


def test_token_ids_are_the_tokens_right_padded_to_a_bucket(bpe):
    preprocessor = TextClassifierPreprocessor(bpe, sequence_length=64)
    token_ids = preprocessor(HAMLET)
    tokens = bpe.tokenize(HAMLET)
    longest = max(map(len, tokens))
    assert 16 < longest <= 32 and token_ids.shape == (len(HAMLET), 32)
    assert token_ids.dtype == np.int32
    lengths = real_lengths(token_ids)
    for row, ids, length in zip(token_ids, tokens, lengths):
        assert length == len(ids) and row[:length].tolist() == ids
    assert bpe.detokenize([row[:n].tolist() for row, n in zip(token_ids, lengths)]) == (
        HAMLET
    )


def test_labels_and_sample_weights_pass_through():
    preprocessor = TextClassifierPreprocessor(character_tokenizer(), 32)
    token_ids, labels = preprocessor(["oui", "non"], [1, 0])
    assert isinstance(labels, np.ndarray) and labels.tolist() == [1, 0]
    _, _, weights = preprocessor(["oui", "non"], [1, 0], [0.5, 2.0])
    assert weights.tolist() == [0.5, 2.0]
    np.testing.assert_array_equal(preprocessor(["oui", "non"]), token_ids)


def test_single_str_and_arrays_of_str_are_batches():
    preprocessor = TextClassifierPreprocessor(character_tokenizer(), 32)
    single = preprocessor("Élan")
    assert single.shape == (1, 8) and single[0, :4].tolist() == [201, 108, 97, 110]
    batch = np.array(FRENCH)
    np.testing.assert_array_equal(preprocessor(batch), preprocessor(list(FRENCH)))
    np.testing.assert_array_equal(preprocessor([b"\xc3\x89lan"]), single)


def test_empty_string_is_a_row_of_padding():
    preprocessor = TextClassifierPreprocessor(character_tokenizer(), 32)
    token_ids = preprocessor(["", "a"])
    assert token_ids.shape == (2, 8)
    assert not token_ids[0].any() and token_ids[1, 0] == ord("a")
    assert not preprocessor([""]).any()


def test_long_texts_are_truncated_or_raise():
    text = "x" * 40
    preprocessor = TextClassifierPreprocessor(character_tokenizer(), 20)
    token_ids = preprocessor([text, "ab"])
    assert token_ids.shape == (2, 20) and (token_ids[0] == ord("x")).all()
    exact = TextClassifierPreprocessor(character_tokenizer(), 20, truncate=False)
    assert exact(["x" * 20]).shape == (1, 20)
    with pytest.raises(ValueError, match=r"`x\[1\]` is 40 ids.*`truncate=False`"):
        exact(["ab", text])


def test_config_round_trip():
    preprocessor = TextClassifierPreprocessor(
        character_tokenizer(vocabulary_size=300), 32, truncate=False, name="text"
    )
    revived = from_config(preprocessor)
    assert revived.get_config() == preprocessor.get_config()
    assert revived.tokenizer.vocabulary_size() == 300 and revived.truncate is False
    assert_same_outputs(revived(FRENCH), preprocessor(FRENCH))


def test_save_and_load_with_vocabulary_assets(bpe, tmp_path):
    preprocessor = TextClassifierPreprocessor(bpe, 32)
    loaded = save_and_load({"preprocessor": preprocessor}, tmp_path / "m.keras")
    loaded = loaded["preprocessor"]
    assert loaded.tokenizer.vocabulary == bpe.vocabulary
    assert loaded.vocabulary_size == bpe.vocabulary_size()
    assert_same_outputs(
        loaded(TEXTS, np.arange(len(TEXTS))), preprocessor(TEXTS, np.arange(len(TEXTS)))
    )


@pytest.mark.parametrize(
    "x, error, match",
    [
        ([], ValueError, r"`x` must be a non-empty batch of str. Received: x=\[\]"),
        (np.array([], dtype=str), ValueError, "non-empty batch"),
        (
            ["a", 7],
            TypeError,
            r"`x` must hold only str. Received: x\[1\]=7 of type int",
        ),
        ([None], TypeError, r"x\[0\]=None of type NoneType"),
        (
            np.array([["a"]]),
            ValueError,
            r"1-D batch of str. Received: x of shape \(1, 1\)",
        ),
        (3, TypeError, "Received: x of type int"),
        (["a\x00b"], ValueError, r"`x\[0\]` holds a character.*padding"),
    ],
)
def test_bad_texts(x, error, match):
    preprocessor = TextClassifierPreprocessor(character_tokenizer(), 16)
    with pytest.raises(error, match=match):
        preprocessor(x)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"sequence_length": 0}, ValueError, "sequence_length=0"),
        ({"truncate": "yes"}, ValueError, "truncate='yes'"),
        ({"tokenizer": "chars"}, TypeError, "tokenizer of type str"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    kwargs = {"tokenizer": character_tokenizer(), "sequence_length": 8, **kwargs}
    with pytest.raises(error, match=match):
        TextClassifierPreprocessor(**kwargs)
