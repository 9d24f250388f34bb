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


def _cudnn_accepts(query_shape, key_shape, mask):
    """Runs the layout check of JAX's cuDNN kernel (shapes only, any machine).

    `jax.nn.dot_product_attention(implementation="cudnn")` folds the mask
    into a bias and checks it so before it runs; a mask it refuses makes
    Keras log the error and fall back to a slower kernel.
    """
    jax = pytest.importorskip("jax")
    from jax._src.cudnn import fused_attention_stablehlo as cudnn

    def spec(shape):
        return jax.ShapeDtypeStruct(shape, jax.numpy.bfloat16)

    bias = cudnn.combine_bias_and_mask(None, np.asarray(mask), jax.numpy.bfloat16)
    keywords = dict.fromkeys(
        ("q_seqlen", "kv_seqlen", "q_offsets", "kv_offsets")
        + ("page_table_k", "page_table_v")
    )
    cudnn.check_layout(
        spec(query_shape),
        spec(key_shape),
        spec(key_shape),
        bias,
        layout=cudnn._normalize_layout("BTNH"),
        **keywords,
    )


@pytest.fixture
def kernel_inputs(monkeypatch):
    """Records the shapes and mask of every fused-kernel call."""
    calls = []
    fused = keras.ops.dot_product_attention

    def recorded(query, key, value, mask=None, **kwargs):
        calls.append((tuple(query.shape), tuple(key.shape), mask))
        return fused(query, key, value, mask=mask, **kwargs)

    monkeypatch.setattr(keras.ops, "dot_product_attention", recorded)
    return calls


@pytest.mark.parametrize("causal", [False, True], ids=["padding", "causal_padding"])
def test_a_padded_batch_reaches_the_kernel_in_a_form_cudnn_takes(kernel_inputs, causal):
    x = keras.random.normal((3, 6, 8))
    padding = np.ones((3, 6), bool)
    padding[0, 4:] = False
    MultiHeadSelfAttention(num_heads=2, causal=causal)(x, mask=padding)
    ((query_shape, key_shape, mask),) = kernel_inputs
    mask = keras.ops.convert_to_numpy(mask)
    assert mask.dtype == bool and mask.shape == (3, 1, 6, 6)
    # The broadcast form still masks what the padding masks.
    assert not mask[0, :, :, 4:].any() and mask[1:].all()
    _cudnn_accepts(query_shape, key_shape, mask)


def test_the_check_refuses_the_mask_keras_seq_passed_before(kernel_inputs):
    """The check above can fail: a `(batch, 1, 1, source_time)` mask fails it."""
    with pytest.raises(ValueError, match="Bias must have same seq length"):
        _cudnn_accepts((3, 6, 2, 4), (3, 6, 2, 4), np.ones((3, 1, 1, 6), bool))
