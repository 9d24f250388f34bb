"""GPT-2 checkpoints (`GPT2LMHeadModel`, `GPT2Model`) as a transformer `CausalLM`.

gpt2, distilgpt2 and their kind: token and learned position embeddings,
pre-norm decoder layers (GELU by its tanh approximation), a final layer
normalization and logits tied to the token embeddings. GPT-2's
projections are `Conv1D`s, kernels already `(in, out)`; its fused
query/key/value projection `c_attn` is split into keras-seq's three.
The model takes and gives GPT-2's own ids (`model(ids)` is
`transformers`' logits); GPT-2's id 0 is "!", so -1 pads
(`CausalLM(padding_id=-1)`): the model reads each id plus one, its token
table gaining a zero row 0 for padding.
"""

import numpy as np

from keras_seq.convert.checkpoint import check_model_type
from keras_seq.convert.encoder_table import norm_rows
from keras_seq.convert.tokenizers import gpt2_tokenizer
from keras_seq.convert.weights import assign

MODEL_TYPES = ("gpt2",)
PREFIXES = ("", "transformer.")
_PROJECTIONS = ("query", "key", "value")


def _with_padding_row(table):
    """GPT-2's token table with a zero row 0 for the padding id (-1, read as 0)."""
    return np.concatenate([np.zeros_like(table[:1]), table], axis=0)


def _fused_part(part, dim, heads, bias=False):
    """One of query, key, value of `c_attn` (`(dim, 3 * dim)`, `(3 * dim,)`)."""

    def take(array):
        piece = array[..., part * dim : (part + 1) * dim]
        return piece.reshape(heads, -1) if bias else piece.reshape(dim, heads, -1)

    return take


def layer_rows(index, dim, heads):
    name, path = f"h.{index}", f"decoder/layer_{index}"
    rows = norm_rows(f"{name}.ln_1", f"{path}/self_attention_norm")
    for part, projection in enumerate(_PROJECTIONS):
        target = f"{path}/self_attention/{projection}"
        rows += [
            (
                f"{name}.attn.c_attn.weight",
                f"{target}/kernel",
                _fused_part(part, dim, heads),
            ),
            (
                f"{name}.attn.c_attn.bias",
                f"{target}/bias",
                _fused_part(part, dim, heads, bias=True),
            ),
        ]
    rows += [
        (
            f"{name}.attn.c_proj.weight",
            f"{path}/self_attention/output/kernel",
            lambda w: w.reshape(heads, -1, dim),
        ),
        (f"{name}.attn.c_proj.bias", f"{path}/self_attention/output/bias", None),
        (f"{name}.mlp.c_fc.weight", f"{path}/intermediate/kernel", None),
        (f"{name}.mlp.c_fc.bias", f"{path}/intermediate/bias", None),
        (f"{name}.mlp.c_proj.weight", f"{path}/feedforward_output/kernel", None),
        (f"{name}.mlp.c_proj.bias", f"{path}/feedforward_output/bias", None),
    ]
    return rows + norm_rows(f"{name}.ln_2", f"{path}/feedforward_norm")


def check_options(checkpoint):
    """Raises a ValueError naming an option keras-seq's decoder lacks."""
    checkpoint.check("scale_attn_weights", (True,), default=True)
    checkpoint.check("scale_attn_by_inverse_layer_idx", (False,), default=False)
    checkpoint.check("add_cross_attention", (False,), default=False)
    checkpoint.check("tie_word_embeddings", (True,), default=True)


def convert(checkpoint, tokenizer=True, **kwargs):
    """A `CausalLM` with the weights (and tokenizer) of `checkpoint`."""
    from keras_seq.applications import CausalLM
    from keras_seq.preprocessing import CausalLMPreprocessor

    check_model_type(checkpoint, MODEL_TYPES)
    check_options(checkpoint)
    config = checkpoint.config
    dim, heads = config["n_embd"], config["n_head"]
    preprocessor = None
    if tokenizer:
        preprocessor = CausalLMPreprocessor(
            gpt2_tokenizer(checkpoint.path), config["n_positions"], padding_id=-1
        )
    model = CausalLM(
        vocabulary_size=config["vocab_size"],
        padding_id=-1,
        max_length=config["n_positions"],
        num_layers=config["n_layer"],
        num_heads=heads,
        hidden_dim=dim,
        intermediate_dim=config.get("n_inner") or 4 * dim,
        dropout=float(config.get("resid_pdrop", 0.0)),
        activation=checkpoint.activation("activation_function"),
        layer_norm_epsilon=float(config.get("layer_norm_epsilon", 1e-5)),
        tie_embeddings=True,
        preprocessor=preprocessor,
        **kwargs,
    )
    table = [
        (
            "wte.weight",
            "decoder/embedding/token_embedding/embeddings",
            _with_padding_row,
        ),
        (
            "wpe.weight",
            "decoder/embedding/position_embedding/position_embeddings",
            None,
        ),
    ]
    for index in range(config["n_layer"]):
        table += layer_rows(index, dim, heads)
    table += norm_rows("ln_f", "decoder/final_norm")
    assign(model, checkpoint, table, PREFIXES)
    return model
