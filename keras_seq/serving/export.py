"""`export_model`: Keras' `model.export` for serving, with the checks it lacks.

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

from keras_seq.serving import support


@dataclasses.dataclass
class Exported:
    """What `export_model` wrote.

    Attributes:
        names: the SavedModel's signatures, or the ONNX file's inputs.
        note: one line on what is left out and why (or None).
    """

    names: list
    note: str = None


def _input_signature(model):
    # Given explicitly: under JAX `predict` leaves `model._called` False and
    # Keras' exporter then refuses a model it thinks was never called.
    return [model.inputs[0]]


def _torch_onnx(model, path):
    """ONNX through torch.export (the dynamo exporter), every None axis dynamic.

    Keras' own torch ONNX export traces with TorchScript, which fixes the
    batch and time axes (LayerNormalization's normalized_shape).
    """
    import torch

    class Forward(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, inputs):
            return self.model(inputs, training=False)

    spec = model.inputs[0]
    # Example sizes of 2 and 3: torch.export fixes an axis of size 0 or 1,
    # and would tie two axes of equal sizes.
    example = [3 if axis else 2 for axis in range(len(spec.shape))]
    names = {0: "batch", 1: "time"}
    dims = {}
    for axis, size in enumerate(spec.shape):
        if size is None:
            dims[axis] = torch.export.Dim(names.get(axis, f"axis{axis}"))
        else:
            example[axis] = size
    inputs = torch.ones(example, dtype=getattr(torch, spec.dtype))
    torch.onnx.export(
        Forward(),
        (inputs,),
        path,
        dynamo=True,
        dynamic_shapes=(dims,),
        input_names=[spec.name],
        output_names=["output"],
        verbose=False,
    )


def _text_tokenizer(model):
    """The tokenizer of a text classifier's preprocessor, or None."""
    from keras_seq.preprocessing import TextClassifierPreprocessor

    preprocessor = getattr(model, "preprocessor", None)
    if isinstance(preprocessor, TextClassifierPreprocessor):
        return preprocessor.tokenizer, preprocessor.sequence_length
    return None, None


def export_model(model, path, format):
    """Exports `model` to `path` as a TensorFlow SavedModel or an ONNX file.

    A SavedModel has the signature `serve` (model inputs, dynamic batch
    and time); a text classifier with a preprocessor also gets
    `serve_text` (and `serving_default`): raw strings, tokenized inside
    the SavedModel. An ONNX file has one input named as the model's,
    with a dynamic batch axis and, for sequences, a dynamic time axis.

    Args:
        model: a keras_seq application (see `support.EXPORTABLE`).
        path: the SavedModel folder, or the `.onnx` file, to write.
        format: `"tf_saved_model"` or `"onnx"`.

    Returns:
        An `Exported`: the SavedModel's signatures (or the ONNX inputs),
        and a note where the tokenizer could not go in (see
        `text_saved_model.graph_matches_eager`).

    Raises:
        Unsupported: where the backend cannot export this model to `format`
            (one line, naming where it can).
    """
    import keras

    support.check(model, format, keras.backend.backend())
    if format == "onnx" and keras.backend.backend() == "torch":
        _torch_onnx(model, path)
        return Exported([model.inputs[0].name])
    if format == "onnx":
        model.export(
            path, format="onnx", input_signature=_input_signature(model), verbose=False
        )
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
        model.export(
            path,
            format="tf_saved_model",
            input_signature=_input_signature(model),
            verbose=False,
        )
        return Exported(["serve"], note)

    with tempfile.TemporaryDirectory() as folder:
        ids_path = os.path.join(folder, "ids")
        model.export(
            ids_path,
            format="tf_saved_model",
            input_signature=_input_signature(model),
            verbose=False,
        )
        if os.path.exists(path):
            shutil.rmtree(path)
        text_saved_model.save(ids_path, path, tokenizer, sequence_length)
    return Exported(["serve", "serve_text", "serving_default"])
