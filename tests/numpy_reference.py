"""Plain NumPy forward passes of the transformer layers, read off their weights.

Written from the equations (Vaswani et al. 2017), not from keras_seq's code,
so agreement is evidence that the layers compute what they claim.
"""

import numpy as np
from keras import ops


def _numpy(variable):
    return ops.convert_to_numpy(variable).astype("float64")


def softmax(x, axis=-1):
    x = x - x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def layer_norm(x, layer):
    mean = x.mean(-1, keepdims=True)
    variance = x.var(-1, keepdims=True)
    normed = (x - mean) / np.sqrt(variance + layer.epsilon)
    return normed * _numpy(layer.gamma) + _numpy(layer.beta)


def attention(layer, x, context=None, key_mask=None, causal=False):
    """Multi-head attention, `layer` a built MultiHeadSelfAttention."""
    context = x if context is None else context

    def project(dense, inputs):
        return np.einsum("btd,dnh->btnh", inputs, _numpy(dense.kernel)) + _numpy(
            dense.bias
        )

    q, k, v = (
        project(layer.query_dense, x),
        project(layer.key_dense, context),
        project(layer.value_dense, context),
    )
    logits = np.einsum("btnh,bsnh->bnts", q, k) / np.sqrt(q.shape[-1])
    allowed = np.ones(logits.shape, bool)
    if key_mask is not None:
        allowed &= key_mask[:, None, None, :].astype(bool)
    if causal:
        allowed &= np.tril(np.ones(logits.shape[-2:], bool))
    logits = np.where(allowed, logits, -1e9)
    heads = np.einsum("bnts,bsnh->btnh", softmax(logits), v)
    output = layer.output_dense
    return np.einsum("btnh,nhd->btd", heads, _numpy(output.kernel)) + _numpy(
        output.bias
    )


def _dense(layer, x):
    return x @ _numpy(layer.kernel) + _numpy(layer.bias)


def _residual(block_layer, x, norm, sublayer):
    if block_layer.norm_first:
        return x + sublayer(layer_norm(x, norm))
    return layer_norm(x + sublayer(x), norm)


def _feedforward(block_layer, x):
    def network(y):
        return _dense(
            block_layer.output_dense,
            np.maximum(_dense(block_layer.intermediate_dense, y), 0),
        )

    return _residual(block_layer, x, block_layer.feedforward_norm, network)


def encoder(layer, x, mask=None):
    """TransformerEncoder with relu activation and no dropout."""
    x = _residual(
        layer,
        x,
        layer.self_attention_norm,
        lambda y: attention(layer.self_attention, y, key_mask=mask),
    )
    return _feedforward(layer, x)


def decoder(layer, x, encoder_outputs=None, mask=None, encoder_mask=None):
    """TransformerDecoder with relu activation and no dropout."""
    x = _residual(
        layer,
        x,
        layer.self_attention_norm,
        lambda y: attention(layer.self_attention, y, key_mask=mask, causal=True),
    )
    if encoder_outputs is not None:
        x = _residual(
            layer,
            x,
            layer.cross_attention_norm,
            lambda y: attention(
                layer.cross_attention, y, context=encoder_outputs, key_mask=encoder_mask
            ),
        )
    return _feedforward(layer, x)
