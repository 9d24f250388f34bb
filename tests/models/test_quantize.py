"""`Task.quantize`: Keras' quantization, saved and reloaded on every backend.

Tiny models in the default run: int8, int4 and float8 predict near the
float model and reload quantized from a `.keras` file and a preset (on
this backend and, in a subprocess, another); a tied CausalLM head stays
float and generates the same text after a reload; QLoRA (adapters on an
int8 model) trains and saves. Every shipped preset in int8, scored on its
held-out data against the float figure, is in test_quantize_presets.py
(slow).
"""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_seq.applications import CausalLM
from keras_seq.applications import TextClassifier
from keras_seq.models import Task
from keras_seq.models import quantization
from tests.tiers import default_and_slow
from tests.tiers import default_only_under
from tests.tiers import other_backends

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IDS = np.array(
    [[5, 9, 3, 0], [7, 2, 0, 0], [4, 4, 8, 1], [6, 3, 2, 9]] * 2, dtype="int32"
)
LABELS = np.array([1, 0, 1, 0] * 2)
PROMPTS = np.array([[3, 7, 4], [5, 2, 0]], "int32")
# How far a quantized tiny model's probabilities may move from the float
# model's (per mode: int4 keeps 16 levels a channel; float8's e4m3 keeps 3
# mantissa bits, and TensorFlow's float8 also rounds the activations).
TOLERANCE = {"int8": 0.02, "int4": 0.15, "float8": 0.1}


def _classifier(vocabulary_size=20, hidden_dim=16):
    keras.utils.set_random_seed(0)
    return TextClassifier(
        vocabulary_size,
        8,
        classes=2,
        num_layers=2,
        hidden_dim=hidden_dim,
        intermediate_dim=2 * hidden_dim,
        dropout=0.0,
    )


def _causal_lm(tie_embeddings):
    keras.utils.set_random_seed(0)
    return CausalLM(
        20,
        10,
        num_layers=1,
        num_heads=2,
        hidden_dim=16,
        intermediate_dim=32,
        tie_embeddings=tie_embeddings,
    )


def _modes(model):
    return {
        layer.path: layer.quantization_mode
        for layer in model._flatten_layers(include_self=False)
        if layer.quantization_mode
    }


@pytest.mark.parametrize(
    "mode", default_and_slow(["int8", "int4", "float8"], default={"int8"})
)
def test_quantized_classifier_predicts_near_float_and_reloads(mode, tmp_path):
    model = _classifier()
    floats = model.predict(IDS, verbose=0)
    model.quantize(mode)
    modes = _modes(model)
    assert set(modes.values()) == {mode}
    assert "encoder/layer_0/self_attention/query" in modes
    assert ("embedding/token_embedding" in modes) == (mode != "float8")
    quantized = model.predict(IDS, verbose=0)
    np.testing.assert_allclose(quantized, floats, atol=TOLERANCE[mode])
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert _modes(loaded) == modes
    np.testing.assert_allclose(loaded.predict(IDS, verbose=0), quantized, atol=1e-6)
    model.save_to_preset(tmp_path / "preset")
    preset = TextClassifier.from_preset(str(tmp_path / "preset"))
    assert _modes(preset) == modes
    np.testing.assert_allclose(preset.predict(IDS, verbose=0), quantized, atol=1e-6)


@default_only_under("torch")  # the file sizes are the backends' alike
def test_int8_file_is_at_most_half_the_float_file(tmp_path):
    model = _classifier(vocabulary_size=2000, hidden_dim=64)
    model.save(tmp_path / "float.keras")
    model.quantize("int8")
    model.save(tmp_path / "int8.keras")
    ratio = os.path.getsize(tmp_path / "int8.keras") / os.path.getsize(
        tmp_path / "float.keras"
    )
    assert ratio <= 0.5, ratio


def test_quantize_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="mode.*Received: mode=int2"):
        _classifier().quantize("int2")
    # Keras' calibrated modes need a data set: Task.quantize leaves them out.
    with pytest.raises(ValueError, match="`mode` must be one of 'int8', 'int4'"):
        quantization.check_mode("gptq")


