"""A patch embedding's weights carried to another patch size or patch grid.

A ViT trained on images with `p x p` patches can start a model that reads
frames where the same content is drawn at another scale (digits shrunk to
half size: `q x q` patches hold what the ViT's held). Two resamplings make
that possible, both by area weights (each output cell is the mean of the
input area it covers, the way images are shrunk by block means):

- `resample_patch_kernel`: the patch projection's kernel, by the pseudo-
  inverse of the resize (FlexiViT, Beyer et al., 2023): the new kernel
  embeds a resized patch as the old one embeds the patch, exactly when the
  patch grows and in the least-squares sense when it shrinks (a constant
  patch then still embeds exactly).
- `resample_position_grid`: learned positions of a grid of patches, to a
  grid of another shape, resized as an image of vectors.
"""

import numpy as np

from keras_seq.utils.validation import check_size_tuple


def area_resize_matrix(source, target):
    """`(target, source)` weights resizing a line of `source` cells to `target`.

    Row `j` holds the share of each input cell in output cell `j` (the
    input covered by it, `[j, j + 1) * source / target`); rows sum to 1.

    Example:

    >>> area_resize_matrix(4, 2)
    array([[0.5, 0.5, 0. , 0. ],
           [0. , 0. , 0.5, 0.5]])
    """
    edges = np.arange(target + 1) * source / target
    cells = np.arange(source)
    starts = np.maximum(edges[:-1, None], cells[None, :])
    stops = np.minimum(edges[1:, None], cells[None, :] + 1)
    return np.clip(stops - starts, 0, None) * target / source


def _grid_resize_matrix(source_shape, target_shape):
    """Area weights `(prod(target), prod(source))` of a 2-D grid, row-major."""
    rows = area_resize_matrix(source_shape[0], target_shape[0])
    columns = area_resize_matrix(source_shape[1], target_shape[1])
    return np.kron(rows, columns)


def resample_patch_kernel(kernel, patch_size):
    """A patch projection's kernel for patches of `patch_size`, by pseudo-inverse.

    Args:
        kernel: `(height, width, channels, dim)`, of a 2-D patch embedding.
        patch_size: `(height, width)` (or one int) of the new patches.

    Returns:
        `(*patch_size, channels, dim)`: `<resize(patch), new> = <patch, kernel>`
        in the least-squares sense, `resize` being the area resize of
        `area_resize_matrix`.

    Example:

    >>> resample_patch_kernel(np.ones((7, 7, 1, 8)), 4).shape
    (4, 4, 1, 8)
    """
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(
            "`kernel` must be a 2-D patch projection's `(height, width, "
            f"channels, dim)`. Received: kernel of shape {kernel.shape}"
        )
    patch_size = check_size_tuple("patch_size", patch_size, 2)
    resize = _grid_resize_matrix(kernel.shape[:2], patch_size)
    flat = kernel.reshape(-1, kernel.shape[2] * kernel.shape[3])
    resampled = np.linalg.pinv(resize.T) @ flat
    return resampled.reshape(*patch_size, *kernel.shape[2:]).astype(kernel.dtype)


def resample_position_grid(positions, grid_shape, new_grid_shape):
    """Positions `(rows * columns, dim)` of a `grid_shape` grid, on `new_grid_shape`.

    Example:

    >>> resample_position_grid(np.zeros((16, 8)), (4, 4), (8, 8)).shape
    (64, 8)
    """
    positions = np.asarray(positions)
    grid_shape = check_size_tuple("grid_shape", grid_shape, 2)
    new_grid_shape = check_size_tuple("new_grid_shape", new_grid_shape, 2)
    if positions.ndim != 2 or len(positions) != np.prod(grid_shape):
        raise ValueError(
            f"`positions` must be `(rows * columns, dim)` of the grid {grid_shape}. "
            f"Received: positions of shape {positions.shape}"
        )
    resize = _grid_resize_matrix(grid_shape, new_grid_shape)
    return (resize @ positions).astype(positions.dtype)
