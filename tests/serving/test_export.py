"""Export round trips: SavedModels reloaded without keras_seq; ONNX in onnxruntime.

What a backend cannot export is refused in one line, and the tests check
that line (docs/export.md lists the same).
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_seq.serving import Unsupported
from keras_seq.serving import export_model
from tests.serving import default_under
from tests.serving import exportable
from tests.tiers import default_and_slow

BACKEND = keras.backend.backend()
needs_saved_model = pytest.mark.skipif(
    BACKEND == "torch", reason="refused under torch: test_refusals checks the message"
)

# Run in a fresh interpreter: TensorFlow only, keras_seq never imported.
_RELOAD = """
import json, sys
import numpy as np
import tensorflow as tf
import tensorflow_text  # the tokenizers' ops (RegexSplitWithOffsets, ...)
for path, signature, inputs, output in json.loads(sys.argv[1]):
    restored = tf.saved_model.load(path)  # kept: its functions need its variables
    function = getattr(restored, signature)
    if inputs.endswith(".json"):
        value = tf.constant(json.load(open(inputs)))
    else:
        value = tf.constant(np.load(inputs))
    result = function(value)
    if not tf.is_tensor(result):
        result = list(result.values())[0]
    np.save(output, result.numpy())
assert not any(name.startswith("keras_seq") for name in sys.modules), "keras_seq loaded"
"""


def _reload_elsewhere(calls):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", OMP_NUM_THREADS="1")
    result = subprocess.run(
        [sys.executable, "-c", _RELOAD, json.dumps(calls)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd="/",
    )
    assert result.returncode == 0, result.stderr[-3000:]


def _saved_model_case(name, tmp_path):
    """Exports one model; returns the reload calls and the outputs expected."""
    if name == "text_with_tokenizer":
        model, batches = exportable.text_classifier_with_tokenizer()
        batches = [batches]
        signature = "serve_text"
    else:
        model, batches = exportable.build(name)
        signature = "serve"
    path = str(tmp_path / name)
    exported = export_model(model, path, "tf_saved_model")
    assert signature in exported.names and exported.note is None
    calls, expected = [], []
    for index, batch in enumerate(batches):
        if signature == "serve_text":
            inputs = str(tmp_path / f"{name}_{index}.json")
            with open(inputs, "w") as file:
                json.dump(batch, file)
        else:
            inputs = str(tmp_path / f"{name}_{index}.npy")
            np.save(inputs, batch)
        output = str(tmp_path / f"{name}_{index}_out.npy")
        calls.append((path, signature, inputs, output))
        expected.append((output, model.predict(batch, verbose=0)))
    return calls, expected


def _check_saved_models(names, tmp_path):
    calls, expected = [], []
    for name in names:
        more_calls, more_expected = _saved_model_case(name, tmp_path)
        calls += more_calls
        expected += more_expected
    _reload_elsewhere(calls)
    for output, predicted in expected:
        np.testing.assert_allclose(np.load(output), predicted, atol=1e-5, rtol=0)


@needs_saved_model
@default_under("jax")
def test_saved_model_with_tokenizer_takes_strings(tmp_path):
    """A WordPiece tokenizer's tables ship in the SavedModel (keras-hub #2015)."""
    _check_saved_models(["text_with_tokenizer"], tmp_path)


@pytest.mark.slow  # a byte-pair tokenizer's graph takes a minute to trace
def test_byte_pair_tokenizer_is_left_out_because_graph_and_eager_disagree():
    """KerasHub 0.32's BytePairTokenizer: other ids in a graph than eagerly."""
    from keras_seq.preprocessing import train_byte_pair_tokenizer
    from keras_seq.serving import text_saved_model

    texts = ["a gripping film", "a dull film, far too long"] * 3
    bpe = train_byte_pair_tokenizer(texts, vocabulary_size=300)
    assert not text_saved_model.graph_matches_eager(bpe)
    assert text_saved_model.graph_matches_eager(exportable.word_piece_tokenizer())


