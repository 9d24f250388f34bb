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
        embeddings_initializer: initializer of both tables.
        **kwargs: standard layer arguments.

    The token and position tables are initialized independently (each
    from its own clone of `embeddings_initializer`), even when their
    shapes agree.

    Call arguments:
        inputs: `(batch, time)` int token ids.
        start_index: position of the first token (cached decoding); an int
            or a scalar int tensor (see `PositionalEmbedding` for what a
            tensor start past `max_length` gives).

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
        **kwargs,
    ):
        super().__init__(**kwargs)
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
        self.supports_masking = mask_zero

    def _check_inputs(self, inputs_shape):
        check_shape(self, "inputs", inputs_shape, ("batch", "time"))

    def build(self, inputs_shape):
        inputs_shape = tuple(inputs_shape)
        self._check_inputs(inputs_shape)
        self.token_embedding.build(inputs_shape)
        self.position_embedding.build(inputs_shape + (self.embedding_dim,))

    def call(self, inputs, start_index=0):
        self._check_inputs(static_shape(inputs))
        embedded = self.token_embedding(inputs)
        return self.position_embedding(embedded, start_index=start_index)

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
            }
        )
        return config
