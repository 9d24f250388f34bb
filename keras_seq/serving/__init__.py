"""Export for serving, the page of `keras-seq serve`, and what it asks a model.

`service.Service` answers the page with the public functions the command
uses too: `attention` (attention maps), `predictions` (what a model
reads, a tagger's steps), `streaming` (token-by-token generation) and
`tokens` (token ids as text). Nothing else in keras_seq imports this
package; the `keras-seq` command does. The page needs the `serve`
extra (`pip install "keras-seq[serve]"`: FastAPI and uvicorn); export
needs TensorFlow for SavedModels and `onnx`/`onnxruntime` (and the
backend's ONNX exporter) for ONNX.
"""

from keras_seq.backend.export_rules import FORMATS
from keras_seq.backend.export_rules import Unsupported
from keras_seq.serving.export import export_model

__all__ = ["FORMATS", "Unsupported", "export_model"]
