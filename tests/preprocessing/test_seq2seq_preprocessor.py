import zipfile

import numpy as np
import pytest

from keras_seq.preprocessing import Seq2SeqPreprocessor
from keras_seq.preprocessing import character_tokenizer
from keras_seq.preprocessing import train_byte_pair_tokenizer
from tests.preprocessing.checks import ENGLISH
from tests.preprocessing.checks import FRENCH
from tests.preprocessing.checks import TEXTS
from tests.preprocessing.checks import assert_same_outputs
from tests.preprocessing.checks import from_config
from tests.preprocessing.checks import real_lengths
from tests.preprocessing.checks import save_and_load


@pytest.fixture(scope="module")
def bpe():
    return train_byte_pair_tokenizer(TEXTS, 400, min_frequency=1)


def test_sources_end_and_targets_are_shifted(bpe):
    source_tokenizer = character_tokenizer(texts=ENGLISH)
    preprocessor = Seq2SeqPreprocessor(source_tokenizer, bpe, 64, 32)
    x, y = preprocessor(ENGLISH, FRENCH)
    assert sorted(x) == ["source_ids", "target_ids"]
    source, target = x["source_ids"], x["target_ids"]
    assert source.dtype == target.dtype == y.dtype == np.int32
    longest_target = max(len(ids) for ids in bpe.tokenize(FRENCH)) + 1
    assert 16 < longest_target <= 32
    assert source.shape == (7, 32) and target.shape == y.shape == (7, 32)
    np.testing.assert_array_equal(real_lengths(target), real_lengths(y))
    source_lengths = real_lengths(source)
    target_lengths = real_lengths(target)
    for row, english, n in zip(source, ENGLISH, source_lengths):
        assert row[:n].tolist() == [*map(ord, english), 3]
    for inputs, targets, french, n in zip(target, y, FRENCH, target_lengths):
        ids = bpe.tokenize([french])[0]
        assert inputs[:n].tolist() == [1, *ids] and targets[:n].tolist() == [*ids, 2]
    assert (preprocessor.start_token_id, preprocessor.end_token_id) == (1, 2)
    assert preprocessor.source_vocabulary_size == ord("Å") + 1
    assert preprocessor.target_vocabulary_size == bpe.vocabulary_size()


def test_empty_source_and_target():
    preprocessor = Seq2SeqPreprocessor(character_tokenizer(), None, 8, 8)
    x, y = preprocessor([""], [""])
    assert x["source_ids"][0].tolist() == [3] + [0] * 7
    assert x["target_ids"][0, :2].tolist() == [2, 0] and y[0, :2].tolist() == [3, 0]


def test_truncation_and_truncate_false():
    preprocessor = Seq2SeqPreprocessor(character_tokenizer(), None, 4, 3)
    x, y = preprocessor(["abcdef"], ["uvwxyz"])
    assert x["source_ids"][0].tolist() == list(map(ord, "abcd"))
    assert x["target_ids"][0].tolist() == [2, ord("u"), ord("v")]
    assert y[0].tolist() == list(map(ord, "uvw"))
    strict = Seq2SeqPreprocessor(character_tokenizer(), None, 4, 3, truncate=False)
    strict(["abc"], ["uv"])
    with pytest.raises(ValueError, match=r"`x\[0\]` is 5 ids long.*`truncate=False`"):
        strict(["abcd"], ["uv"])
    with pytest.raises(ValueError, match=r"`y\[0\]` is 5 ids long.*`truncate=False`"):
        strict(["abc"], ["uvw"])
    with pytest.raises(ValueError, match=r"`x\[0\]` is 5 ids long"):
        strict.generate_preprocess(["abcd"])


def test_generate_preprocess_and_postprocess(bpe):
    preprocessor = Seq2SeqPreprocessor(character_tokenizer(), bpe, 64, 32)
    source_ids = preprocessor.generate_preprocess(ENGLISH)
    x, y = preprocessor(ENGLISH, FRENCH)
    assert_same_outputs(source_ids, x["source_ids"])
    # The decoder's inputs are what generate returns: start id, then ids;
    # the targets have no start id and end with the end id.
    assert preprocessor.generate_postprocess(x["target_ids"]) == FRENCH
    assert preprocessor.generate_postprocess(y) == FRENCH
    single = preprocessor.generate_preprocess("Algerian Dinar")
    assert_same_outputs(single, source_ids[1:2, :16])


def test_shared_tokenizer_is_saved_once(tmp_path):
    tokenizer = train_byte_pair_tokenizer(TEXTS, 400, min_frequency=1)
    shared = Seq2SeqPreprocessor(tokenizer, tokenizer, 32, 32)
    assert shared.get_config()["target_tokenizer"] is None
    path = tmp_path / "m.keras"
    loaded = save_and_load({"translate": shared}, path)["translate"]
    assets = [name for name in zipfile.ZipFile(path).namelist() if "assets" in name]
    assert len(assets) == 2, assets  # one vocabulary.json, one merges.txt
    assert loaded.target_tokenizer is loaded.source_tokenizer
    assert_same_outputs(loaded(ENGLISH, FRENCH), shared(ENGLISH, FRENCH))


def test_config_round_trip_and_save_with_two_tokenizers(bpe, tmp_path):
    preprocessor = Seq2SeqPreprocessor(
        character_tokenizer(texts=ENGLISH), bpe, 40, 32, truncate=False
    )
    revived = from_config(preprocessor)
    assert revived.get_config() == preprocessor.get_config()
    assert revived.target_tokenizer is not revived.source_tokenizer
    loaded = save_and_load({"translate": preprocessor}, tmp_path / "m.keras")
    loaded = loaded["translate"]
    assert loaded.get_config() == preprocessor.get_config()
    assert_same_outputs(loaded(ENGLISH, FRENCH), preprocessor(ENGLISH, FRENCH))
    assert loaded.generate_postprocess(loaded(ENGLISH, FRENCH)[0]["target_ids"]) == (
        FRENCH
    )


@pytest.mark.parametrize(
    "x, y, error, match",
    [
        (["a"], None, ValueError, "needs the target texts `y`"),
        ([], ["a"], ValueError, r"`x` must be a non-empty batch of str"),
        (["a"], [], ValueError, r"`y` must be a non-empty batch of str"),
        (["a", "b"], ["a"], ValueError, "2 sources and 1 targets"),
        (["a"], [3], TypeError, r"`y` must hold only str. Received: y\[0\]=3"),
        ([("a",)], ["b"], TypeError, r"x\[0\]=\('a',\) of type tuple"),
        (["a"], ["\x03"], ValueError, r"`y\[0\]` holds a character or token"),
    ],
)
def test_bad_inputs(x, y, error, match):
    preprocessor = Seq2SeqPreprocessor(character_tokenizer(), None, 8, 8)
    with pytest.raises(error, match=match):
        preprocessor(x, y)


def test_bad_arguments():
    with pytest.raises(ValueError, match="target_length=0"):
        Seq2SeqPreprocessor(character_tokenizer(), None, 8, 0)
    with pytest.raises(TypeError, match="`target_tokenizer` must be a KerasHub"):
        Seq2SeqPreprocessor(character_tokenizer(), "fr", 8, 8)
