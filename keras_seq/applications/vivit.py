import keras
from keras import ops

from keras_seq.applications.model_parts import POOLINGS
from keras_seq.applications.model_parts import head
from keras_seq.applications.model_parts import pool
from keras_seq.applications.weights import load_weights
from keras_seq.layers import ClassToken
from keras_seq.layers import PositionalEmbedding
from keras_seq.layers import TubeletEmbedding
from keras_seq.models import TransformerEncoderStack
from keras_seq.models.classifier_task import ClassifierTask
from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_head
from keras_seq.utils.validation import check_input_shape
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate
from keras_seq.utils.validation import check_transformer_sizes

VARIANTS = ("spatiotemporal", "factorised_encoder")


@keras.saving.register_keras_serializable(package="keras_seq")
class ViViT(ClassifierTask):
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
      `(slots * patches)**2`.

    Pooling takes a learned class token's output (`"class_token"`, in each
    encoder) or the mean over tokens (`"mean"`).

    Args:
        input_shape: `(frames, height, width, channels)`, divisible by
            `tubelet_size`.
        tubelet_size: int or `(frames, height, width)` of each tubelet.
        classes: number of classes; ignored with `include_top=False`.
        variant: `"spatiotemporal"` or `"factorised_encoder"`.
        num_layers: encoder layers (of the spatial encoder when factorised).
        num_temporal_layers: layers of the temporal encoder of the
            factorised variant; defaults to `num_layers`.
        num_heads: attention heads per layer; must divide `hidden_dim`.
        hidden_dim: size of each token.
        intermediate_dim: hidden size of each feed-forward network.
        dropout: dropout rate of the encoder layers and the pooled features.
        pooling: `"class_token"` or `"mean"`.
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
        pooling="class_token",
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
        check_choice("pooling", pooling, POOLINGS)
        check_head(classes, include_top, classifier_activation)
        sizes = (num_heads, intermediate_dim, dropout, activation)
        factorised = variant == "factorised_encoder"
        class_token = pooling == "class_token"

        videos = keras.Input(shape=input_shape, name="videos")
        embedding = TubeletEmbedding(
            tubelet_size,
            hidden_dim,
            class_token=class_token and not factorised,
            dtype=dtype,
            name="embedding",
        )
        x = embedding(videos)
        if factorised:
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
