"""LoRA on a Task: `enable_lora`, the adapter file, the merge (KerasHub's names).

A tiny TextClassifier in the default run; the shipped `rotten_tomatoes`
preset, fine-tuned with an adapter and the adapter reloaded onto a fresh
preset, in the slow run.
"""

import os

import keras
import numpy as np
import pytest

from keras_seq.applications import RNNClassifier
from keras_seq.applications import TextClassifier

IDS = np.array(
    [[5, 9, 3, 0], [7, 2, 0, 0], [4, 4, 8, 1], [6, 3, 2, 9]] * 2, dtype="int32"
)
LABELS = np.array([1, 0, 1, 0] * 2)
SENTENCES = ["a gripping, funny film", "dull and far too long"] * 8
SENTENCE_LABELS = np.array([1, 0] * 8)


def _tiny(seed=0):
    keras.utils.set_random_seed(seed)
    return TextClassifier(
        20, 8, classes=2, num_layers=2, hidden_dim=16, intermediate_dim=32, dropout=0.0
    )


def _values(model):
    return {variable.path: np.array(variable) for variable in model.weights}


def _fit(model, x, y, epochs=2):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05))
    model.fit(x, y, batch_size=4, epochs=epochs, verbose=0)


def _adapter_size(model):
    return sum(int(np.prod(v.shape)) for v in model.weights if "/lora_" in v.path)


def test_enable_lora_adapts_query_and_value_and_trains_only_them():
    model = _tiny()
    before = model.predict(IDS, verbose=0)
    model.enable_lora(rank=2)
    adapted = sorted({v.path.rsplit("/", 2)[-2] for v in model.trainable_weights})
    assert adapted == ["query", "value"]
    # Two layers x (query, value): A of the kernel's (hidden 16, heads 2)
    # by rank 2, B rank 2 by head size 8 (EinsumDense's adapter).
    assert _adapter_size(model) == 2 * 2 * (16 * 2 * 2 + 2 * 8)
    trainable = sum(int(np.prod(v.shape)) for v in model.trainable_weights)
    assert trainable == _adapter_size(model)
    assert trainable / model.count_params() < 0.1
    # B starts at zero: the adapted model predicts as before.
    np.testing.assert_allclose(model.predict(IDS, verbose=0), before, atol=1e-6)
    values = _values(model)
    _fit(model, IDS, LABELS)
    moved = sorted(
        p for p, v in _values(model).items() if not np.array_equal(v, values[p])
    )
    assert moved and all("/lora_" in path for path in moved), moved
    assert len(moved) == 8  # every adapter matrix moved


def test_trainable_layer_names_trains_the_head_in_full():
    model = _tiny()
    model.enable_lora(
        2, target_layer_names=["query"], trainable_layer_names=["classifier"]
    )
    paths = {v.path for v in model.trainable_weights}
    assert {"classifier/kernel", "classifier/bias"} <= paths
    assert not any("/value/lora_" in path for path in paths)


def test_adapter_file_reloads_onto_a_fresh_model_and_merges(tmp_path):
    model = _tiny()
    base = tmp_path / "base.weights.h5"
    model.save_weights(base)
    model.enable_lora(rank=2)
    _fit(model, IDS, LABELS)
    tuned = model.predict(IDS, verbose=0)
    path = model.save_lora_weights(tmp_path / "tuned.lora.h5")
    assert os.path.getsize(path) < os.path.getsize(base) / 2
    fresh = _tiny(seed=1)
    fresh.load_weights(base)
    fresh.load_lora_weights(path)
    np.testing.assert_allclose(fresh.predict(IDS, verbose=0), tuned, atol=1e-5)
    # Merged: the same predictions, no adapter left, a plain model's weights.
    count = len(model.weights)
    model.merge_lora_weights()
    assert len(model.weights) == count - 8
    assert not any("lora" in v.path for v in model.weights)
    np.testing.assert_allclose(model.predict(IDS, verbose=0), tuned, atol=1e-5)
    # A `.keras` file of the adapted model holds the merged kernels.
    fresh.save(tmp_path / "tuned.keras")
    loaded = keras.saving.load_model(tmp_path / "tuned.keras")
    np.testing.assert_allclose(loaded.predict(IDS, verbose=0), tuned, atol=1e-5)


def test_lora_refuses_bad_arguments_in_one_line(tmp_path):
    model = _tiny()
    with pytest.raises(ValueError, match="has no LoRA adapters to save"):
        model.save_lora_weights(tmp_path / "a.lora.h5")
    with pytest.raises(ValueError, match="no LoRA adapters to merge"):
        model.merge_lora_weights()
    with pytest.raises(ValueError, match="`rank` must be a positive int"):
        model.enable_lora(0)
    with pytest.raises(ValueError, match="matches no layer that takes LoRA"):
        model.enable_lora(2, target_layer_names=["nothing"])
    model.enable_lora(2)
    with pytest.raises(ValueError, match="already enabled"):
        model.enable_lora(2)
    with pytest.raises(ValueError, match=r"must end in '\.lora\.h5'"):
        model.save_lora_weights(tmp_path / "a.h5")
    other = _tiny()
    other.enable_lora(2, target_layer_names=["key"])
    other.save_lora_weights(tmp_path / "key.lora.h5")
    with pytest.raises(ValueError, match="are on layers"):
        model.load_lora_weights(tmp_path / "key.lora.h5")


def test_a_recurrent_model_names_the_layers_that_take_lora():
    model = RNNClassifier(classes=2, input_shape=(None, 3), hidden_dim=8)
    with pytest.raises(ValueError, match=r"layers that take it: \[.classifier.\]"):
        model.enable_lora(2)


@pytest.mark.slow
def test_lora_on_the_shipped_rotten_tomatoes_preset(tmp_path):
    model = TextClassifier.from_preset("rotten_tomatoes")
    total = model.count_params()
    model.enable_lora(rank=4)
    trainable = sum(int(np.prod(v.shape)) for v in model.trainable_weights)
    # 2 layers x (query, value) x (A: 128 x 4 heads x 4, B: 4 x 32).
    assert trainable == 2 * 2 * (128 * 4 * 4 + 4 * 32)
    assert trainable / total < 0.005
    values = _values(model)
    _fit(model, SENTENCES, SENTENCE_LABELS, epochs=1)
    moved = [p for p, v in _values(model).items() if not np.array_equal(v, values[p])]
    assert moved and all("/lora_" in path for path in moved), moved
    tuned = model.predict(SENTENCES, verbose=0)
    path = model.save_lora_weights(tmp_path / "review.lora.h5")
    assert os.path.getsize(path) < 100_000
    fresh = TextClassifier.from_preset("rotten_tomatoes")
    fresh.load_lora_weights(path)
    np.testing.assert_allclose(fresh.predict(SENTENCES, verbose=0), tuned, atol=1e-5)
    fresh.merge_lora_weights()
    np.testing.assert_allclose(fresh.predict(SENTENCES, verbose=0), tuned, atol=1e-5)
