"""BERT checkpoints: logits, pooled features and WordPiece ids match `transformers`."""

import keras
import numpy as np
import pytest

from keras_seq.convert import from_transformers
from tests.convert import checkpoints

TOLERANCE = 1e-4


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_logits_match_on_padded_rows(bert):
    path, reference, _ = bert
    model = from_transformers(path, classifier_activation=None)
    assert model.init_config["pooler"] and not model.init_config["norm_first"]
    rng = np.random.default_rng(0)
    ids = rng.integers(5, reference.config.vocab_size, (3, 10))
    ids[:, 0], ids[1, 6:], ids[2, 3:] = 2, 0, 0
    expected = checkpoints.torch_outputs(
        reference, input_ids=ids, attention_mask=(ids != 0).astype("int64")
    )
    np.testing.assert_allclose(
        _numpy(model(ids)), expected.logits.numpy(), atol=TOLERANCE
    )
    features = keras.Model(model.input, model.get_layer("encoder").output)
    real = ids != 0
    np.testing.assert_allclose(
        _numpy(features(ids))[real],
        expected.hidden_states[-1].numpy()[real],
        atol=TOLERANCE,
    )


def test_preprocessor_gives_the_checkpoints_ids(bert):
    path, _, tokenizer = bert
    model = from_transformers(path)
    preprocessor = model.preprocessor
    texts = checkpoints.sample_strings()
    for text in texts:
        expected = tokenizer(text, add_special_tokens=False)["input_ids"]
        assert [int(i) for i in preprocessor.tokenizer.tokenize(text)] == expected, text
    ids = preprocessor(texts[:8])
    for row, text in zip(ids, texts[:8]):
        expected = tokenizer(text)["input_ids"]  # [CLS] ... [SEP]
        assert row[: len(expected)].tolist() == expected
        assert not row[len(expected) :].any()


def test_predict_texts_matches(bert):
    path, reference, tokenizer = bert
    model = from_transformers(path)
    texts = ["hello world", "the cafe is naive", "it is"]
    encoded = tokenizer(texts, padding=True, return_tensors="np")
    logits = checkpoints.torch_outputs(
        reference,
        input_ids=encoded["input_ids"],
        attention_mask=encoded["attention_mask"],
    ).logits.numpy()
    expected = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(
        model.predict(texts, verbose=0), expected, atol=TOLERANCE
    )


@pytest.mark.slow
def test_fine_tune_save_and_load_under_another_backend(bert, tmp_path):
    model = from_transformers(bert[0])
    texts = ["hello world", "the cafe is naive", "it is"]
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(texts, np.array([0, 1, 2]), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    file = tmp_path / "bert.keras"
    model.save(file)
    loaded = keras.saving.load_model(file)
    np.testing.assert_allclose(
        loaded.predict(texts, verbose=0), model.predict(texts, verbose=0), atol=1e-5
    )
    ids = model.preprocessor(texts)
    other = checkpoints.outputs_under(checkpoints.other_backend(), file, ids, tmp_path)
    np.testing.assert_allclose(other, _numpy(model(ids)), atol=TOLERANCE)


def test_logits_match_on_the_checkpoints_own_ids(bert):
    """Ids from transformers' own tokenizer, as they are: [PAD] is id 0."""
    path, reference, tokenizer = bert
    model = from_transformers(path, tokenizer=False, classifier_activation=None)
    texts = ["hello world", "the cafe is naive", "it"]
    for padding in (False, True):
        batch = texts if padding else texts[:1]
        encoded = tokenizer(batch, padding=padding, return_tensors="np")
        expected = checkpoints.torch_outputs(
            reference,
            input_ids=encoded["input_ids"],
            attention_mask=encoded["attention_mask"],
        ).logits.numpy()
        np.testing.assert_allclose(
            _numpy(model(encoded["input_ids"])), expected, atol=TOLERANCE
        )
