import keras
import numpy as np
from keras import ops

from keras_seq.applications.from_data import FromData
from keras_seq.applications.model_parts import POOLINGS
from keras_seq.applications.model_parts import head
from keras_seq.applications.model_parts import pool
from keras_seq.applications.patch_resampling import resample_patch_kernel
from keras_seq.applications.patch_resampling import resample_position_grid
from keras_seq.layers import ClassToken
from keras_seq.layers import FactorisedAttentionEncoder
from keras_seq.layers import PositionalEmbedding
from keras_seq.layers import TransformerEncoderStack
from keras_seq.layers import TubeletEmbedding
from keras_seq.models.classifier_task import ClassifierTask
from keras_seq.presets.weights import load_weights
from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_head
from keras_seq.utils.validation import check_input_shape
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate
from keras_seq.utils.validation import check_size_tuple
from keras_seq.utils.validation import check_transformer_sizes

# ViViT's models 3 and 4: the factorisation of their encoder layers.
FACTORISED_ATTENTION = {
    "factorised_self_attention": "self_attention",
    "factorised_dot_product": "dot_product",
}
VARIANTS = ("spatiotemporal", "factorised_encoder", *FACTORISED_ATTENTION)
TUBELET_INITS = ("central_frame", "filter_inflation")


@keras.saving.register_keras_serializable(package="keras_seq")
class ViViT(FromData, ClassifierTask):
    """The Video Vision Transformer (Arnab et al., 2021): videos as tubelet sequences.

    Videos `(batch, frames, height, width, channels)` are cut into
    `tubelet_size = (t, h, w)` tubelets, each linearly embedded, with
    learned positions. Then either

    - `variant="spatiotemporal"` (ViViT model 1): one pre-norm transformer
      encoder attends over all tubelets of the video at once; or
    - `variant="factorised_encoder"` (ViViT model 2): a spatial encoder
      (`num_layers`) runs on the tubelets of each time slot separately and
      is pooled to one token per slot; those tokens, with learned temporal
      positions, go through a temporal encoder (`num_temporal_layers`).
      Attention costs grow with `slots * patches**2 + slots**2` instead of
      `(slots * patches)**2`;
    - `variant="factorised_self_attention"` (ViViT model 3): each of the
      `num_layers` encoder layers attends over the patches of each time
      slot, then over the slots at each patch position, then runs its
      feed-forward network (`keras_seq.layers.FactorisedAttentionEncoder`);
      attention costs grow with `slots * patches**2 + patches * slots**2`;
    - `variant="factorised_dot_product"` (ViViT model 4): in each encoder
      layer half the heads attend over the patches of each time slot and
      half over the slots at each patch position, concatenated and
      projected as one attention; the cost of model 3 at half the heads
      each, the parameters of model 1.

    Pooling takes a learned class token's output (`"class_token"`, in each
    encoder) or the mean over tokens (`"mean"`). Models 3 and 4 keep the
    `(slots, patches)` grid through every layer, where a class token has
    no place (the paper has none in between): they pool by the mean over
    all tubelets, after the final layer normalization.

    `ViViT.from_vit` initialises any variant from a `ViT` trained on images,
    with the paper's tubelet initialisations.

    Args:
        input_shape: `(frames, height, width, channels)`, divisible by
            `tubelet_size`.
        tubelet_size: int or `(frames, height, width)` of each tubelet.
        classes: number of classes; ignored with `include_top=False`.
        variant: `"spatiotemporal"`, `"factorised_encoder"`,
            `"factorised_self_attention"` or `"factorised_dot_product"`.
        num_layers: encoder layers (of the spatial encoder of the
            factorised encoder).
        num_temporal_layers: layers of the temporal encoder of the
            factorised encoder; defaults to `num_layers`. The other
            variants have no temporal encoder and ignore it.
        num_heads: attention heads per layer; must divide `hidden_dim`.
        hidden_dim: size of each token.
        intermediate_dim: hidden size of each feed-forward network.
        dropout: dropout rate of the encoder layers and the pooled features.
        pooling: `"class_token"` or `"mean"`; None (the default) takes
            `"class_token"` for models 1 and 2, `"mean"` for models 3 and
            4 (which take nothing else).
        activation: of the feed-forward networks: `"gelu"` (exact) or
            `"gelu_approximate"` (tanh), or any Keras activation.
        layer_norm_epsilon: of every layer normalization.
        include_top: whether to end with the classification layer; without
            it the model returns the pooled `(batch, hidden_dim)` features.
        classifier_activation: `"softmax"` (probabilities), None (logits) or
            `"sigmoid"`.
        weights: None, a registered pretrained name, or a `.weights.h5` path.
        preprocessor: None (model inputs), or the `keras_seq.preprocessing`
            preprocessor of raw inputs, saved with the model.
        name: name of the model.
        dtype: dtype policy of every layer (e.g. `"mixed_bfloat16"`); None
            takes the global policy. Variables stay float32 under mixed
            policies, and the classifier's activation computes in float32.

    Example:

    >>> model = ViViT(
    ...     input_shape=(8, 32, 32, 3),
    ...     tubelet_size=(2, 8, 8),
    ...     classes=5,
    ...     variant="factorised_encoder",
    ... )
    >>> model.predict(np.zeros((1, 8, 32, 32, 3)), verbose=0).shape
    (1, 5)
    """

    def __init__(
        self,
        input_shape,
        tubelet_size,
        classes,
        variant="spatiotemporal",
        num_layers=2,
        num_temporal_layers=None,
        num_heads=2,
        hidden_dim=64,
        intermediate_dim=128,
        dropout=0.1,
        pooling=None,
        activation="gelu",
        layer_norm_epsilon=1e-5,
        include_top=True,
        classifier_activation="softmax",
        weights=None,
        preprocessor=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        input_shape = check_input_shape(input_shape, rank=4)
        if isinstance(tubelet_size, list):
            tubelet_size = tuple(tubelet_size)
        check_choice("variant", variant, VARIANTS)
        check_transformer_sizes(num_layers, num_heads, hidden_dim, intermediate_dim)
        if num_temporal_layers is not None:
            check_positive_int("num_temporal_layers", num_temporal_layers)
        check_rate("dropout", dropout)
        factorisation = FACTORISED_ATTENTION.get(variant)
        if pooling is None:
            pooling = "mean" if factorisation else "class_token"
        check_choice("pooling", pooling, POOLINGS)
        if factorisation and pooling != "mean":
            raise ValueError(
                f"`variant={variant!r}` keeps the grid of tubelets in every "
                "layer and has no class token: it pools by the mean, "
                f'`pooling="mean"` (or None). Received: pooling={pooling!r}'
            )
        check_head(classes, include_top, classifier_activation)
        sizes = (num_heads, intermediate_dim, dropout, activation)
        factorised_encoder = variant == "factorised_encoder"
        class_token = pooling == "class_token"

        videos = keras.Input(shape=input_shape, name="videos")
        embedding = TubeletEmbedding(
            tubelet_size,
            hidden_dim,
            class_token=class_token and not factorised_encoder,
            dtype=dtype,
            name="embedding",
        )
        x = embedding(videos)
        if factorised_encoder:
            slots, height, width = embedding.grid_shape
            # Tokens are time-major: each slot's patches are contiguous, so
            # folding the slots into the batch gives one sequence per slot.
            x = ops.reshape(x, (-1, height * width, hidden_dim))
            if class_token:
                x = ClassToken(dtype=dtype, name="spatial_class_token")(x)
            x = TransformerEncoderStack(
                num_layers,
                *sizes,
                layer_norm_epsilon=layer_norm_epsilon,
                dtype=dtype,
                name="spatial_encoder",
            )(x)
            x = pool(x, pooling, dtype=dtype, name="spatial_pooling")
            x = ops.reshape(x, (-1, slots, hidden_dim))
            x = PositionalEmbedding(
                slots, dtype=dtype, name="temporal_position_embedding"
            )(x)
            if class_token:
                x = ClassToken(dtype=dtype, name="temporal_class_token")(x)
            x = TransformerEncoderStack(
                num_temporal_layers or num_layers,
                *sizes,
                layer_norm_epsilon=layer_norm_epsilon,
                dtype=dtype,
                name="temporal_encoder",
            )(x)
        elif factorisation:
            slots, height, width = embedding.grid_shape
            x = ops.reshape(x, (-1, slots, height * width, hidden_dim))
            for index in range(num_layers):
                x = FactorisedAttentionEncoder(
                    num_heads,
                    intermediate_dim,
                    factorisation=factorisation,
                    dropout=dropout,
                    activation=activation,
                    norm_first=True,
                    layer_norm_epsilon=layer_norm_epsilon,
                    dtype=dtype,
                    name=f"encoder_layer_{index}",
                )(x)
            x = keras.layers.LayerNormalization(
                epsilon=layer_norm_epsilon, dtype=dtype, name="encoder_norm"
            )(x)
            x = ops.reshape(x, (-1, slots * height * width, hidden_dim))
        else:
            x = TransformerEncoderStack(
                num_layers,
                *sizes,
                layer_norm_epsilon=layer_norm_epsilon,
                dtype=dtype,
                name="encoder",
            )(x)
        outputs = head(
            pool(x, pooling, dtype=dtype),
            include_top,
            classes,
            classifier_activation,
            dropout=dropout,
            dtype=dtype,
        )
        super().__init__(
            videos,
            outputs,
            init_config={
                "input_shape": input_shape,
                "tubelet_size": tubelet_size,
                "classes": classes,
                "variant": variant,
                "num_layers": num_layers,
                "num_temporal_layers": num_temporal_layers,
                "num_heads": num_heads,
                "hidden_dim": hidden_dim,
                "intermediate_dim": intermediate_dim,
                "dropout": dropout,
                "pooling": pooling,
                "activation": activation,
                "layer_norm_epsilon": layer_norm_epsilon,
                "include_top": include_top,
                "classifier_activation": classifier_activation,
            },
            preprocessor=preprocessor,
            name=name,
            dtype=dtype,
            **kwargs,
        )
        load_weights(self, weights)

    @classmethod
    def from_vit(
        cls,
        vit,
        frames,
        tubelet_frames=2,
        tubelet_init="central_frame",
        variant="spatiotemporal",
        frame_shape=None,
        patch_size=None,
        **kwargs,
    ):
        """A ViViT initialised from a `ViT` trained on images, as in the paper.

        The ViViT takes the ViT's sizes, clips of `frames` frames of
        `frame_shape` and tubelets of `tubelet_frames` frames of
        `patch_size`. Its weights come from the ViT wherever the shapes fit:

        - the tubelet projection from the patch projection, by
          `tubelet_init` (`inflate_patch_kernel`), and its bias; for
          another `patch_size`, the patch projection is first resampled
          (`resample_patch_kernel`: a patch shrunk or enlarged to the new
          size embeds as the ViT embeds it);
        - the positions of each time slot's patches from the ViT's patch
          positions (the same for every slot; resampled to the new grid
          of patches, `resample_position_grid`, where it differs); the
          class token, with its position, from the ViT's;
        - the encoder layers from the ViT's: model 1's encoder, model 2's
          spatial encoder (its temporal encoder and temporal positions
          start afresh), model 3's spatial attention (its temporal
          attention starts at zero, so each layer is the ViT's layer on
          each frame, as in the paper) and model 4's heads (the first half
          of the ViT's heads attend over space, the second half over time);
        - the classifier, if `classes` is the ViT's.

        Args:
            vit: a `keras_seq.applications.ViT` (e.g. `ViT(weights="mnist_vit")`).
            frames: frames of each clip, divisible by `tubelet_frames`.
            tubelet_frames: frames of each tubelet.
            tubelet_init: `"central_frame"` or `"filter_inflation"`.
            variant: the ViViT model, as in `ViViT`.
            frame_shape: `(height, width, channels)` of each frame; by
                default the ViT's input shape. Its channels must be the ViT's.
            patch_size: `(height, width)` (or one int) of each tubelet's
                patch; by default the ViT's. Another size suits frames that
                draw the ViT's images at another scale (digits shrunk to
                half: half the patch size).
            **kwargs: other `ViViT` arguments that keep the shapes of the
                ViT's weights (`classes`, `dropout`, `num_temporal_layers`,
                `preprocessor`, `name`, `dtype`, ...).

        Example:

        >>> from keras_seq.applications import ViT
        >>> vit = ViT(input_shape=(28, 28, 1), patch_size=7, classes=10)
        >>> vivit = ViViT.from_vit(vit, frames=4, tubelet_init="filter_inflation")
        >>> vivit.predict(np.zeros((1, 4, 28, 28, 1)), verbose=0).shape
        (1, 10)
        """
        check_choice("tubelet_init", tubelet_init, TUBELET_INITS)
        config = vit.get_config()
        fixed = ("num_layers", "num_heads", "hidden_dim", "intermediate_dim")
        fixed += ("activation", "layer_norm_epsilon", "input_shape", "tubelet_size")
        changed = sorted(set(kwargs) & set(fixed))
        if changed:
            raise ValueError(
                "`from_vit` takes the ViT's sizes and activation (they fix "
                "its weights' shapes), and the clip's shape from `frames`, "
                "`frame_shape`, `tubelet_frames` and `patch_size`. "
                f"Received: {changed}"
            )
        vit_arguments = fixed[:-2] + ("dropout", "classes", "classifier_activation")
        arguments = {name: config[name] for name in vit_arguments}
        if variant not in FACTORISED_ATTENTION:
            arguments["pooling"] = config["pooling"]
        vit_shape = tuple(config["input_shape"])
        frame_shape = vit_shape if frame_shape is None else tuple(frame_shape)
        if len(frame_shape) != 3 or frame_shape[-1] != vit_shape[-1]:
            raise ValueError(
                "`frame_shape` must be `(height, width, channels)` with the "
                f"ViT's {vit_shape[-1]} channels. Received: frame_shape={frame_shape}"
            )
        if patch_size is None:
            patch_size = config["patch_size"]
        patch_size = check_size_tuple("patch_size", patch_size, 2)
        model = cls(
            input_shape=(frames, *frame_shape),
            tubelet_size=(tubelet_frames, *patch_size),
            variant=variant,
            **{**arguments, **kwargs},
        )
        _copy_vit(vit, model, tubelet_init)
        return model


def inflate_patch_kernel(kernel, frames, tubelet_init):
    """A tubelet projection's kernel from a patch projection's (Arnab et al.).

    Args:
        kernel: `(height, width, channels, dim)`, of a 2-D patch embedding.
        frames: frames of each tubelet.
        tubelet_init: `"central_frame"`: the 2-D kernel at the tubelet's
            central frame (`frames // 2`), zeros at the others, so a
            tubelet embeds as its central frame's patch; or
            `"filter_inflation"`: the 2-D kernel at every frame, divided by
            `frames`, so a tubelet of identical frames embeds as one of them.

    Returns:
        `(frames, height, width, channels, dim)`.

    Example:

    >>> inflate_patch_kernel(np.ones((7, 7, 1, 8)), 2, "filter_inflation").shape
    (2, 7, 7, 1, 8)
    """
    check_choice("tubelet_init", tubelet_init, TUBELET_INITS)
    kernel = np.asarray(kernel)
    if tubelet_init == "filter_inflation":
        return np.repeat(kernel[None], frames, axis=0) / frames
    inflated = np.zeros((frames, *kernel.shape), kernel.dtype)
    inflated[frames // 2] = kernel
    return inflated


def _copy_vit(vit, model, tubelet_init):
    """Sets the weights of the ViViT `model` from `vit` (see `ViViT.from_vit`)."""
    source, target = vit.get_layer("embedding"), model.get_layer("embedding")
    kernel, bias = source.projection.get_weights()
    frames, *patch_size = target.patch_shape
    if tuple(patch_size) != tuple(source.patch_shape):
        kernel = resample_patch_kernel(kernel, patch_size)
    target.projection.set_weights(
        [inflate_patch_kernel(kernel, frames, tubelet_init), bias]
    )
    positions = ops.convert_to_numpy(source.position_embedding.position_embeddings)
    class_token = None
    if source.class_embedding is not None:
        class_token = ops.convert_to_numpy(source.class_embedding.token)
        class_position, positions = positions[:1], positions[1:]
    slots, *grid_shape = target.grid_shape
    if tuple(grid_shape) != tuple(source.grid_shape):
        positions = resample_position_grid(positions, source.grid_shape, grid_shape)
    patch_positions = np.tile(positions, (slots, 1))
    encoder = vit.get_layer("encoder")
    config = model.get_config()
    if config["variant"] == "spatiotemporal":
        if target.class_embedding is not None:
            target.class_embedding.set_weights([class_token])
            patch_positions = np.concatenate([class_position, patch_positions])
        model.get_layer("encoder").set_weights(encoder.get_weights())
    elif config["variant"] == "factorised_encoder":
        if class_token is not None and config["pooling"] == "class_token":
            # The spatial class token comes without a position: it takes its own.
            token = class_token + class_position[None]
            model.get_layer("spatial_class_token").set_weights([token])
        model.get_layer("spatial_encoder").set_weights(encoder.get_weights())
    else:
        for index, layer in enumerate(encoder.transformer_layers):
            _copy_encoder_layer(layer, model.get_layer(f"encoder_layer_{index}"))
        model.get_layer("encoder_norm").set_weights(encoder.final_norm.get_weights())
    target.position_embedding.set_weights([patch_positions])
    vit_config = vit.get_config()
    if config["include_top"] and vit_config["include_top"]:
        if config["classes"] == vit_config["classes"]:
            classifier = vit.get_layer("classifier").get_weights()
            model.get_layer("classifier").set_weights(classifier)


def _copy_encoder_layer(source, target):
    """A ViT encoder layer's weights into a `FactorisedAttentionEncoder`."""
    sublayers = ("self_attention_norm", "intermediate_dense", "output_dense")
    for name in (*sublayers, "feedforward_norm"):
        getattr(target, name).set_weights(getattr(source, name).get_weights())
    attention = source.self_attention.get_weights()
    temporal = target.temporal_attention
    if target.factorisation == "self_attention":
        target.self_attention.set_weights(attention)
        # Zero temporal attention: each layer starts as the ViT's per frame.
        temporal.set_weights([np.zeros(w.shape) for w in temporal.weights])
        return
    # Query, key and value kernels `(dim, heads, head_dim)`, their biases
    # `(heads, head_dim)`, the output kernel `(heads, head_dim, dim)`: each
    # half of the heads to one half of the layer; the output bias once.
    half = source.num_heads // 2
    *projections, output_kernel, output_bias = attention
    spatial = [w[..., :half, :] for w in projections] + [output_kernel[:half]]
    spatial.append(output_bias)
    temporal_weights = [w[..., half:, :] for w in projections]
    temporal_weights += [output_kernel[half:], np.zeros_like(output_bias)]
    target.self_attention.set_weights(spatial)
    temporal.set_weights(temporal_weights)
