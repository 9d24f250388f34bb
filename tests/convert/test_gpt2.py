"""GPT-2 checkpoints: logits, greedy generation and tokens match `transformers`."""

import keras
import numpy as np
import pytest
import torch

from keras_seq.convert import from_transformers
from tests.convert import checkpoints

TOLERANCE = 1e-4
NEW_TOKENS = 32


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_logits_match_on_the_checkpoints_own_ids(gpt2):
    path, reference, tokenizer = gpt2
    model = from_transformers(path, tokenizer=False)
    assert model.preprocessor is None
    ids = np.random.default_rng(0).integers(0, reference.config.vocab_size, (2, 12))
    ids[0, :3] = 0  # GPT-2's "!", a token, not padding
    expected = checkpoints.torch_outputs(reference, input_ids=ids).logits.numpy()
    np.testing.assert_allclose(_numpy(model(ids)), expected, atol=TOLERANCE)
    assert model.padding_id == -1
    # Ids from transformers' own tokenizer, as they are; -1 pads.
    texts = ["Hi!! there", "!"]
    encoded = [tokenizer(text)["input_ids"] for text in texts]
    padded = np.full((2, max(map(len, encoded))), -1)
    for row, row_ids in enumerate(encoded):
        padded[row, : len(row_ids)] = row_ids
        expected = checkpoints.torch_outputs(reference, input_ids=[row_ids]).logits
        logits = _numpy(model(padded))[row, : len(row_ids)]
        np.testing.assert_allclose(logits, expected.numpy()[0], atol=TOLERANCE)


def test_greedy_generation_matches_and_cache_agrees(gpt2):
    path, reference, _ = gpt2
    model = from_transformers(path, tokenizer=False)
    prompt = np.array([[51, 258, 286, 68, 3, 10]])
    with torch.no_grad():
        expected = reference.generate(
            torch.as_tensor(prompt),
            attention_mask=torch.ones_like(torch.as_tensor(prompt)),
            max_new_tokens=NEW_TOKENS,
            min_new_tokens=NEW_TOKENS,
            do_sample=False,
            pad_token_id=0,
        ).numpy()
    length = prompt.shape[1] + NEW_TOKENS
    cached = model.generate(prompt, max_length=length, sampler="greedy")
    np.testing.assert_array_equal(cached, expected)
    # Without the cache: the whole sequence read again for each token (one
    # shape throughout, the rest padding, so that no step compiles again).
    ids = np.full((1, length), -1, "int32")
    ids[:, : prompt.shape[1]] = prompt
    for index in range(prompt.shape[1], length):
        logits = model.predict_on_batch(ids)[:, index - 1]
        ids[:, index] = logits.argmax(-1)
    np.testing.assert_array_equal(ids, expected)
    # Prompts of two lengths, the shorter padded with -1: each row as alone.
    prompts = np.array([[51, 258, 286, 0, 3, 10], [51, 258, -1, -1, -1, -1]])
    both = model.generate(prompts, max_length=12, sampler="greedy")
    alone = model.generate(prompts[1:, :2], max_length=12, sampler="greedy")
    np.testing.assert_array_equal(both[1], alone[0])
    assert (both >= 0).all()


def test_tokenizer_gives_the_checkpoints_ids(gpt2):
    path, _, tokenizer = gpt2
    model = from_transformers(path)
    ours = model.preprocessor.tokenizer
    for text in checkpoints.sample_strings():
        expected = tokenizer(text)["input_ids"]
        ids = [int(i) for i in ours.tokenize(text)]
        assert ids == expected, text
        assert ours.detokenize(expected) == text


@pytest.mark.slow
def test_generate_text_and_fine_tune_save_load(gpt2, tmp_path):
    path, _, _ = gpt2
    model = from_transformers(path)
    text = model.generate("The meaning of", max_length=12, sampler="greedy")
    assert isinstance(text, str) and text.startswith("The meaning of")
    # The preprocessor's ids are the checkpoint's, padded with -1.
    x, y = model.preprocessor(["hello!", "a"])
    assert (x[1, 2:] == -1).all() and (y[1, 2:] == -1).all()
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(
        ["the meaning of it", "hello world", "an apple"], epochs=1, verbose=0
    )
    assert np.isfinite(history.history["loss"]).all()
    file = tmp_path / "gpt2.keras"
    model.save(file)
    loaded = keras.saving.load_model(file)
    ids = np.array([[5, 9, 40, 3], [0, 7, -1, -1]])
    assert loaded.padding_id == -1 and loaded.preprocessor.padding_id == -1
    np.testing.assert_allclose(_numpy(loaded(ids)), _numpy(model(ids)), atol=1e-5)
    other = checkpoints.outputs_under(checkpoints.other_backend(), file, ids, tmp_path)
    np.testing.assert_allclose(other, _numpy(model(ids)), atol=TOLERANCE)
    text = "  the  x!!"
    tokenized = loaded.preprocessor.tokenizer.tokenize(text)
    assert list(tokenized) == list(model.preprocessor.tokenizer.tokenize(text))
