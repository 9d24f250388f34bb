"""Task models: the functional application base and generation machinery."""

from keras_seq.models.task import Task

__all__ = ["Task"]