@pytest.mark.parametrize("tie_embeddings", default_and_slow([False, True], {True}))
def test_quantized_causal_lm_generates_and_its_reload_generates_the_same(
    tie_embeddings, tmp_path
):
    model = _causal_lm(tie_embeddings)
    floats = model.predict(IDS, verbose=0)
    before = model.make_generate_function("greedy")
    model.quantize("int8")
    # The compiled generate function read the float variables: made anew.
    assert model.make_generate_function("greedy") is not before
    # A tied head multiplies by the token table itself: it stays float.
    assert ("decoder/embedding/token_embedding" in _modes(model)) != tie_embeddings
    np.testing.assert_allclose(model.predict(IDS, verbose=0), floats, atol=0.05)
    generated = model.generate(PROMPTS, max_length=8, sampler="greedy")
    assert generated.shape == (2, 8)
    model.save(tmp_path / "lm.keras")
    loaded = keras.saving.load_model(tmp_path / "lm.keras")
    np.testing.assert_array_equal(
        loaded.generate(PROMPTS, max_length=8, sampler="greedy"), generated
    )


@default_only_under("torch")  # its cheapest backend; slow elsewhere
def test_qlora_trains_adapters_on_an_int8_model_and_saves(tmp_path):
    model = _classifier()
    model.enable_lora(rank=2)
    model.quantize("int8")
    assert _modes(model)["encoder/layer_0/self_attention/query"] == "int8"
    adapters = {v.path: np.array(v) for v in model.trainable_weights}
    assert adapters and all("/lora_" in path for path in adapters)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05))
    model.fit(IDS, LABELS, batch_size=4, epochs=2, verbose=0)
    assert all(
        not np.array_equal(np.array(v), adapters[v.path])
        for v in model.trainable_weights
    )
    tuned = model.predict(IDS, verbose=0)
    model.save_lora_weights(tmp_path / "q.lora.h5")
    # Saved, the adapters merge into kernels quantized anew.
    model.save(tmp_path / "qlora.keras")
    loaded = keras.saving.load_model(tmp_path / "qlora.keras")
    assert _modes(loaded) == _modes(model)
    np.testing.assert_allclose(loaded.predict(IDS, verbose=0), tuned, atol=0.01)


_PROBE = """
import sys, numpy as np, keras
import keras_seq.applications
from keras_seq.models import Task
path, ids, out = sys.argv[1:]
keras_file = path.endswith(".keras")
model = keras.saving.load_model(path) if keras_file else Task.from_preset(path)
modes = sorted(l.path for l in model._flatten_layers() if l.quantization_mode)
predictions = model.predict(np.load(ids), verbose=0)
np.savez(out, predictions=predictions, modes=np.array(modes))
"""


@pytest.mark.parametrize("backend", other_backends())
@pytest.mark.parametrize("kind", default_and_slow(["keras", "preset"], {"keras"}))
def test_int8_files_load_under_another_backend(kind, backend, tmp_path):
    model = _classifier()
    model.quantize("int8")
    if kind == "keras":
        path = str(tmp_path / "int8.keras")
        model.save(path)
    else:
        path = str(model.save_to_preset(tmp_path / "int8"))
    np.save(tmp_path / "ids.npy", IDS)
    out = tmp_path / "out.npz"
    subprocess.run(
        [sys.executable, "-c", _PROBE, path, str(tmp_path / "ids.npy"), str(out)],
        cwd=REPO,
        env={**os.environ, "KERAS_BACKEND": backend},
        check=True,
        capture_output=True,
        timeout=600,
    )
    with np.load(out) as loaded:
        assert sorted(loaded["modes"]) == sorted(_modes(model))
        np.testing.assert_allclose(
            loaded["predictions"], model.predict(IDS, verbose=0), atol=1e-5
        )


@default_only_under("tensorflow")  # its cheapest backend; slow elsewhere
def test_a_quantized_task_keeps_its_class_through_task_from_preset(tmp_path):
    model = _classifier()
    model.quantize("int8")
    folder = model.save_to_preset(tmp_path / "int8")
    assert type(Task.from_preset(str(folder))) is TextClassifier
