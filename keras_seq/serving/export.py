"""`export_model`: `model.export` (`Task.export`) for serving, tokenizer included.

Example:

    >>> from keras_seq.applications import RNNClassifier
    >>> from keras_seq.serving import export_model
    >>> model = RNNClassifier(3, input_shape=(None, 2), hidden_dim=8)
    >>> exported = export_model(model, "rnn", "tf_saved_model")  # doctest: +SKIP
    >>> exported.names  # doctest: +SKIP
    ['serve']
"""

import dataclasses
import os
import shutil
import tempfile

# Measured with Keras 3.15: the int8 model's ONNX file fails in onnxruntime
# (JAX: no int8 Einsum kernel; PyTorch: a Squeeze of the wrong axis).
ONNX_INT8_REFUSAL = (
    "onnx of an int8 model does not run in onnxruntime: export onnx without "
    "--quantize and quantize the file with onnxruntime.quantization."
    "quantize_dynamic, or export tf_saved_model or litert with --quantize int8"
)


@dataclasses.dataclass
class Exported:
    """What `export_model` wrote.

    Attributes:
        names: the SavedModel's signatures, or the ONNX file's inputs.
        note: one line on what is left out and why (or None).
    """

    names: list
    note: str = None


def _text_tokenizer(model):
    """The tokenizer of a text classifier's preprocessor, or None."""
    from keras_seq.preprocessing import TextClassifierPreprocessor

    preprocessor = getattr(model, "preprocessor", None)
    if isinstance(preprocessor, TextClassifierPreprocessor):
        return preprocessor.tokenizer, preprocessor.sequence_length
    return None, None


def export_model(model, path, format, quantize=None):
    """Exports `model` to `path` as a TensorFlow SavedModel, ONNX or LiteRT file.

    A SavedModel has the signature `serve` (model inputs, dynamic batch
    and time); a text classifier with a preprocessor also gets
    `serve_text` (and `serving_default`): raw strings, tokenized inside
    the SavedModel. An ONNX file has one input named as the model's,
    with a dynamic batch axis and, for sequences, a dynamic time axis; so
    has a LiteRT (`.tflite`) file, which runs with `ai_edge_litert`'s
    interpreter (resize its input to the batch's shape).

    Args:
        model: a keras_seq application (see `export_rules.EXPORTABLE` in
            `keras_seq.backend`).
        path: the SavedModel folder, or the `.onnx` or `.tflite` file.
        format: `"tf_saved_model"`, `"onnx"` or `"litert"`.
        quantize: None, or `"int8"`: the SavedModel of the model after
            `model.quantize("int8")` (the model is changed; ONNX is refused,
            `ONNX_INT8_REFUSAL`);
            a LiteRT file quantized by the LiteRT converter's own int8
            (dynamic range: int8 weights, float activations), since the
            converter cannot convert Keras' int8 layers.

    Returns:
        An `Exported`: the SavedModel's signatures (or the ONNX inputs),
        and a note where the tokenizer could not go in (see
        `text_saved_model.graph_matches_eager`).

    Raises:
        Unsupported: where the backend cannot export this model to `format`
            (one line, naming where it can), and for ONNX with `quantize`.
    """
    # Imported here: `keras_seq.serving` is read by the command before Keras.
    from keras_seq.backend import support

    if quantize and format == "onnx":
        from keras_seq.backend.export_rules import Unsupported

        raise Unsupported(ONNX_INT8_REFUSAL)
    support.check_export(model, format)
    if quantize not in (None, "int8"):
        raise ValueError(f"`quantize` must be None or 'int8'. Received: {quantize!r}")
    if format == "litert":
        options = {}
        if quantize:
            import tensorflow as tf

            options["optimizations"] = [tf.lite.Optimize.DEFAULT]
        model.export(path, format="litert", verbose=False, **options)
        return Exported([model.inputs[0].name])
    if quantize:
        model.quantize(quantize)
    if format == "onnx":
        model.export(path, format="onnx", verbose=False)
        return Exported([model.inputs[0].name])
    tokenizer, sequence_length = _text_tokenizer(model)
    note = None
    if tokenizer is not None:
        from keras_seq.serving import text_saved_model

        if not text_saved_model.graph_matches_eager(tokenizer):
            note = (
                f"ids only (serve): this {type(tokenizer).__name__} tokenizes "
                "differently inside a TensorFlow graph than the model's "
                "preprocessor does, so strings would get other ids"
            )
            tokenizer = None
    if tokenizer is None:
        model.export(path, format="tf_saved_model", verbose=False)
        return Exported(["serve"], note)

    with tempfile.TemporaryDirectory() as folder:
        ids_path = os.path.join(folder, "ids")
        model.export(ids_path, format="tf_saved_model", verbose=False)
        if os.path.exists(path):
            shutil.rmtree(path)
        text_saved_model.save(ids_path, path, tokenizer, sequence_length)
    return Exported(["serve", "serve_text", "serving_default"])
