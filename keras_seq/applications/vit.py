import keras

from keras_seq.applications.from_data import FromData
from keras_seq.applications.model_parts import POOLINGS
from keras_seq.applications.model_parts import head
from keras_seq.applications.model_parts import pool
from keras_seq.layers import PatchEmbedding
from keras_seq.layers import TransformerEncoderStack
from keras_seq.models.classifier_task import ClassifierTask
from keras_seq.presets.weights import load_weights
from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_head
from keras_seq.utils.validation import check_input_shape
from keras_seq.utils.validation import check_rate
from keras_seq.utils.validation import check_transformer_sizes


@keras.saving.register_keras_serializable(package="keras_seq")
class ViT(FromData, ClassifierTask):
    """The Vision Transformer (Dosovitskiy et al., 2021): images as patch sequences.

    Images `(batch, height, width, channels)` are cut into `patch_size`
    patches, each linearly embedded, with learned positions; a learned class
    token is prepended (`pooling="class_token"`). A stack of pre-norm
    transformer encoder layers follows, then a final layer normalization,
    and the class token's output (or the mean of the patch outputs,
    `pooling="mean"`) feeds the classification layer.
    Pixel scaling is left to the caller (e.g. `keras.layers.Rescaling`).

    Args:
        input_shape: `(height, width, channels)`, divisible by `patch_size`.
        patch_size: int or `(height, width)` of each patch.
        classes: number of classes; ignored with `include_top=False`.
        num_layers: number of transformer encoder layers.
        num_heads: attention heads per layer; must divide `hidden_dim`.
        hidden_dim: size of each patch token.
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

    >>> model = ViT(input_shape=(28, 28, 1), patch_size=7, classes=10)
    >>> model.compile()
    >>> model.predict(np.zeros((2, 28, 28, 1)), verbose=0).shape
    (2, 10)
    """

    def __init__(
        self,
        input_shape,
        patch_size,
        classes,
        num_layers=2,
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
        input_shape = check_input_shape(input_shape, rank=3)
        if isinstance(patch_size, list):
            patch_size = tuple(patch_size)
        check_transformer_sizes(num_layers, num_heads, hidden_dim, intermediate_dim)
        check_rate("dropout", dropout)
        check_choice("pooling", pooling, POOLINGS)
        check_head(classes, include_top, classifier_activation)
        images = keras.Input(shape=input_shape, name="images")
        x = PatchEmbedding(
            patch_size,
            hidden_dim,
            class_token=pooling == "class_token",
            dtype=dtype,
            name="embedding",
        )(images)
        x = TransformerEncoderStack(
            num_layers,
            num_heads,
            intermediate_dim,
            dropout,
            activation=activation,
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
            images,
            outputs,
            init_config={
                "input_shape": input_shape,
                "patch_size": patch_size,
                "classes": classes,
                "num_layers": num_layers,
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
