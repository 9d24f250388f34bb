"""The attention maps of a trained model on one input, as NumPy arrays.

The model's own embedding and transformer stack run on the input with
`return_attention_scores=True` (see `keras_seq.layers.TransformerEncoderStack`
and `TransformerDecoderStack`), the explicit path that returns the
probabilities. Text models give token x token maps (a causal model's are
lower-triangular); a ViT gives the class token's attention over the
patches, on the patch grid. Supported: TextClassifier, CausalLM and
Seq2SeqTransformer (the encoder's self-attention over the source) with a
transformer backbone, and ViT with a class token. `keras-seq attention`
plots these maps, and the page of `keras-seq serve` shows the last
layer's.

Example:

>>> from keras_seq.applications import TextClassifier
>>> model = TextClassifier.from_preset("rotten_tomatoes")
>>> maps, tokens = attention_maps(model, "a gripping film")
>>> maps[-1].shape == (maps[-1].shape[0], len(tokens), len(tokens))
True
"""

import numpy as np

from keras_seq.serving.tokens import text_tokenizer
from keras_seq.serving.tokens import token_text

SUPPORTED = ("TextClassifier", "CausalLM", "Seq2SeqTransformer", "ViT")


def _layer_or_none(model, name):
    try:
        return model.get_layer(name)
    except ValueError:
        return None


def _first_example(scores):
    """Each layer's `(heads, T, T)` scores of the first example, float32."""
    import keras

    return [keras.ops.convert_to_numpy(layer)[0].astype("float32") for layer in scores]


def _stack_scores(stack, x, mask):
    """An encoder stack's scores on embedded `x`."""
    _, scores = stack(x, mask=mask, return_attention_scores=True)
    return _first_example(scores)


def _decoder_scores(stack, ids):
    """A decoder-only stack's causal scores on token `ids`."""
    _, scores = stack(ids, return_attention_scores=True)
    return _first_example(scores)


def text_attention(model, text):
    """Every layer's self-attention over the tokens of `text`.

    Args:
        model: a TextClassifier, CausalLM or Seq2SeqTransformer with a
            transformer backbone and its preprocessor.
        text: one string.

    Returns:
        `(maps, tokens)`: one `(heads, tokens, tokens)` float32 array per
        layer, rows attending to columns, and the text of each token
        (spaces shown as `␣`; a class token as `[class]`).
    """
    builder = type(model).__name__
    preprocessor = model.preprocessor
    if builder == "TextClassifier":
        ids = preprocessor([text])
        embedding, stack = model.get_layer("embedding"), model.get_layer("encoder")
    elif builder in ("Seq2SeqTransformer", "CausalLM"):
        ids = preprocessor.generate_preprocess([text])
        if builder == "Seq2SeqTransformer":
            embedding, stack = model.source_embedding, model.encoder_stack
        else:
            stack = model.decoder_stack
            if not hasattr(stack, "transformer_layers"):
                raise ValueError(
                    f"this {builder} is recurrent: it has no attention to plot"
                )
    else:
        raise ValueError(
            f"`model` must be one of {', '.join(SUPPORTED[:3])} (transformer "
            f"backbones). Received: a {builder}"
        )
    padding_id = getattr(model, "padding_id", 0)
    length = max(1, int(np.count_nonzero(ids[0] != padding_id)))
    # The layers run at the preprocessor's padded (bucketed) width, not at
    # the text's length: each new shape costs the backend a compilation
    # and its memory, a handful of widths do not. Padded keys are masked;
    # their rows are cut off.
    ids = np.asarray(ids[:1], "int32")
    tokenizer = text_tokenizer(preprocessor)
    # Spaces made visible: BPE tokens often begin with one.
    tokens = [
        token_text(tokenizer, int(i)).replace(" ", "\u2423") for i in ids[0, :length]
    ]
    if builder == "CausalLM":
        maps = _decoder_scores(stack, ids - padding_id)  # the stack's ids
    else:
        mask = ids != 0
        x = embedding(ids)
        class_token = _layer_or_none(model, "class_token")
        if builder == "TextClassifier" and class_token is not None:
            x = class_token(x)
            mask = np.concatenate([np.ones((1, 1), bool), mask], axis=1)
            tokens = ["[class]", *tokens]
        maps = _stack_scores(stack, x, mask)
    size = len(tokens)
    return [layer[:, :size, :size] for layer in maps], tokens


def image_attention(model, image):
    """Every layer's attention of a ViT's class token over the patches.

    Args:
        model: a ViT with a class token and its preprocessor.
        image: one `(height, width, channels)` image.

    Returns:
        One `(heads, rows, columns)` float32 array per layer, on the grid
        of patches.
    """
    embedding = model.get_layer("embedding")
    if not embedding.class_token:
        raise ValueError(
            "this ViT pools the mean of its patches: it has no class token "
            "whose attention to plot"
        )
    pixels = model.preprocessor([image])
    scores = _stack_scores(model.get_layer("encoder"), embedding(pixels), None)
    height, width = model.init_config["input_shape"][:2]
    patch = model.init_config["patch_size"]
    patch_height, patch_width = (patch, patch) if isinstance(patch, int) else patch
    grid = (height // patch_height, width // patch_width)
    # The class token's row, over the patches (key 0 is the class token).
    return [layer[:, 0, 1:].reshape(len(layer), *grid) for layer in scores]


def attention_maps(model, input):
    """The attention maps of `model` on one raw input.

    Args:
        model: one of `SUPPORTED`, with its preprocessor.
        input: a string (text models) or an image (a ViT).

    Returns:
        `(maps, tokens)`: for text, as `text_attention`; for a ViT, the
        maps of `image_attention` and None.
    """
    if type(model).__name__ == "ViT":
        return image_attention(model, input), None
    return text_attention(model, input)
