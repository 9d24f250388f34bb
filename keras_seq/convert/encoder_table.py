"""The table of one transformer layer of ViT, ViViT and BERT checkpoints.

Their layers share PyTorch `Linear` projections (query, key, value,
attention output, intermediate, output) and two layer normalizations;
only the names differ, given here per architecture.
"""

from keras_seq.convert.weights import linear
from keras_seq.convert.weights import merge_heads
from keras_seq.convert.weights import split_heads
from keras_seq.convert.weights import split_heads_bias

# keras-seq sublayer: (ViT/ViViT name, BERT name) under `encoder.layer.{i}.`.
LAYER_NAMES = {
    "self_attention/query": ("attention.attention.query", "attention.self.query"),
    "self_attention/key": ("attention.attention.key", "attention.self.key"),
    "self_attention/value": ("attention.attention.value", "attention.self.value"),
    "self_attention/output": ("attention.output.dense", "attention.output.dense"),
    "self_attention_norm": ("layernorm_before", "attention.output.LayerNorm"),
    "intermediate": ("intermediate.dense", "intermediate.dense"),
    "feedforward_output": ("output.dense", "output.dense"),
    "feedforward_norm": ("layernorm_after", "output.LayerNorm"),
}


def norm_rows(name, path):
    """A PyTorch `LayerNorm` (weight, bias) as Keras' (gamma, beta)."""
    return [
        (f"{name}.weight", f"{path}/gamma", None),
        (f"{name}.bias", f"{path}/beta", None),
    ]


def encoder_layer_rows(index, keras_prefix, heads, style):
    """The rows of layer `index`; `style` is `"vit"` or `"bert"`."""
    column = 0 if style == "vit" else 1
    rows = []
    for sublayer, names in LAYER_NAMES.items():
        name = f"encoder.layer.{index}.{names[column]}"
        path = f"{keras_prefix}/layer_{index}/{sublayer}"
        if sublayer.endswith("norm"):
            rows += norm_rows(name, path)
            continue
        if sublayer in (
            "self_attention/query",
            "self_attention/key",
            "self_attention/value",
        ):
            kernel, bias = split_heads(heads), split_heads_bias(heads)
        elif sublayer == "self_attention/output":
            kernel, bias = merge_heads(heads), None
        else:
            kernel, bias = linear, None
        rows += [
            (f"{name}.weight", f"{path}/kernel", kernel),
            (f"{name}.bias", f"{path}/bias", bias),
        ]
    return rows
