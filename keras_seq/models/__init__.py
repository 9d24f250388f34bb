"""Task models: the Task bases, generation and input checks.

The layer stacks of `keras_seq.layers` and `InferenceFunction` of
`keras_seq.backend` are importable from here too.
"""

from keras_seq.backend.inference_function import InferenceFunction
from keras_seq.layers.recurrent_stacks import RecurrentDecoderStack
from keras_seq.layers.recurrent_stacks import RecurrentStack
from keras_seq.layers.transformer_stacks import TransformerDecoderStack
from keras_seq.layers.transformer_stacks import TransformerEncoderStack
from keras_seq.models.classifier_task import ClassifierTask
from keras_seq.models.generative import GenerativeTask
from keras_seq.models.task import Task

__all__ = [
    "ClassifierTask",
    "GenerativeTask",
    "InferenceFunction",
    "RecurrentDecoderStack",
    "RecurrentStack",
    "Task",
    "TransformerDecoderStack",
    "TransformerEncoderStack",
]
