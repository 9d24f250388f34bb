"""TensorFlow only: batches of any padded width as one `tf.data` pipeline."""

import keras
import numpy as np


def variable_shape_dataset(batches):
    """Returns `batches` as a `tf.data.Dataset` whose non-batch axes have no size.

    Keras' `PyDataset` adapter fixes the shape of every batch to that of
    the first two, and a later batch of another padded width fails; a
    pipeline whose every axis is of unknown size takes them all, and the
    train step is traced once. Its autotuning is off: it has nothing to
    tune, and with it on the end of every epoch can wait for tf.data's
    autotuning thread.

    Args:
        batches: a `keras.utils.PyDataset`-like sequence of batches (NumPy
            arrays, or tuples and dicts of them) with `on_epoch_begin` and
            `on_epoch_end`.

    Example:

    >>> class Batches(keras.utils.PyDataset):
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, index):
    ...         return np.zeros((2, 3 + index), "int32")
    >>> dataset = variable_shape_dataset(Batches())
    >>> [tuple(batch.shape) for batch in dataset.as_numpy_iterator()]
    [(2, 3), (2, 4)]
    """
    import tensorflow as tf

    def spec(array):
        array = np.asarray(array)
        return tf.TensorSpec((None,) * array.ndim, tf.as_dtype(array.dtype))

    signature = keras.tree.map_structure(spec, batches[0])

    def epoch():
        batches.on_epoch_begin()
        for index in range(len(batches)):
            yield batches[index]
        batches.on_epoch_end()

    dataset = tf.data.Dataset.from_generator(epoch, output_signature=signature)
    # A known number of batches: progress bars show the total.
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(len(batches)))
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)
