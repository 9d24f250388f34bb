"""`keras-seq export --quantize int8` and `--format litert`.

LiteRT is written by Keras' exporter from the TensorFlow backend only (JAX
has no LiteRT exporter; PyTorch's needs litert-torch and fixes every
shape): under JAX and PyTorch the command refuses it in one line, as
tested here. The `.tflite` file runs with `ai_edge_litert`'s own
interpreter and gives `predict`'s outputs.
"""

import keras
import numpy as np
import pytest

from keras_seq.cli import main
from keras_seq.serving import Unsupported
from keras_seq.serving import export_model
from tests.serving import exportable
from tests.tiers import default_and_slow
from tests.tiers import default_only_under

BACKEND = keras.backend.backend()
LITERT = BACKEND == "tensorflow"


def _run_litert(path, batch):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    (spec,) = interpreter.get_input_details()
    interpreter.resize_tensor_input(spec["index"], batch.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(spec["index"], batch)
    interpreter.invoke()
    (output,) = interpreter.get_output_details()
    return interpreter.get_tensor(output["index"])


@pytest.mark.skipif(
    not LITERT,
    reason="Keras writes LiteRT files from the TensorFlow backend only; "
    "its one-line refusal elsewhere is tested below",
)
@pytest.mark.parametrize(
    "name",
    default_and_slow(
        ["text_classifier", "vit", "vivit", "sequence_tagger"],
        default={"text_classifier"},
    ),
)
def test_litert_file_matches_predict(name, tmp_path):
    model, batches = exportable.build(name)
    path = tmp_path / f"{name}.tflite"
    exported = export_model(model, str(path), "litert")
    assert exported.names == [model.inputs[0].name]
    for batch in batches:  # two batch sizes (and lengths, for sequences)
        np.testing.assert_allclose(
            _run_litert(path, batch), model.predict(batch, verbose=0), atol=1e-4
        )


@pytest.mark.skipif(
    not LITERT,
    reason="Keras writes LiteRT files from the TensorFlow backend only; "
    "its one-line refusal elsewhere is tested below",
)
def test_int8_litert_file_is_smaller_and_close(tmp_path):
    from keras_seq.applications import TextClassifier

    _, batches = exportable.build("text_classifier")
    # LiteRT's converter leaves tensors of under 1024 values in float.
    keras.utils.set_random_seed(0)
    model = TextClassifier(2000, 16, 2, num_layers=1, hidden_dim=64)
    export_model(model, str(tmp_path / "float.tflite"), "litert")
    export_model(model, str(tmp_path / "int8.tflite"), "litert", quantize="int8")
    size = (tmp_path / "int8.tflite").stat().st_size
    assert size < 0.6 * (tmp_path / "float.tflite").stat().st_size
    for batch in batches:
        np.testing.assert_allclose(
            _run_litert(tmp_path / "int8.tflite", batch),
            model.predict(batch, verbose=0),
            atol=0.02,
        )


@pytest.mark.skipif(
    LITERT,
    reason="under TensorFlow LiteRT export works: the tests above check the file",
)
def test_litert_is_refused_in_one_line_off_tensorflow(tmp_path, capsys):
    model, _ = exportable.build("text_classifier")
    with pytest.raises(Unsupported, match="use --backend tensorflow"):
        export_model(model, str(tmp_path / "m.tflite"), "litert")
    model.save(tmp_path / "m.keras")
    status = main(
        ["export", str(tmp_path / "m.keras"), "m.tflite", "--format", "litert"]
    )
    assert status == 2
    # One line, after the backend line of the commands that load Keras.
    lines = capsys.readouterr().err.strip().splitlines()
    lines = [line for line in lines if not line.startswith("backend: ")]
    assert len(lines) == 1, lines
    assert "litert" in lines[0] and "use --backend tensorflow" in lines[0]


def test_recurrent_litert_is_refused_in_one_line(tmp_path):
    model, _ = exportable.build("rnn_classifier")
    with pytest.raises(Unsupported, match="litert"):
        export_model(model, str(tmp_path / "m.tflite"), "litert")


@pytest.mark.skipif(
    BACKEND == "torch",
    reason="Keras' exporter cannot write a SavedModel from PyTorch (refused in one "
    "line by tests/models/test_task_export.py)",
)
@default_only_under("tensorflow")  # a minute and a half under JAX
def test_export_quantize_int8_writes_a_saved_model_of_the_int8_model(tmp_path):
    import tensorflow as tf

    model, batches = exportable.build("text_classifier")
    model.save(tmp_path / "m.keras")
    status = main(
        [
            "export",
            str(tmp_path / "m.keras"),
            str(tmp_path / "saved"),
            "--format",
            "tf_saved_model",
            "--quantize",
            "int8",
        ]
    )
    assert status == 0
    model.quantize("int8")
    served = tf.saved_model.load(str(tmp_path / "saved"))
    for batch in batches:
        np.testing.assert_allclose(
            served.serve(batch), model.predict(batch, verbose=0), atol=1e-4
        )


def test_onnx_of_the_int8_model_is_refused_in_one_line(tmp_path, capsys):
    model, _ = exportable.build("text_classifier")
    with pytest.raises(Unsupported, match="quantize_dynamic"):
        export_model(model, str(tmp_path / "m.onnx"), "onnx", quantize="int8")
    assert model.quantization_mode is None  # refused before quantizing
    model.save(tmp_path / "m.keras")
    status = main(
        ["export", str(tmp_path / "m.keras"), str(tmp_path / "m.onnx")]
        + ["--format", "onnx", "--quantize", "int8"]
    )
    assert status == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "onnxruntime.quantization.quantize_dynamic" in lines[0]
    assert not (tmp_path / "m.onnx").exists()
