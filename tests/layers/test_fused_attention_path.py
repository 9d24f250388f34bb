"""The fused attention kernel is what runs, unless scores or dropout need more.

`keras.ops.dot_product_attention` (each backend's fused kernel, flash
attention where the hardware has one) must serve training, inference and
generation; the explicit path, which materialises the probabilities, only
`return_attention_scores=True` and attention dropout while training (no
fused kernel applies dropout), and on TensorFlow the decoding steps over
the heads-first key/value cache (TensorFlow has no fused kernel: its
`dot_product_attention` is einsums that would copy the cache twice per
step). A refactor that falls back silently fails here, on every backend.
"""

import keras
import numpy as np
import pytest

from keras_seq.applications import CausalLM
from keras_seq.applications import TextClassifier
from keras_seq.layers import MultiHeadSelfAttention

SIZES = {"num_layers": 2, "num_heads": 2, "hidden_dim": 16, "intermediate_dim": 32}


@pytest.fixture
def paths(monkeypatch):
    """Counts the calls of the fused kernel and of the explicit path."""
    counts = {"fused": 0, "explicit": 0}
    fused = keras.ops.dot_product_attention
    explicit = MultiHeadSelfAttention._explicit_attention

    def counted_fused(*args, **kwargs):
        counts["fused"] += 1
        return fused(*args, **kwargs)

    def counted_explicit(self, *args, **kwargs):
        counts["explicit"] += 1
        return explicit(self, *args, **kwargs)

    monkeypatch.setattr(keras.ops, "dot_product_attention", counted_fused)
    monkeypatch.setattr(MultiHeadSelfAttention, "_explicit_attention", counted_explicit)
    return counts


def _ids(rows=4, time=8, vocabulary=20):
    ids = np.random.default_rng(0).integers(1, vocabulary, size=(rows, time))
    ids[0, 5:] = 0
    return ids.astype("int32")


def test_training_and_inference_take_the_fused_kernel(paths):
    model = TextClassifier(20, 8, 2, dropout=0.0, **SIZES)
    model.compile()
    model.fit(_ids(), np.array([0, 1, 0, 1]), epochs=1, verbose=0)
    model.predict(_ids(), verbose=0)
    assert paths["fused"] > 0 and paths["explicit"] == 0


def test_generation_takes_the_fused_kernel_where_it_reads_the_cache_in_place(paths):
    model = CausalLM(20, max_length=12, **SIZES)
    model.generate(_ids(time=3), max_length=12)
    if keras.backend.backend() == "tensorflow":
        assert paths["fused"] == 0 and paths["explicit"] > 0
    else:
        assert paths["fused"] > 0 and paths["explicit"] == 0


def test_only_scores_and_attention_dropout_take_the_explicit_path(paths):
    x = keras.random.normal((2, 5, 8))
    attention = MultiHeadSelfAttention(num_heads=2, dropout=0.5)
    attention(x)
    attention(x, training=False)
    assert paths == {"fused": 2, "explicit": 0}
    attention(x, return_attention_scores=True)
    attention(x, training=True)
    assert paths == {"fused": 2, "explicit": 2}
