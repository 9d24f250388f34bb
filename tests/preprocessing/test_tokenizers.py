import keras_hub
import numpy as np
import pytest

from keras_seq.preprocessing import END_TOKEN
from keras_seq.preprocessing import PAD_TOKEN
from keras_seq.preprocessing import START_TOKEN
from keras_seq.preprocessing import character_tokenizer
from keras_seq.preprocessing import special_token_ids
from keras_seq.preprocessing import train_byte_pair_tokenizer
from keras_seq.preprocessing.tokenizers import _train_hugging_face_tokenizer
from tests.preprocessing.checks import ENGLISH
from tests.preprocessing.checks import FRENCH
from tests.preprocessing.checks import HAMLET
from tests.preprocessing.checks import TEXTS

# Unseen by the training texts: other scripts, an emoji, NUL-free controls.
UNSEEN = ["ǃKung, Ṣàngó", "naïve — “quoted”", "日本語 🙂", "  two  spaces\r\n", ""]


@pytest.fixture(scope="module")
def bpe():
    return train_byte_pair_tokenizer(TEXTS, 400, min_frequency=1)


def test_bpe_vocabulary_has_padding_then_start_and_end(bpe):
    assert [bpe.id_to_token(i) for i in range(3)] == [PAD_TOKEN, START_TOKEN, END_TOKEN]
    assert special_token_ids(bpe) == (1, 2)
    # All 256 bytes, then merges: every text has a tokenization.
    assert 3 + 256 < bpe.vocabulary_size() <= 400
    assert sorted(bpe.vocabulary.values()) == list(range(bpe.vocabulary_size()))


# Where word splitting matters: KerasHub's splits digits in threes and
# keeps a space or a quote with the word after it.
NUMBERS = ["Anno 16011602, 1603 or 160316041605", "'tis 'twas 1601 16011601"] * 3


def test_bpe_equals_hugging_face_on_training_texts():
    texts = TEXTS + NUMBERS
    trained = _train_hugging_face_tokenizer(texts, 400, 1)
    tokenizer = train_byte_pair_tokenizer(texts, 400, min_frequency=1)
    expected = [encoding.ids for encoding in trained.encode_batch(texts)]
    assert tokenizer.tokenize(texts) == expected
    # Merged tokens are used: the texts are shorter than their bytes.
    assert sum(map(len, expected)) < 0.7 * sum(len(t.encode()) for t in texts)


@pytest.mark.parametrize("texts", [HAMLET, FRENCH, ENGLISH, UNSEEN])
def test_bpe_round_trip(bpe, texts):
    ids = bpe.tokenize(texts)
    assert all(0 not in row and 1 not in row and 2 not in row for row in ids)
    assert bpe.detokenize(ids) == texts


def test_bpe_special_tokens_are_never_split(bpe):
    ids = bpe.tokenize([f"{START_TOKEN}To be{END_TOKEN}{PAD_TOKEN}"])[0]
    assert ids[0] == 1 and ids[-2:] == [2, 0]
    assert bpe.tokenize(["<|start"])[0] != [1]


def test_bpe_trains_line_by_line():
    tokenizer = train_byte_pair_tokenizer("".join(HAMLET) * 3, 400)
    newline_tokens = [t for t in tokenizer.vocabulary if "Ċ" in t and len(t) > 1]
    assert newline_tokens  # line ends merge with what comes before them
    assert all(t.endswith("Ċ") and t.count("Ċ") == 1 for t in newline_tokens)
    assert tokenizer.detokenize(tokenizer.tokenize(HAMLET)) == HAMLET


def test_bpe_training_is_deterministic(bpe):
    again = train_byte_pair_tokenizer(TEXTS, 400, min_frequency=1)
    assert again.vocabulary == bpe.vocabulary and again.merges == bpe.merges


@pytest.mark.parametrize("texts", [HAMLET, FRENCH, UNSEEN[:2] + UNSEEN[3:]])
def test_character_round_trip(texts):
    tokenizer = character_tokenizer(texts=texts)
    ids = tokenizer.tokenize(texts)
    assert ids == [[ord(c) for c in text] for text in texts]
    assert all(not {0, 2, 3}.intersection(row) for row in ids)
    assert tokenizer.detokenize(ids) == texts


def test_character_tokenizer_composes_accents_and_keeps_case():
    tokenizer = character_tokenizer()
    decomposed = "Re\u0301publique"
    assert tokenizer.tokenize([decomposed]) == [[ord(c) for c in "République"]]
    # Every French letter is in the default vocabulary (Latin-1 and
    # Latin Extended-A); the curly apostrophe is not, and clamps.
    letters = [text for text in FRENCH if "’" not in text]
    assert tokenizer.detokenize(tokenizer.tokenize(letters)) == letters
    assert tokenizer.tokenize(["d’"]) == [[100, 383]]
    assert special_token_ids(tokenizer) == (2, 3)


def test_character_vocabulary_size():
    assert character_tokenizer().vocabulary_size() == 384
    # One past the largest code point of the texts, at least ASCII.
    assert character_tokenizer(texts=HAMLET).vocabulary_size() == 128
    assert character_tokenizer(texts=FRENCH).vocabulary_size() == ord("’") + 1
    # Code points above the vocabulary clamp to its last id.
    small = character_tokenizer(vocabulary_size=128)
    assert small.tokenize(["aé"]) == [[97, 127]]


def test_byte_tokenizer_start_and_end():
    assert special_token_ids(keras_hub.tokenizers.ByteTokenizer()) == (2, 3)


def test_special_token_ids_errors(bpe):
    plain = keras_hub.tokenizers.BytePairTokenizer(
        vocabulary={"a": 0, "b": 1, "ab": 2}, merges=["a b"]
    )
    with pytest.raises(ValueError, match="start and an end token"):
        special_token_ids(plain)
    empty = keras_hub.tokenizers.BytePairTokenizer.from_config(bpe.get_config())
    with pytest.raises(ValueError, match="no vocabulary yet"):
        special_token_ids(empty)


@pytest.mark.parametrize(
    "texts, kwargs, error, match",
    [
        (
            [],
            {},
            ValueError,
            r"`texts` must hold at least one str. Received: texts=\[\]",
        ),
        (["a", 3], {}, TypeError, r"texts\[1\]=3 of type int"),
        (5, {}, TypeError, "`texts` must be an iterable of str"),
        (["a"], {"vocabulary_size": 100}, ValueError, "at least 259.*=100"),
        (["a"], {"vocabulary_size": 300.0}, ValueError, "vocabulary_size=300.0"),
        (["a"], {"min_frequency": 0}, ValueError, "min_frequency=0"),
    ],
)
def test_train_byte_pair_tokenizer_bad_arguments(texts, kwargs, error, match):
    kwargs = {"vocabulary_size": 300, **kwargs}
    with pytest.raises(error, match=match):
        train_byte_pair_tokenizer(texts, **kwargs)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"texts": ["a"], "vocabulary_size": 200}, ValueError, "not both"),
        ({"vocabulary_size": 4}, ValueError, "above 4. Received: vocabulary_size=4"),
        ({"normalization_form": "NFX"}, ValueError, "normalization_form='NFX'"),
        ({"texts": [b"a"]}, TypeError, r"texts\[0\]=b'a' of type bytes"),
    ],
)
def test_character_tokenizer_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        character_tokenizer(**kwargs)


def test_vocabulary_sizes_are_python_ints():
    tokenizer = character_tokenizer(vocabulary_size=np.int64(200))
    assert type(tokenizer.get_config()["vocabulary_size"]) is int
