"""Held-out figures: what every model card, recipe and `keras-seq` command reports.

`held_out` defines each bundled data set's figure (its examples, metric
and baselines); `metrics` holds the NumPy metrics they use.
"""

from keras_seq.evaluation import held_out
from keras_seq.evaluation import metrics

__all__ = ["held_out", "metrics"]
