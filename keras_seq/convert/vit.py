"""ViT checkpoints (`ViTModel`, `ViTForImageClassification`) as `ViT`.

google/vit-base-patch16-224 and its kind: a patch embedding (a strided
`Conv2d`), a class token, learned positions, pre-norm layers with exact
GELU, a final layer normalization and a classifier on the class token.
Images are channels-last here, `(batch, height, width, channels)`.
"""

from keras_seq.convert.checkpoint import check_model_type
from keras_seq.convert.encoder_table import encoder_layer_rows
from keras_seq.convert.encoder_table import norm_rows
from keras_seq.convert.images import pixel_scaling
from keras_seq.convert.weights import assign
from keras_seq.convert.weights import convolution
from keras_seq.convert.weights import drop_batch_axis
from keras_seq.convert.weights import linear

MODEL_TYPES = ("vit",)
# `ViTForImageClassification` keeps the backbone under `vit.`.
PREFIXES = ("", "vit.")


def encoder_config(checkpoint):
    """The builder arguments that ViT and ViViT checkpoints share."""
    checkpoint.check("qkv_bias", (True,), default=True)
    config = checkpoint.config
    return {
        "num_layers": config["num_hidden_layers"],
        "num_heads": config["num_attention_heads"],
        "hidden_dim": config["hidden_size"],
        "intermediate_dim": config["intermediate_size"],
        "dropout": float(config.get("hidden_dropout_prob", 0.0)),
        "activation": checkpoint.activation("hidden_act"),
        "layer_norm_epsilon": float(config.get("layer_norm_eps", 1e-12)),
        "pooling": "class_token",
    }


def head_config(checkpoint, classifier_activation):
    """`include_top`, `classes`, the activation: a top where the checkpoint has one."""
    has_top = "classifier.weight" in checkpoint.tensors
    classes = (
        checkpoint.config.get("num_labels")
        or len(checkpoint.config.get("id2label") or {})
        or None
    )
    return {
        "include_top": has_top,
        "classes": classes if has_top else None,
        "classifier_activation": classifier_activation,
    }


def encoder_rows(checkpoint, keras_prefix, heads):
    rows = []
    for index in range(checkpoint.config["num_hidden_layers"]):
        rows += encoder_layer_rows(index, keras_prefix, heads, "vit")
    rows += norm_rows("layernorm", f"{keras_prefix}/final_norm")
    return rows


def embedding_rows():
    return [
        (
            "embeddings.patch_embeddings.projection.weight",
            "embedding/projection/kernel",
            convolution,
        ),
        (
            "embeddings.patch_embeddings.projection.bias",
            "embedding/projection/bias",
            None,
        ),
        ("embeddings.cls_token", "embedding/class_embedding/token", None),
        (
            "embeddings.position_embeddings",
            "embedding/position_embedding/position_embeddings",
            drop_batch_axis,
        ),
    ]


def head_rows(model):
    if not any(layer.name == "classifier" for layer in model.layers):
        return []
    return [
        ("classifier.weight", "classifier/kernel", linear),
        ("classifier.bias", "classifier/bias", None),
    ]


def frame_shape(config):
    """`(height, width, channels)` of one image (or video frame) of `config`."""
    size = config["image_size"]
    size = tuple(size) if isinstance(size, (list, tuple)) else (size, size)
    return (*size, config.get("num_channels", 3))


def convert(checkpoint, classifier_activation="softmax", **kwargs):
    """A `ViT` with the weights (and image preprocessor) of `checkpoint`."""
    from keras_seq.applications import ViT
    from keras_seq.preprocessing import ImagePreprocessor

    check_model_type(checkpoint, MODEL_TYPES)
    config = checkpoint.config
    input_shape = frame_shape(config)
    channels = input_shape[-1]
    scaling = pixel_scaling(checkpoint.path, channels)
    preprocessor = None if scaling is None else ImagePreprocessor(input_shape, *scaling)
    model = ViT(
        input_shape=input_shape,
        patch_size=config["patch_size"],
        **encoder_config(checkpoint),
        **head_config(checkpoint, classifier_activation),
        preprocessor=preprocessor,
        **kwargs,
    )
    heads = config["num_attention_heads"]
    table = (
        embedding_rows() + encoder_rows(checkpoint, "encoder", heads) + head_rows(model)
    )
    assign(model, checkpoint, table, PREFIXES)
    return model