@needs_saved_model
@pytest.mark.parametrize(
    "name",
    default_and_slow(
        [
            "text_classifier",
            "rnn_classifier",
            "rnn_series",
            "vit",
            "vivit",
            "sequence_tagger",
            "sequence_tagger_lstm",
        ],
        default={"vit"} if BACKEND == "tensorflow" else set(),
    ),
)
def test_saved_model_of_every_application(name, tmp_path):
    _check_saved_models([name], tmp_path)


@needs_saved_model
@pytest.mark.slow
def test_saved_model_of_the_shipped_preset_takes_strings(tmp_path):
    """rotten_tomatoes: a WordPiece tokenizer, exported with the model."""
    import tensorflow as tf

    from keras_seq.applications import TextClassifier

    model = TextClassifier.from_preset("rotten_tomatoes")
    texts = ["a gripping, funny and moving film", "dull", ""]
    export_model(model, str(tmp_path / "rt"), "tf_saved_model")
    restored = tf.saved_model.load(str(tmp_path / "rt"))
    np.testing.assert_allclose(
        restored.serve_text(tf.constant(texts)).numpy(),
        model.predict(texts, verbose=0),
        atol=1e-5,
    )


ONNX_OK = {
    "tensorflow": ["rnn_classifier", "rnn_series", "sequence_tagger_lstm"],
    "jax": [
        "text_classifier",
        "rnn_classifier",
        "vit",
        "rnn_series",
        "sequence_tagger",
        "sequence_tagger_lstm",
    ],
    "torch": ["text_classifier", "vit", "vivit", "sequence_tagger"],
}
ONNX_DEFAULT = {
    "tensorflow": {"rnn_series"},
    "jax": {"text_classifier"},
    "torch": {"text_classifier"},
}


@pytest.mark.parametrize(
    "name",
    default_and_slow(ONNX_OK[BACKEND], ONNX_DEFAULT[BACKEND]),
)
def test_onnx_matches_predict_with_dynamic_axes(name, tmp_path):
    import onnxruntime

    model, batches = exportable.build(name)
    path = str(tmp_path / f"{name}.onnx")
    export_model(model, path, "onnx")
    session = onnxruntime.InferenceSession(path)
    (spec,) = session.get_inputs()
    assert spec.name == model.inputs[0].name
    # The batch axis, and a sequence's time axis, are named, not fixed.
    dynamic = [isinstance(size, str) for size in spec.shape]
    assert dynamic[0] and (
        len(model.inputs[0].shape) < 3 or name in ("vit", "vivit") or dynamic[1]
    )
    for batch in batches:  # two batch sizes (and lengths, for sequences)
        (outputs,) = session.run(None, {spec.name: batch})
        np.testing.assert_allclose(
            outputs, model.predict(batch, verbose=0), atol=1e-4, rtol=0
        )


REFUSED = {
    ("tensorflow", "onnx", "text_classifier"): "GELU",
    ("jax", "onnx", "vivit"): "3-D convolution",
    ("torch", "onnx", "rnn_series"): "use --backend jax",
    ("torch", "tf_saved_model", "vit"): "use --backend tensorflow or jax",
}


@pytest.mark.parametrize(
    "format, name",
    [(f, n) for (b, f, n), words in REFUSED.items() if b == BACKEND and words],
)
def test_refusals_are_one_line(format, name, tmp_path):
    model, _ = exportable.build(name)
    with pytest.raises(Unsupported) as error:
        export_model(model, str(tmp_path / "out"), format)
    message = str(error.value)
    assert "\n" not in message and REFUSED[BACKEND, format, name] in message
    assert not os.path.exists(tmp_path / "out")


@default_under("torch")
def test_generation_export_is_refused_with_what_is_supported(tmp_path):
    from keras_seq.applications import CausalLM

    model = CausalLM(20, 8, num_layers=1, hidden_dim=8, intermediate_dim=8)
    with pytest.raises(Unsupported, match="decode loop.*TextClassifier"):
        export_model(model, str(tmp_path / "lm"), "tf_saved_model")
