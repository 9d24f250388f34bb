"""ViViT checkpoints (`VivitModel`, `VivitForVideoClassification`) as `ViViT`.

google/vivit-b-16x2-kinetics400 and its kind: ViViT's model 1
(`variant="spatiotemporal"`), a tubelet embedding (a strided `Conv3d`),
a class token, learned positions, pre-norm layers (GELU by its tanh
approximation, `gelu_fast`), a final layer normalization and a
classifier on the class token. Videos are channels-last here,
`(batch, frames, height, width, channels)`.
"""

from keras_seq.convert.checkpoint import check_model_type
from keras_seq.convert.images import pixel_scaling
from keras_seq.convert.vit import embedding_rows
from keras_seq.convert.vit import encoder_config
from keras_seq.convert.vit import encoder_rows
from keras_seq.convert.vit import frame_shape
from keras_seq.convert.vit import head_config
from keras_seq.convert.vit import head_rows
from keras_seq.convert.weights import assign

MODEL_TYPES = ("vivit",)
PREFIXES = ("", "vivit.")


def convert(checkpoint, classifier_activation="softmax", **kwargs):
    """A `ViViT` with the weights (and video preprocessor) of `checkpoint`."""
    from keras_seq.applications import ViViT
    from keras_seq.preprocessing import VideoPreprocessor

    check_model_type(checkpoint, MODEL_TYPES)
    config = checkpoint.config
    input_shape = (config["num_frames"], *frame_shape(config))
    channels = input_shape[-1]
    scaling = pixel_scaling(checkpoint.path, channels)
    preprocessor = None if scaling is None else VideoPreprocessor(input_shape, *scaling)
    model = ViViT(
        input_shape=input_shape,
        tubelet_size=tuple(config["tubelet_size"]),
        variant="spatiotemporal",
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
