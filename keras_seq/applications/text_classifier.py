import keras

from keras_seq.applications.from_data import FromData
from keras_seq.applications.model_parts import POOLINGS
from keras_seq.applications.model_parts import head
from keras_seq.applications.model_parts import pool
from keras_seq.layers import ClassToken
from keras_seq.layers import TokenAndPositionEmbedding
from keras_seq.layers import TransformerEncoderStack
from keras_seq.models.classifier_task import ClassifierTask
from keras_seq.presets.weights import load_weights
from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_head
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate
from keras_seq.utils.validation import check_transformer_sizes
from keras_seq.utils.validation import check_vocabulary_size


@keras.saving.register_keras_serializable(package="keras_seq")
class TextClassifier(FromData, ClassifierTask):
    """A transformer encoder that classifies sequences of token ids.

    Token ids `(batch, time)` (0 = padding, `time <= max_length`) are
    embedded with learned positions, run through `num_layers` pre-norm
    transformer encoder layers that never attend to padding (and a final
    layer normalization), and pooled over the real
    tokens only: their mean (`pooling="mean"`), or the output of a learned
    class token prepended to the sequence (`pooling="class_token"`, as in
    BERT). So the prediction of a sequence does not depend on how much
    padding follows it.

    Args:
        vocabulary_size: number of token ids, padding included.
        max_length: the longest sequence, in tokens.
        classes: number of classes; ignored with `include_top=False`.
        num_layers: number of transformer encoder layers.
        num_heads: attention heads per layer; must divide `hidden_dim`.
        hidden_dim: size of the embeddings and of each token's features.
        intermediate_dim: hidden size of each feed-forward network.
        dropout: dropout rate of the embeddings, the encoder layers and the
            pooled features.
        pooling: `"mean"`, `"class_token"` or `"first_token"` (the output
            of the first token, a class token the tokenizer adds: BERT's
            `[CLS]`).
        pooler: whether the pooled features pass a dense layer with tanh
            (BERT's pooler) before the head.
        activation: of the feed-forward networks: `"gelu"` (exact) or
            `"gelu_approximate"` (tanh), or any Keras activation.
        layer_norm_epsilon: of every layer normalization.
        norm_first: pre-norm layers and a final normalization (True), or,
            as BERT, normalized embeddings and post-norm layers (False).
        num_token_types: None, or the number of token types (BERT's
            segments) whose embeddings are added (type 0 for every token).
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

    >>> model = TextClassifier(vocabulary_size=1000, max_length=64, classes=2)
    >>> model.compile()
    >>> model.predict(np.array([[12, 7, 99, 0, 0]]), verbose=0).shape
    (1, 2)
    """

    def __init__(
        self,
        vocabulary_size,
        max_length,
        classes,
        num_layers=2,
        num_heads=2,
        hidden_dim=64,
        intermediate_dim=128,
        dropout=0.1,
        pooling="mean",
        pooler=False,
        activation="gelu",
        layer_norm_epsilon=1e-5,
        norm_first=True,
        num_token_types=None,
        include_top=True,
        classifier_activation="softmax",
        weights=None,
        preprocessor=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        check_vocabulary_size("vocabulary_size", vocabulary_size)
        check_positive_int("max_length", max_length)
        check_transformer_sizes(num_layers, num_heads, hidden_dim, intermediate_dim)
        check_rate("dropout", dropout)
        check_choice("pooling", pooling, (*POOLINGS, "first_token"))
        check_head(classes, include_top, classifier_activation)
        token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        x = TokenAndPositionEmbedding(
            vocabulary_size,
            max_length,
            hidden_dim,
            num_token_types=num_token_types,
            layer_norm_epsilon=None if norm_first else layer_norm_epsilon,
            dtype=dtype,
            name="embedding",
        )(token_ids)
        if pooling == "class_token":
            x = ClassToken(dtype=dtype, name="class_token")(x)
        x = keras.layers.Dropout(dropout, dtype=dtype, name="embedding_dropout")(x)
        x = TransformerEncoderStack(
            num_layers,
            num_heads,
            intermediate_dim,
            dropout,
            activation=activation,
            layer_norm_epsilon=layer_norm_epsilon,
            norm_first=norm_first,
            dtype=dtype,
            name="encoder",
        )(x)
        x = pool(x, "class_token" if pooling == "first_token" else pooling, dtype=dtype)
        if pooler:
            x = keras.layers.Dense(
                hidden_dim, activation="tanh", dtype=dtype, name="pooler"
            )(x)
        outputs = head(
            x,
            include_top,
            classes,
            classifier_activation,
            dropout=dropout,
            dtype=dtype,
        )
        super().__init__(
            token_ids,
            outputs,
            init_config={
                "vocabulary_size": vocabulary_size,
                "max_length": max_length,
                "classes": classes,
                "num_layers": num_layers,
                "num_heads": num_heads,
                "hidden_dim": hidden_dim,
                "intermediate_dim": intermediate_dim,
                "dropout": dropout,
                "pooling": pooling,
                "pooler": pooler,
                "activation": activation,
                "layer_norm_epsilon": layer_norm_epsilon,
                "norm_first": norm_first,
                "num_token_types": num_token_types,
                "include_top": include_top,
                "classifier_activation": classifier_activation,
            },
            preprocessor=preprocessor,
            name=name,
            dtype=dtype,
            **kwargs,
        )
        load_weights(self, weights)

    def _length_limits(self):
        return {"token_ids": ("max_length", self.init_config["max_length"])}
