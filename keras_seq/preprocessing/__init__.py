"""Raw inputs to model inputs: texts, images, clips and series to NumPy batches.

Each preprocessor is a Keras layer that turns one batch of raw inputs
into what an application model takes (see `Preprocessor`), the same on
every backend, and saves with the model that holds it. The text ones use
KerasHub tokenizers arranged so that id 0 pads and start and end ids
exist (`train_byte_pair_tokenizer`, `character_tokenizer`). Batches are
padded to a few bucketed widths (`padded_length`).
"""

from keras_seq.preprocessing.causal_lm_preprocessor import CausalLMPreprocessor
from keras_seq.preprocessing.image_captioner_preprocessor import (
    ImageCaptionerPreprocessor,
)
from keras_seq.preprocessing.image_preprocessor import ImagePreprocessor
from keras_seq.preprocessing.padding import MIN_PADDED_LENGTH
from keras_seq.preprocessing.padding import pad_rows
from keras_seq.preprocessing.padding import padded_length
from keras_seq.preprocessing.preprocessor import Preprocessor
from keras_seq.preprocessing.seq2seq_preprocessor import Seq2SeqPreprocessor
from keras_seq.preprocessing.series_preprocessor import SeriesPreprocessor
from keras_seq.preprocessing.text_classifier_preprocessor import (
    TextClassifierPreprocessor,
)
from keras_seq.preprocessing.text_preprocessor import TextPreprocessor
from keras_seq.preprocessing.tokenizers import END_TOKEN
from keras_seq.preprocessing.tokenizers import PAD_TOKEN
from keras_seq.preprocessing.tokenizers import START_TOKEN
from keras_seq.preprocessing.tokenizers import character_tokenizer
from keras_seq.preprocessing.tokenizers import special_token_ids
from keras_seq.preprocessing.tokenizers import train_byte_pair_tokenizer
from keras_seq.preprocessing.video_preprocessor import VideoPreprocessor

__all__ = [
    "CausalLMPreprocessor",
    "END_TOKEN",
    "ImageCaptionerPreprocessor",
    "ImagePreprocessor",
    "MIN_PADDED_LENGTH",
    "PAD_TOKEN",
    "Preprocessor",
    "START_TOKEN",
    "Seq2SeqPreprocessor",
    "SeriesPreprocessor",
    "TextClassifierPreprocessor",
    "TextPreprocessor",
    "VideoPreprocessor",
    "character_tokenizer",
    "pad_rows",
    "padded_length",
    "special_token_ids",
    "train_byte_pair_tokenizer",
]
