import numpy as np
import pytest

from keras_seq.applications.patch_resampling import area_resize_matrix
from keras_seq.applications.patch_resampling import resample_patch_kernel
from keras_seq.applications.patch_resampling import resample_position_grid


def _area_resize(patch, size):
    """`patch` `(height, width)` resized by area means, the way pixels are averaged."""
    rows = area_resize_matrix(patch.shape[0], size[0])
    columns = area_resize_matrix(patch.shape[1], size[1])
    return rows @ patch @ columns.T


def test_area_resize_matrix_means_blocks_and_repeats_cells():
    np.testing.assert_allclose(
        area_resize_matrix(4, 2), [[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]]
    )
    np.testing.assert_allclose(
        area_resize_matrix(2, 4), [[1, 0], [1, 0], [0, 1], [0, 1]]
    )
    # 7 cells into 4: each output cell covers 1.75 input cells.
    shrink = area_resize_matrix(7, 4)
    np.testing.assert_allclose(shrink.sum(axis=1), 1.0)
    np.testing.assert_allclose(shrink[0], np.array([1, 0.75, 0, 0, 0, 0, 0]) / 1.75)


def _embeddings(kernel, patches):
    return np.einsum("nhw,hwd->nd", patches, kernel[:, :, 0])


def test_enlarged_patches_embed_exactly_as_the_original_ones():
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(7, 7, 1, 5))
    patches = rng.uniform(size=(3, 7, 7))
    resampled = resample_patch_kernel(kernel, (14, 14))
    assert resampled.shape == (14, 14, 1, 5)
    enlarged = np.stack([_area_resize(p, (14, 14)) for p in patches])
    np.testing.assert_allclose(
        _embeddings(resampled, enlarged), _embeddings(kernel, patches), atol=1e-9
    )


def test_shrunk_patches_embed_as_the_original_ones_in_least_squares():
    rng = np.random.default_rng(1)
    kernel = rng.normal(size=(8, 8, 1, 4))
    resampled = resample_patch_kernel(kernel, 4)
    # A constant patch embeds exactly; a smooth one (constant on 2 x 2
    # blocks, so shrinking loses nothing) too.
    constant = np.full((1, 8, 8), 0.7)
    blocks = np.kron(rng.uniform(size=(2, 4, 4)), np.ones((2, 2)))
    patches = np.concatenate([constant, blocks])
    shrunk = np.stack([_area_resize(p, (4, 4)) for p in patches])
    np.testing.assert_allclose(
        _embeddings(resampled, shrunk), _embeddings(kernel, patches), atol=1e-9
    )
    # The same size: the kernel unchanged.
    np.testing.assert_allclose(resample_patch_kernel(kernel, 8), kernel, atol=1e-12)


def test_resample_position_grid_repeats_and_averages_positions():
    positions = np.arange(8, dtype="float32").reshape(4, 2)  # a 2 x 2 grid, 2-d
    grown = resample_position_grid(positions, (2, 2), (4, 4))
    assert grown.shape == (16, 2) and grown.dtype == np.float32
    # Each position covers the 2 x 2 block of the new grid over its cell.
    blocks = positions.reshape(2, 2, 2).repeat(2, axis=0).repeat(2, axis=1)
    np.testing.assert_array_equal(grown, blocks.reshape(16, 2))
    np.testing.assert_allclose(resample_position_grid(grown, (4, 4), (2, 2)), positions)


def test_resampling_refuses_wrong_shapes():
    with pytest.raises(ValueError, match="kernel.*height, width, channels, dim"):
        resample_patch_kernel(np.zeros((7, 7, 5)), 4)
    with pytest.raises(ValueError, match="patch_size"):
        resample_patch_kernel(np.zeros((7, 7, 1, 5)), 0)
    with pytest.raises(ValueError, match="positions.*\\(2, 2\\).*\\(5, 3\\)"):
        resample_position_grid(np.zeros((5, 3)), (2, 2), (4, 4))
