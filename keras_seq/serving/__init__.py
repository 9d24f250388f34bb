"""Export for serving, and the page of `keras-seq serve`.

Nothing else in keras_seq imports this package: only the `keras-seq
export` and `keras-seq serve` commands do. The page needs the `serve`
extra (`pip install "keras-seq[serve]"`: FastAPI and uvicorn); export
needs TensorFlow for SavedModels and `onnx`/`onnxruntime` (and the
backend's ONNX exporter) for ONNX.
"""

from keras_seq.serving.export import export_model
from keras_seq.serving.support import FORMATS
from keras_seq.serving.support import Unsupported

__all__ = ["FORMATS", "Unsupported", "export_model"]
