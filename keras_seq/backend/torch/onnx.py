"""ONNX from PyTorch through torch.export (the dynamo exporter).

Keras' own torch ONNX export traces with TorchScript, which fixes the
batch and time axes (LayerNormalization's normalized_shape); here every
axis the input signature leaves open (None) stays dynamic in the file.
"""

import keras
import torch
from keras.src.utils import io_utils


def _dynamic_shapes(specs, names):
    """Example inputs, and a `torch.export.Dim` for each axis of size None."""
    batch = torch.export.Dim("batch")
    examples, shapes = [], []
    # Example sizes of 2 and from 3 up: torch.export fixes an axis of size
    # 0 or 1, and would tie two axes of equal sizes.
    size = 3
    for spec, name in zip(specs, names):
        prefix = "" if len(specs) == 1 else f"{name}_"
        example, dims = [], {}
        for axis, length in enumerate(spec.shape):
            if length is not None:
                example.append(length)
            elif axis == 0:
                example.append(2)
                dims[axis] = batch
            else:
                example.append(size)
                size += 1
                label = "time" if axis == 1 else f"axis{axis}"
                dims[axis] = torch.export.Dim(f"{prefix}{label}")
        dtype = keras.backend.standardize_dtype(spec.dtype or "float32")
        examples.append(torch.ones(example, dtype=getattr(torch, dtype)))
        shapes.append(dims or None)
    return tuple(examples), tuple(shapes)


def export(model, filepath, input_signature, verbose=None, **kwargs):
    """Writes `model`'s forward pass to the ONNX file `filepath`.

    Args:
        model: a `keras.Model`.
        filepath: the `.onnx` file to write.
        input_signature: as for Keras' `model.export`: a list of one
            structure of specs (`keras.InputSpec`, `KerasTensor`) for a
            functional model's inputs.
        verbose: whether to say where the file was written (None: yes).
        **kwargs: `torch.onnx.export`'s options, e.g. `opset_version`.

    Example:

        export(model, "model.onnx", [model.input])
    """
    structure = (
        input_signature[0] if len(input_signature) == 1 else list(input_signature)
    )
    specs = keras.tree.flatten(structure)
    names = [
        getattr(spec, "name", None) or f"input_{index}"
        for index, spec in enumerate(specs)
    ]

    class Forward(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            packed = keras.tree.pack_sequence_as(structure, list(inputs))
            return self.model(packed, training=False)

    examples, dynamic_shapes = _dynamic_shapes(specs, names)
    torch.onnx.export(
        Forward(),
        examples,
        filepath,
        dynamo=True,
        dynamic_shapes=(dynamic_shapes,),  # the one argument `*inputs`
        input_names=names,
        output_names=["output"] if len(model.outputs) == 1 else None,
        verbose=False,
        **kwargs,
    )
    if verbose is None or verbose:
        io_utils.print_msg(f"Saved artifact at '{filepath}'.")
