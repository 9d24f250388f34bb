"""`Task.export`, Keras' own `model.export`, on keras_seq's applications.

Each format and backend that `keras-seq export` supports gives a file
whose outputs equal `predict` (onnxruntime for ONNX, `tf.saved_model.load`
for a SavedModel), with no `input_signature` given; what it refuses,
`model.export` refuses in the same line. The applications and the tables
of what exports where are those of tests/serving/test_export.py.
"""

import os

import keras
import numpy as np
import pytest

from keras_seq.backend.support import Unsupported
from tests.serving import default_under
from tests.serving import exportable
from tests.serving.test_export import ONNX_DEFAULT
from tests.serving.test_export import ONNX_OK
from tests.serving.test_export import REFUSED
from tests.tiers import default_and_slow

BACKEND = keras.backend.backend()


@pytest.mark.parametrize(
    "name", default_and_slow(ONNX_OK[BACKEND], ONNX_DEFAULT[BACKEND])
)
def test_onnx_matches_predict(name, tmp_path):
    import onnxruntime

    model, batches = exportable.build(name)
    path = str(tmp_path / f"{name}.onnx")
    model.export(path, format="onnx", verbose=False)
    session = onnxruntime.InferenceSession(path)
    (spec,) = session.get_inputs()
    assert spec.name == model.inputs[0].name
    for batch in batches:  # two batch sizes (and lengths, for sequences)
        (outputs,) = session.run(None, {spec.name: batch})
        np.testing.assert_allclose(
            outputs, model.predict(batch, verbose=0), atol=1e-4, rtol=0
        )


@pytest.mark.skipif(
    BACKEND == "torch",
    reason="Keras' exporter cannot write a SavedModel from PyTorch; the one-line "
    "refusal is tested by test_refusals_are_one_line_as_the_command_says",
)
@pytest.mark.parametrize(
    "name",
    default_and_slow(
        ["text_classifier", "rnn_series", "vit", "vivit", "sequence_tagger_lstm"],
        default={"text_classifier"},
    ),
)
def test_saved_model_matches_predict(name, tmp_path):
    import tensorflow as tf

    model, batches = exportable.build(name)
    path = str(tmp_path / name)
    model.export(path, verbose=False)  # Keras' default format: tf_saved_model
    restored = tf.saved_model.load(path)
    for batch in batches:
        np.testing.assert_allclose(
            restored.serve(tf.constant(batch)).numpy(),
            model.predict(batch, verbose=0),
            atol=1e-5,
            rtol=0,
        )


@default_under("jax")
def test_given_input_signature_is_kept(tmp_path):
    """A fixed batch size given by the caller stays fixed in the file."""
    import onnxruntime

    model, batches = exportable.build("text_classifier")
    signature = [keras.InputSpec(shape=(2, None), dtype="int32", name="token_ids")]
    path = str(tmp_path / "fixed.onnx")
    model.export(path, format="onnx", input_signature=signature, verbose=False)
    session = onnxruntime.InferenceSession(path)
    (spec,) = session.get_inputs()
    assert spec.shape[0] == 2
    (outputs,) = session.run(None, {spec.name: batches[0]})
    np.testing.assert_allclose(
        outputs, model.predict(batches[0], verbose=0), atol=1e-4, rtol=0
    )


@pytest.mark.parametrize(
    "format, name", [(f, n) for (b, f, n) in REFUSED if b == BACKEND]
)
def test_refusals_are_one_line_as_the_command_says(format, name, tmp_path):
    model, _ = exportable.build(name)
    path = str(tmp_path / ("out.onnx" if format == "onnx" else "out"))
    with pytest.raises(Unsupported) as error:
        model.export(path, format=format)
    message = str(error.value)
    assert "\n" not in message and REFUSED[BACKEND, format, name] in message
    assert not os.path.exists(path)
