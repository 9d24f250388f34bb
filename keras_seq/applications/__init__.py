"""Ready application models, in the keras.applications style.

Pretrained ones ship as presets: `list_presets()` lists them, and
`Builder.from_preset(name)` or `Builder(weights=name)` loads one, checked,
with its preprocessor. `Builder.from_preset` also loads a preset folder, a
`.keras` file, a folder written by `keras-seq train` and a Hugging Face
checkpoint folder.

Example:

>>> from keras_seq.applications import ViT, list_presets
>>> "mnist_vit" in [info.name for info in list_presets()]
True
>>> model = ViT.from_preset("mnist_vit")
>>> from keras_seq.datasets import mnist
>>> images, labels = mnist.load_data("test")
>>> predicted = model.predict(images[:100], verbose=0).argmax(-1)
>>> bool((predicted == labels[:100]).mean() > 0.9)
True
"""

# The preprocessors are registered with Keras, so that `load_model` restores
# an application saved with its preprocessor.
import keras_seq.preprocessing  # noqa: F401
from keras_seq.applications.causal_lm import CausalLM
from keras_seq.applications.image_captioner import ImageCaptioner
from keras_seq.applications.rnn_classifier import RNNClassifier
from keras_seq.applications.seq2seq_rnn import Seq2SeqRNN
from keras_seq.applications.seq2seq_transformer import Seq2SeqTransformer
from keras_seq.applications.sequence_tagger import SequenceTagger
from keras_seq.applications.text_classifier import TextClassifier
from keras_seq.applications.vit import ViT
from keras_seq.applications.vivit import ViViT
from keras_seq.presets.listing import PresetInfo
from keras_seq.presets.listing import list_presets

__all__ = [
    "CausalLM",
    "ImageCaptioner",
    "PresetInfo",
    "RNNClassifier",
    "Seq2SeqRNN",
    "Seq2SeqTransformer",
    "SequenceTagger",
    "TextClassifier",
    "ViT",
    "ViViT",
    "list_presets",
]
