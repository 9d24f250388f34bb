"""Which application exports to which format under which backend.

What is refused here fails in the exporters (Keras' exporter, tf2onnx,
jax2onnx, torch.export); each message says where the export works
instead. `keras_seq.backend.support` reads these rules for `Task.export`
(Keras' `model.export`) and for `keras_seq.serving.export_model`.

Example:

>>> "onnx" in FORMATS
True
>>> from keras_seq.applications import RNNClassifier
>>> check(RNNClassifier(classes=2, input_shape=(None, 3)), "onnx", "jax")
"""

FORMATS = ("tf_saved_model", "onnx", "litert")

# The applications whose forward pass is one call on one input.
EXPORTABLE = ("TextClassifier", "RNNClassifier", "ViT", "ViViT", "SequenceTagger")
GENERATORS = ("CausalLM", "Seq2SeqTransformer", "Seq2SeqRNN", "ImageCaptioner")


class Unsupported(ValueError):
    """An export this backend (or Keras' exporter) cannot make; one line."""


def _recurrent(model):
    """Whether the model has no transformer (so no GELU: tf2onnx converts it)."""
    builder = type(model).__name__
    if builder == "RNNClassifier":
        return True
    backbone = model.init_config.get("backbone")
    return builder == "SequenceTagger" and backbone != "transformer"


def check(model, format, backend):
    """Raises `Unsupported` unless `keras-seq export` exports `model` to `format`.

    Args:
        model: the model to export.
        format: `"tf_saved_model"`, `"onnx"` or `"litert"`.
        backend: the Keras backend's name.
    """
    builder = type(model).__name__
    if format not in FORMATS:
        raise Unsupported(
            f"unknown format {format!r}: choose tf_saved_model, onnx or litert"
        )
    if builder in GENERATORS:
        raise Unsupported(
            f"a {builder} generates with a Python decode loop that Keras' exporter "
            "cannot trace; export serves the forward pass of "
            f"{', '.join(EXPORTABLE)} (try it with `keras-seq serve`)"
        )
    if builder not in EXPORTABLE:
        raise Unsupported(f"a {builder} is not one of {', '.join(EXPORTABLE)}")
    check_exporter(model, format, backend)


def check_exporter(model, format, backend):
    """Raises `Unsupported` where `backend`'s exporter fails on `model`'s forward pass.

    The rules hold for the applications of `EXPORTABLE` in the `FORMATS`
    (what `keras-seq export` makes and its tests check); any other model
    or format goes to the exporter as it is.

    Args:
        model: the model to export.
        format: the format of Keras' `model.export`.
        backend: the Keras backend's name.
    """
    builder = type(model).__name__
    if format not in FORMATS or builder not in EXPORTABLE:
        return
    if format == "litert":
        if backend != "tensorflow":
            raise Unsupported(
                "litert is written by Keras' exporter from the tensorflow backend "
                "(jax has none; torch's needs litert-torch and fixes every shape); "
                "use --backend tensorflow"
            )
        if _recurrent(model):
            raise Unsupported(
                f"litert of a {builder} fails: the TFLite converter turns Keras' "
                "recurrent loop into TensorList ops that need the Flex delegate; "
                "export tf_saved_model or onnx instead"
            )
    if format == "tf_saved_model" and backend == "torch":
        raise Unsupported(
            "tf_saved_model from the torch backend fails in Keras' exporter "
            "(its dynamic shapes); use --backend tensorflow or jax"
        )
    if format == "onnx":
        if backend == "torch" and _recurrent(model):
            raise Unsupported(
                f"onnx of a {builder} from the torch backend fails with a dynamic "
                "batch or time axis (Keras' torch recurrent layers loop over "
                "torch.unbind(time) in Python: torch.export fixes the example's "
                "sizes); use --backend jax"
            )
        if backend == "tensorflow" and not _recurrent(model):
            raise Unsupported(
                f"onnx of a {builder} from the tensorflow backend fails: tf2onnx "
                "cannot convert the GELU of its transformer (Erfc); use --backend jax"
            )
        if backend == "jax" and builder == "ViViT":
            raise Unsupported(
                "onnx of a ViViT from the jax backend fails: jax2onnx has no 3-D "
                "convolution of its layout; export tf_saved_model instead"
            )
