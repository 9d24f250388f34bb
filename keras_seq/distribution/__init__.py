"""Training on many devices with Keras' own engines (`keras.distribution`).

keras-seq adds no distribution code: it gives `keras.distribution.ModelParallel`
the layout of its applications' weights (`layout_map`). Data parallelism
(`keras.distribution.DataParallel`) needs nothing from it. See the guide
docs/distribution.md. `initialize` joins the processes of a run over
several machines (docs/many_machines.md).
"""

from keras_seq.distribution.cluster import initialize
from keras_seq.distribution.layout_map import MEGATRON_RULES
from keras_seq.distribution.layout_map import layout_map
from keras_seq.distribution.layout_map import resolve_builder

__all__ = ["MEGATRON_RULES", "initialize", "layout_map", "resolve_builder"]
