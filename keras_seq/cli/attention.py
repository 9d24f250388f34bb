"""`keras-seq attention`: the attention map of every layer and head, as a PNG.

The model's own layers are run on one input, and each attention sublayer
(`keras_seq.layers.MultiHeadSelfAttention`) is called with
`return_attention_scores=True`, the explicit path that returns the
probabilities. Text models give token x token maps (a causal model's
are lower-triangular); a ViT gives the class token's attention over the
patches, overlaid on the image. Supported: TextClassifier, CausalLM and
Seq2SeqTransformer (the encoder's self-attention over the source) with a
transformer backbone, and ViT.
"""

import numpy as np

from keras_seq.cli import models
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
from keras_seq.cli.predict import preprocess_check
from keras_seq.cli.predict import read_inputs
from keras_seq.cli.tokens import token_text

SUPPORTED = ("TextClassifier", "CausalLM", "Seq2SeqTransformer", "ViT")


def _layer_or_none(model, name):
    try:
        return model.get_layer(name)
    except ValueError:
        return None


def _encoder_scores(stack, x, mask):
    """Runs an encoder stack's layers; each layer's `(heads, T, T)` scores."""
    scores = []
    for layer in stack.transformer_layers:
        x, layer_scores = layer(x, mask=mask, return_attention_scores=True)
        scores.append(layer_scores)
    return scores


def _decoder_scores(stack, x, mask):
    """A decoder-only stack: each layer's causal self-attention scores.

    `TransformerDecoder` returns no scores, so its self-attention sublayer
    is called on the same (normalized, for pre-norm) input the layer gives
    it, and the layer itself then moves `x` on.
    """
    scores = []
    for layer in stack.transformer_layers:
        attended = layer.self_attention_norm(x) if layer.norm_first else x
        _, layer_scores = layer.self_attention(
            attended, mask=mask, return_attention_scores=True
        )
        scores.append(layer_scores)
        x = layer(x, mask=mask)
    return scores


def _numpy(scores):
    import keras

    return [keras.ops.convert_to_numpy(layer)[0].astype("float32") for layer in scores]


def _text_scores(loaded, text):
    model, preprocessor = loaded.model, loaded.model.preprocessor
    builder = loaded.builder
    if builder == "TextClassifier":
        ids = preprocess_check(preprocessor, [text])
        embedding, stack = model.get_layer("embedding"), model.get_layer("encoder")
    elif builder == "Seq2SeqTransformer":
        ids = preprocess_check(preprocessor.generate_preprocess, [text])
        embedding, stack = model.source_embedding, model.encoder_stack
    else:
        ids = preprocess_check(preprocessor.generate_preprocess, [text])
        stack = model.decoder_stack
        embedding = getattr(stack, "embedding", None)
        if not hasattr(stack, "transformer_layers"):
            raise UsageError(
                f"{loaded.source} is a recurrent {builder}: it has no attention to plot"
            )
    length = max(1, int(np.count_nonzero(ids[0])))
    # The layers run at the preprocessor's padded (bucketed) width, not at
    # the text's length: each new shape costs the backend a compilation
    # and its memory (under JAX, 1.1 -> 3.6 GB over 40 lengths), a handful
    # of widths do not. Padded keys are masked; their rows are cut off.
    ids = np.asarray(ids[:1], "int32")
    mask = ids != 0
    x = embedding(ids)
    tokenizer = models.text_tokenizer(preprocessor)
    # Spaces made visible: BPE tokens often begin with one.
    tokens = [
        token_text(tokenizer, int(i)).replace(" ", "\u2423") for i in ids[0, :length]
    ]
    class_token = _layer_or_none(model, "class_token")
    if builder == "TextClassifier" and class_token is not None:
        x = class_token(x)
        mask = np.concatenate([np.ones((1, 1), bool), mask], axis=1)
        tokens = ["[class]", *tokens]
    scorer = _decoder_scores if builder == "CausalLM" else _encoder_scores
    size = len(tokens)
    maps = _numpy(scorer(stack, x, mask))
    return [layer[:, :size, :size] for layer in maps], tokens


def _image_scores(loaded, image):
    model = loaded.model
    embedding = model.get_layer("embedding")
    if not embedding.class_token:
        raise UsageError(
            f"{loaded.source} pools the mean of its patches: it has no class token "
            "whose attention to plot"
        )
    pixels = preprocess_check(model.preprocessor, [image])
    scores = _numpy(
        _encoder_scores(model.get_layer("encoder"), embedding(pixels), None)
    )
    height, width = model.init_config["input_shape"][:2]
    patch = model.init_config["patch_size"]
    patch_height, patch_width = (patch, patch) if isinstance(patch, int) else patch
    grid = (height // patch_height, width // patch_width)
    # The class token's row, over the patches (key 0 is the class token).
    return [layer[:, 0, 1:].reshape(len(layer), *grid) for layer in scores]


def run(args):
    if not args.output.lower().endswith(".png"):
        raise UsageError(f"--output {args.output!r} must be a .png file")
    loaded = models.load(args.model)
    import keras

    from keras_seq import plotting

    say(f"backend: {keras.backend.backend()}")
    if loaded.builder not in SUPPORTED:
        raise UsageError(
            f"{loaded.source} is a {loaded.builder}; attention maps are drawn for "
            f"{', '.join(SUPPORTED)} (transformer backbones)"
        )
    preprocessor = models.require_preprocessor(loaded, "attention")
    inputs, _ = read_inputs(preprocessor, [args.input])
    if len(inputs) != 1:
        raise UsageError(f"give one input; {args.input} holds {len(inputs)}")
    title = f"{loaded.builder} attention ({keras.backend.backend()})"
    if loaded.builder == "ViT":
        maps = _image_scores(loaded, inputs[0])
        plotting.attention_overlay(inputs[0], maps, args.output, title=title)
        shape = (
            f"{len(maps)} layers x {maps[0].shape[0]} heads over {maps[0].shape[1:]}"
        )
    else:
        scores, tokens = _text_scores(loaded, inputs[0])
        plotting.attention_maps(scores, tokens, args.output, title=title)
        shape = (
            f"{len(scores)} layers x {scores[0].shape[0]} heads, "
            f"{len(tokens)} x {len(tokens)} tokens"
        )
    print(f"wrote {args.output}: {shape}")
    return 0
