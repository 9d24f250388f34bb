"""`keras-seq export`: a trained model as a SavedModel, an ONNX or a LiteRT file.

Keras' own exporter (`model.export`) writes the artefact; what a backend
cannot export is refused in one line naming where it can be (see
`keras_seq.backend.export_rules` and docs/export.md). A text classifier with
its preprocessor exports with its tokenizer, so the SavedModel takes raw
strings (`serve_text`). `--quantize int8` exports the int8 model
(`keras_seq.serving.export_model`) as a SavedModel or a LiteRT file; ONNX
is refused in one line (onnxruntime cannot run Keras' int8 layers).
"""

import os
import shutil

from keras_seq.cli import models
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
from keras_seq.cli.errors import one_line

# The packages each exporter imports, by backend, and where they come from.
_ONNX_NEEDS = {"tensorflow": "tf2onnx", "jax": "jax2onnx", "torch": "onnxscript"}


def _check_output(path, format, overwrite):
    if os.path.exists(path):
        if not overwrite:
            raise UsageError(f"{path} exists: give another OUTPUT or --overwrite")
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


def run(args):
    suffix = {"onnx": ".onnx", "litert": ".tflite"}.get(args.format)
    if suffix and not args.output.endswith(suffix):
        raise UsageError(
            f"OUTPUT {args.output!r} must be a {suffix} file for --format {args.format}"
        )
    if args.quantize and args.format == "onnx":
        from keras_seq.serving.export import ONNX_INT8_REFUSAL

        raise UsageError(ONNX_INT8_REFUSAL)
    loaded = models.load(args.model)
    import keras

    from keras_seq.backend import support
    from keras_seq.serving import Unsupported
    from keras_seq.serving import export_model

    backend = keras.backend.backend()
    say(f"backend: {backend}")
    try:
        support.check_export(loaded.model, args.format)
    except Unsupported as error:
        raise UsageError(f"cannot export {loaded.source}: {error}") from None
    _check_output(args.output, args.format, args.overwrite)
    try:
        exported = export_model(
            loaded.model, args.output, args.format, quantize=args.quantize
        )
    except ImportError as error:
        needs = {"onnx": _ONNX_NEEDS[backend], "litert": "ai-edge-litert"}.get(
            args.format, "tensorflow"
        )
        raise UsageError(
            f"{args.format} export under {backend} needs {needs} "
            f'(pip install "keras-seq[export]"): {one_line(error)}'
        ) from None
    kind = "inputs" if args.format == "onnx" else "signatures"
    listed = ", ".join(exported.names)
    print(f"wrote {args.output} ({args.format} from {backend}; {kind}: {listed})")
    if exported.note:
        say(f"note: {exported.note}")
    return 0
