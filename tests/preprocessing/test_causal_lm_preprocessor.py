import numpy as np
import pytest

from keras_seq.preprocessing import CausalLMPreprocessor
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


@pytest.mark.parametrize("kind", ["bpe", "characters"])
def test_inputs_and_targets_are_the_ids_shifted(bpe, kind):
    tokenizer = bpe if kind == "bpe" else character_tokenizer()
    preprocessor = CausalLMPreprocessor(tokenizer, sequence_length=128)
    start, end = preprocessor.start_token_id, preprocessor.end_token_id
    x, y = preprocessor(HAMLET + FRENCH)
    assert x.dtype == y.dtype == np.int32 and x.shape == y.shape
    lengths = real_lengths(x)
    np.testing.assert_array_equal(lengths, real_lengths(y))
    for text, inputs, targets, n in zip(HAMLET + FRENCH, x, y, lengths):
        ids = tokenizer.tokenize([text])[0]
        assert inputs[:n].tolist() == [start, *ids]
        assert targets[:n].tolist() == [*ids, end]
    assert x.shape[1] == {"bpe": 32, "characters": 64}[kind]


def test_empty_text_is_start_then_end():
    preprocessor = CausalLMPreprocessor(character_tokenizer(), 16)
    x, y = preprocessor([""])
    assert x.shape == (1, 8)
    assert x[0].tolist() == [2] + [0] * 7 and y[0].tolist() == [3] + [0] * 7


def test_long_texts_are_truncated_without_an_end_id():
    preprocessor = CausalLMPreprocessor(character_tokenizer(), 10)
    x, y = preprocessor(["abcdefghijklmnop", "ab"])
    assert x.shape == (2, 10)
    assert x[0].tolist() == [2, *map(ord, "abcdefghi")]
    assert y[0].tolist() == list(map(ord, "abcdefghij"))
    # A text that fits exactly keeps its end id.
    x, y = CausalLMPreprocessor(character_tokenizer(), 10, truncate=False)(["a" * 9])
    assert x.shape == (1, 10) and y[0, -1] == 3
    with pytest.raises(ValueError, match=r"`x\[0\]` is 12 ids long.*the 11 that fit"):
        CausalLMPreprocessor(character_tokenizer(), 10, truncate=False)(["a" * 10])


def test_sample_weight_passes_through_and_y_is_refused():
    preprocessor = CausalLMPreprocessor(character_tokenizer(), 16)
    x, y, weights = preprocessor(["a", "b"], sample_weight=[1.0, 0.5])
    assert weights.tolist() == [1.0, 0.5]
    with pytest.raises(ValueError, match="makes its targets from the texts `x`"):
        preprocessor(["a"], ["b"])


def test_generate_preprocess_has_the_start_id_and_no_end_id(bpe):
    preprocessor = CausalLMPreprocessor(bpe, 64)
    prompts = ["To be, or not", ""]
    prompt_ids = preprocessor.generate_preprocess(prompts)
    assert prompt_ids.dtype == np.int32 and prompt_ids.shape == (2, 8)
    lengths = real_lengths(prompt_ids)
    assert prompt_ids[:, 0].tolist() == [1, 1]
    assert prompt_ids[0, 1 : lengths[0]].tolist() == bpe.tokenize(prompts[:1])[0]
    assert lengths[1] == 1 and 2 not in prompt_ids


def test_generate_preprocess_leaves_room_for_one_token():
    preprocessor = CausalLMPreprocessor(character_tokenizer(), 8)
    prompt_ids = preprocessor.generate_preprocess("abcdefghijk")
    assert prompt_ids.shape == (1, 8) and prompt_ids[0].tolist() == [
        2,
        *map(ord, "abcdef"),
        0,
    ]
    strict = CausalLMPreprocessor(character_tokenizer(), 8, truncate=False)
    assert strict.generate_preprocess("abcdef").shape == (1, 8)
    with pytest.raises(ValueError, match="the 7 that fit"):
        strict.generate_preprocess("abcdefg")


@pytest.mark.parametrize("kind", ["bpe", "characters"])
def test_generate_postprocess_undoes_generate_preprocess(bpe, kind):
    tokenizer = bpe if kind == "bpe" else character_tokenizer()
    preprocessor = CausalLMPreprocessor(tokenizer, 128)
    texts = HAMLET + [text for text in FRENCH if "’" not in text] + [""]
    assert preprocessor.generate_postprocess(
        preprocessor.generate_preprocess(texts)
    ) == (texts)


def test_generate_postprocess_cuts_at_the_end_id_and_padding():
    preprocessor = CausalLMPreprocessor(character_tokenizer(), 16)
    a, b, c = map(ord, "abc")
    generated = np.array(
        [[2, a, b, 3, c, c], [2, a, 0, b, 0, 0], [a, b, c, c, c, c], [2, 3, a, 0, 0, 0]]
    )
    assert preprocessor.generate_postprocess(generated) == ["ab", "a", "abcccc", ""]
    assert preprocessor.generate_postprocess([[2, a, 3], [2, b]]) == ["a", "b"]
    assert preprocessor.generate_postprocess([[]]) == [""]


def test_start_and_end_ids(bpe):
    assert CausalLMPreprocessor(bpe, 8).start_token_id == 1
    assert CausalLMPreprocessor(bpe, 8).end_token_id == 2
    characters = CausalLMPreprocessor(character_tokenizer(), 8)
    assert (characters.start_token_id, characters.end_token_id) == (2, 3)
    assert characters.vocabulary_size == 384


def test_config_round_trip():
    preprocessor = CausalLMPreprocessor(character_tokenizer(), 64, truncate=False)
    revived = from_config(preprocessor)
    assert revived.get_config() == preprocessor.get_config()
    assert_same_outputs(revived(HAMLET), preprocessor(HAMLET))


def test_save_and_load_with_vocabulary_assets(bpe, tmp_path):
    preprocessor = CausalLMPreprocessor(bpe, 32)
    loaded = save_and_load({"lm": preprocessor}, tmp_path / "m.keras")["lm"]
    assert loaded.get_config() == preprocessor.get_config()
    assert loaded.tokenizer.merges == bpe.merges
    assert_same_outputs(loaded(TEXTS), preprocessor(TEXTS))
    prompts = loaded.generate_preprocess(HAMLET)
    assert_same_outputs(prompts, preprocessor.generate_preprocess(HAMLET))
    assert loaded.generate_postprocess(prompts) == HAMLET


@pytest.mark.parametrize(
    "x, error, match",
    [
        ([], ValueError, r"non-empty batch of str. Received: x=\[\]"),
        (["a", b"b", 1.5], TypeError, r"x\[2\]=1.5 of type float"),
        (["a\x02"], ValueError, r"`x\[0\]` holds a character or token"),
        (["<|end|>"], ValueError, "reserves for padding, start or end"),
    ],
)
def test_bad_texts(bpe, x, error, match):
    preprocessor = CausalLMPreprocessor(bpe, 16)
    if x == ["a\x02"]:
        preprocessor = CausalLMPreprocessor(character_tokenizer(), 16)
    with pytest.raises(error, match=match):
        preprocessor(x)
    with pytest.raises(error, match=match):
        preprocessor.generate_preprocess(x)


@pytest.mark.parametrize(
    "token_ids", [[], np.zeros((2, 3), "float32"), np.zeros((2, 3, 1), "int32")]
)
def test_bad_generated_ids(token_ids):
    preprocessor = CausalLMPreprocessor(character_tokenizer(), 16)
    with pytest.raises(ValueError, match="`token_ids` must be a non-empty"):
        preprocessor.generate_postprocess(token_ids)
