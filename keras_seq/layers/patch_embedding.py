import math

import keras
from keras import ops

from keras_seq.backend.tensorflow.collective_keys import separate_collective_keys
from keras_seq.layers.class_token import ClassToken
from keras_seq.layers.initializers import clone_initializer
from keras_seq.layers.positional_embedding import POSITION_KINDS
from keras_seq.layers.positional_embedding import PositionalEmbedding
from keras_seq.layers.shape_checks import check_shape
from keras_seq.layers.shape_checks import static_shape
from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_size_tuple

_SPATIAL_AXES = {2: ("height", "width"), 3: ("frames", "height", "width")}


class StridedPatchEmbedding(keras.layers.Layer):
    """Cuts an image or a video into non-overlapping patches and embeds each.

    The shared machinery of `PatchEmbedding` (2-D) and `TubeletEmbedding`
    (3-D): a convolution whose kernel equals its stride projects each patch
    to `embedding_dim`, the patches are flattened into a sequence in
    row-major order, an optional learnable class token (a `ClassToken`
    sublayer) is prepended and a position embedding is added.
    """

    spatial_rank = None
    size_argument = None

    def __init__(
        self,
        patch_shape,
        embedding_dim,
        class_token=False,
        position="learned",
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.patch_shape = check_size_tuple(
            self.size_argument, patch_shape, self.spatial_rank
        )
        embedding_dim = check_positive_int("embedding_dim", embedding_dim)
        if position is not None:
            check_choice("position", position, POSITION_KINDS)
        self.embedding_dim = embedding_dim
        self.class_token = class_token
        self.position = position
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        conv = keras.layers.Conv2D if self.spatial_rank == 2 else keras.layers.Conv3D
        self.projection = conv(
            embedding_dim,
            kernel_size=self.patch_shape,
            strides=self.patch_shape,
            padding="valid",
            kernel_initializer=clone_initializer(self.kernel_initializer),
            data_format="channels_last",
            dtype=self.dtype_policy,
            name="projection",
        )
        self.class_embedding = None
        if class_token:
            self.class_embedding = ClassToken(
                dtype=self.dtype_policy, name="class_embedding"
            )

    def _grid(self, inputs_shape):
        """Number of patches along each spatial axis; checks the shape."""
        axes = ("batch", *_SPATIAL_AXES[self.spatial_rank], "channels")
        check_shape(self, "inputs", inputs_shape, axes, known=axes[1:])
        spatial = inputs_shape[1:-1]
        if any(size % patch for size, patch in zip(spatial, self.patch_shape)):
            raise ValueError(
                f"The input size {tuple(spatial)} is not divisible by "
                f"`{self.size_argument}={self.patch_shape}`. Received: "
                f"inputs.shape={inputs_shape}"
            )
        return tuple(size // patch for size, patch in zip(spatial, self.patch_shape))

    def build(self, inputs_shape):
        separate_collective_keys()
        inputs_shape = tuple(inputs_shape)
        self.grid_shape = self._grid(inputs_shape)
        self.channels = inputs_shape[-1]
        self.num_patches = math.prod(self.grid_shape)
        self.projection.build(inputs_shape)
        tokens_shape = (None, self.num_patches, self.embedding_dim)
        if self.class_embedding is not None:
            self.class_embedding.build(tokens_shape)
        self.sequence_length = self.num_patches + int(self.class_token)
        self.position_embedding = None
        if self.position is not None:
            self.position_embedding = PositionalEmbedding(
                self.sequence_length,
                kind=self.position,
                dtype=self.dtype_policy,
                name="position_embedding",
            )
            self.position_embedding.build(
                (None, self.sequence_length, self.embedding_dim)
            )

    def call(self, inputs):
        # The sequence length (and the position table) are fixed at build:
        # every input must have the size built with.
        spatial = _SPATIAL_AXES[self.spatial_rank]
        sizes = {
            name: grid * patch
            for name, grid, patch in zip(spatial, self.grid_shape, self.patch_shape)
        }
        sizes["channels"] = self.channels
        axes = ("batch", *spatial, "channels")
        check_shape(self, "inputs", static_shape(inputs), axes, sizes=sizes)
        patches = self.projection(inputs)
        batch = ops.shape(patches)[0]
        tokens = ops.reshape(patches, (batch, self.num_patches, self.embedding_dim))
        if self.class_embedding is not None:
            tokens = self.class_embedding(tokens)
        if self.position_embedding is not None:
            tokens = self.position_embedding(tokens)
        return tokens

    def compute_output_shape(self, inputs_shape):
        sequence_length = math.prod(self._grid(tuple(inputs_shape)))
        sequence_length += int(self.class_token)
        return (inputs_shape[0], sequence_length, self.embedding_dim)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                self.size_argument: self.patch_shape,
                "embedding_dim": self.embedding_dim,
                "class_token": self.class_token,
                "position": self.position,
                "kernel_initializer": keras.initializers.serialize(
                    self.kernel_initializer
                ),
            }
        )
        return config


@keras.saving.register_keras_serializable(package="keras_seq")
class PatchEmbedding(StridedPatchEmbedding):
    """Turns images into a sequence of patch tokens, as in ViT.

    Images `(batch, height, width, channels)` are cut into
    `patch_size` patches, each projected to `embedding_dim` (a strided
    convolution), giving `(batch, num_patches [+ 1], embedding_dim)`, with a
    learnable class token first and a position embedding added.

    Args:
        patch_size: int or `(height, width)` of each patch; the image size
            must be divisible by it.
        embedding_dim: size of each token.
        class_token: whether to prepend a learnable class token.
        position: `"learned"`, `"sinusoidal"` or None.
        kernel_initializer: initializer of the projection.
        **kwargs: standard layer arguments.

    Example:

    >>> images = keras.random.normal((2, 28, 28, 1))
    >>> tuple(PatchEmbedding(patch_size=7, embedding_dim=32)(images).shape)
    (2, 17, 32)
    """

    spatial_rank = 2
    size_argument = "patch_size"

    def __init__(
        self, patch_size, embedding_dim, class_token=True, position="learned", **kwargs
    ):
        super().__init__(
            patch_size,
            embedding_dim,
            class_token=class_token,
            position=position,
            **kwargs,
        )
