"""Keras callbacks for training sequence models."""

from keras_seq.callbacks.gradient_norm_monitor import GradientNormMonitor

__all__ = ["GradientNormMonitor"]
