import keras
from keras import ops

from keras_seq.layers.initializers import clone_initializer
from keras_seq.layers.positional_embedding import PositionalEmbedding
from keras_seq.layers.shape_checks import check_shape
from keras_seq.layers.shape_checks import static_shape
from keras_seq.utils.validation import check_positive_int


@keras.saving.register_keras_serializable(package="keras_seq")
class TokenAndPositionEmbedding(keras.layers.Layer):
    """Embeds token ids and adds position information.

    Token ids `(batch, time)` become `(batch, time, embedding_dim)`: the token
    embedding plus the position embedding. With `mask_zero=True`, id 0 is
    padding and the layer emits the padding mask (True = real token) that
    the layers after it honour.

    Args:
        vocabulary_size: number of token ids, padding included.
        max_length: the longest sequence (see `PositionalEmbedding`).
        embedding_dim: size of each embedding vector.
        kind: `"learned"` or `"sinusoidal"` position embedding.
        mask_zero: whether id 0 is padding.
        embeddings_initializer: initializer of the tables.
        num_token_types: None, or the number of token types (BERT's
            segments): a third table whose rows are added, row 0 where
            the call gives no `token_type_ids`.
        layer_norm_epsilon: None, or the epsilon of a layer normalization
            of the sum (BERT's embeddings end with one).
        **kwargs: standard layer arguments.

    The token and position tables are initialized independently (each
    from its own clone of `embeddings_initializer`), even when their
    shapes agree.

    Call arguments:
        inputs: `(batch, time)` int token ids.
        start_index: position of the first token (cached decoding); an int
            or a scalar int tensor (see `PositionalEmbedding` for what a
            tensor start past `max_length` gives).
        token_type_ids: `(batch, time)` int token types, with
            `num_token_types` only (default: all 0).

    Example:

    >>> ids = np.array([[5, 9, 2, 0, 0]])
    >>> embedding = TokenAndPositionEmbedding(100, 16, 8)
    >>> tuple(embedding(ids).shape)
    (1, 5, 8)
    >>> ops.convert_to_numpy(embedding.compute_mask(ids)).tolist()
    [[True, True, True, False, False]]
    """

    def __init__(
        self,
        vocabulary_size,
        max_length,
        embedding_dim,
        kind="learned",
        mask_zero=True,
        embeddings_initializer="uniform",
        num_token_types=None,
        layer_norm_epsilon=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        num_token_types = check_positive_int(
            "num_token_types", num_token_types, allow_none=True
        )
        if layer_norm_epsilon is not None and not (
            isinstance(layer_norm_epsilon, (int, float)) and layer_norm_epsilon > 0
        ):
            raise ValueError(
                "`layer_norm_epsilon` must be None (no normalization) or a "
                f"positive float. Received: layer_norm_epsilon={layer_norm_epsilon!r}"
            )
        self.num_token_types = num_token_types
        self.layer_norm_epsilon = layer_norm_epsilon
        vocabulary_size = check_positive_int("vocabulary_size", vocabulary_size)
        embedding_dim = check_positive_int("embedding_dim", embedding_dim)
        self.vocabulary_size = vocabulary_size
        self.max_length = max_length
        self.embedding_dim = embedding_dim
        self.kind = kind
        self.mask_zero = mask_zero
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)
        self.token_embedding = keras.layers.Embedding(
            vocabulary_size,
            embedding_dim,
            embeddings_initializer=clone_initializer(self.embeddings_initializer),
            dtype=self.dtype_policy,
            name="token_embedding",
        )
        self.position_embedding = PositionalEmbedding(
            max_length,
            kind=kind,
            initializer=clone_initializer(self.embeddings_initializer),
            dtype=self.dtype_policy,
            name="position_embedding",
        )
        self.token_type_embedding = None
        if num_token_types is not None:
            self.token_type_embedding = keras.layers.Embedding(
                num_token_types,
                embedding_dim,
                embeddings_initializer=clone_initializer(self.embeddings_initializer),
                dtype=self.dtype_policy,
                name="token_type_embedding",
            )
        self.norm = None
        if layer_norm_epsilon is not None:
            self.norm = keras.layers.LayerNormalization(
                epsilon=layer_norm_epsilon, dtype=self.dtype_policy, name="norm"
            )
        self.supports_masking = mask_zero

    def _check_inputs(self, inputs_shape):
        check_shape(self, "inputs", inputs_shape, ("batch", "time"))

    def build(self, inputs_shape):
        inputs_shape = tuple(inputs_shape)
        self._check_inputs(inputs_shape)
        self.token_embedding.build(inputs_shape)
        self.position_embedding.build(inputs_shape + (self.embedding_dim,))
        if self.token_type_embedding is not None:
            self.token_type_embedding.build(inputs_shape)
        if self.norm is not None:
            self.norm.build(inputs_shape + (self.embedding_dim,))

    def call(self, inputs, start_index=0, token_type_ids=None):
        self._check_inputs(static_shape(inputs))
        if token_type_ids is not None and self.token_type_embedding is None:
            raise ValueError(
                "`token_type_ids` need a layer with `num_token_types`. Received: "
                f"token_type_ids with num_token_types={self.num_token_types}"
            )
        embedded = self.token_embedding(inputs)
        embedded = self.position_embedding(embedded, start_index=start_index)
        if self.token_type_embedding is not None:
            if token_type_ids is None:
                types = ops.cast(
                    self.token_type_embedding.embeddings[0], embedded.dtype
                )
            else:
                types = self.token_type_embedding(token_type_ids)
            embedded = embedded + types
        if self.norm is not None:
            embedded = self.norm(embedded)
        return embedded

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, inputs_shape):
        self._check_inputs(tuple(inputs_shape))
        return self.position_embedding.compute_output_shape(
            tuple(inputs_shape) + (self.embedding_dim,)
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "max_length": self.max_length,
                "embedding_dim": self.embedding_dim,
                "kind": self.kind,
                "mask_zero": self.mask_zero,
                "embeddings_initializer": keras.initializers.serialize(
                    self.embeddings_initializer
                ),
                "num_token_types": self.num_token_types,
                "layer_norm_epsilon": self.layer_norm_epsilon,
            }
        )
        return config
