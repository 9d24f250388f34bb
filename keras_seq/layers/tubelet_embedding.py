import keras

from keras_seq.layers.patch_embedding import StridedPatchEmbedding


@keras.saving.register_keras_serializable(package="keras_seq")
class TubeletEmbedding(StridedPatchEmbedding):
    """Turns videos into a sequence of tubelet tokens, as in ViViT.

    Videos `(batch, frames, height, width, channels)` are cut into
    `tubelet_size = (t, h, w)` blocks, each projected to `embedding_dim`
    (a 3-D strided convolution), giving `(batch, num_tubelets [+ 1], dim)`.
    Tokens are ordered time-major: the first `grid_shape[1] * grid_shape[2]`
    tokens are the first time slot, so a factorised model can reshape them
    to `(batch, time_slots, patches_per_slot, dim)`.

    Args:
        tubelet_size: int or `(frames, height, width)` of each tubelet; the
            video size must be divisible by it.
        embedding_dim: size of each token.
        class_token: whether to prepend a learnable class token.
        position: `"learned"`, `"sinusoidal"` or None.
        kernel_initializer: initializer of the projection.
        **kwargs: standard layer arguments.

    Example:

    >>> videos = keras.random.normal((2, 8, 16, 16, 3))
    >>> embedding = TubeletEmbedding(tubelet_size=(2, 4, 4), embedding_dim=32)
    >>> tuple(embedding(videos).shape)
    (2, 64, 32)
    """

    spatial_rank = 3
    size_argument = "tubelet_size"

    def __init__(
        self,
        tubelet_size,
        embedding_dim,
        class_token=False,
        position="learned",
        **kwargs,
    ):
        super().__init__(
            tubelet_size,
            embedding_dim,
            class_token=class_token,
            position=position,
            **kwargs,
        )
