"""`keras-seq attention`: the attention map of every layer and head, as a PNG.

The maps come from `keras_seq.serving.attention.attention_maps` (the
stacks' `return_attention_scores=True`). Text models give token x token
maps (a causal model's are lower-triangular); a ViT gives the class
token's attention over the patches, overlaid on the image. Supported:
TextClassifier, CausalLM and Seq2SeqTransformer (the encoder's
self-attention over the source) with a transformer backbone, and ViT.

Example:

    keras-seq attention rotten_tomatoes "a gripping film" --output maps.png
"""

from keras_seq.cli import models
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
from keras_seq.cli.errors import one_line
from keras_seq.cli.predict import read_inputs
from keras_seq.serving.attention import SUPPORTED
from keras_seq.serving.attention import attention_maps


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
    try:
        maps, tokens = attention_maps(loaded.model, inputs[0])
    except (ValueError, TypeError) as error:
        raise UsageError(one_line(error)) from None
    title = f"{loaded.builder} attention ({keras.backend.backend()})"
    if tokens is None:
        plotting.attention_overlay(inputs[0], maps, args.output, title=title)
        shape = (
            f"{len(maps)} layers x {maps[0].shape[0]} heads over {maps[0].shape[1:]}"
        )
    else:
        plotting.attention_maps(maps, tokens, args.output, title=title)
        shape = (
            f"{len(maps)} layers x {maps[0].shape[0]} heads, "
            f"{len(tokens)} x {len(tokens)} tokens"
        )
    print(f"wrote {args.output}: {shape}")
    return 0
