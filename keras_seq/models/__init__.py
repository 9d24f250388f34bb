"""Task models: the functional application base and generation machinery."""

from keras_seq.models.classifier_task import ClassifierTask
from keras_seq.models.generative import GenerativeTask
from keras_seq.models.inference_function import InferenceFunction
from keras_seq.models.recurrent_stacks import RecurrentDecoderStack
from keras_seq.models.recurrent_stacks import RecurrentStack
from keras_seq.models.task import Task
from keras_seq.models.transformer_stacks import TransformerDecoderStack
from keras_seq.models.transformer_stacks import TransformerEncoderStack

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
