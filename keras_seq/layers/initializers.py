"""One fresh initializer per weight.

Keras 3 initializers are stateless: an unseeded one draws from a seed fixed
when it is made, so one instance handed to several weights of the same
shape fills them with the same values (identical query, key and value
kernels never break their symmetry). Every layer of keras_seq clones its
initializer for each weight it creates, as Keras' `MultiHeadAttention` does,
and keeps the original for `get_config`.
"""

import keras


def clone_initializer(initializer):
    """A new initializer with the config of `initializer` (and a fresh seed).

    An unseeded initializer's clone draws a new seed, so clones give
    different values; a seeded one's clone keeps the seed, as in Keras.
    Anything that is not a `keras.initializers.Initializer` (a plain
    function) is returned as it is.

    Example:

    >>> initializer = keras.initializers.RandomNormal()
    >>> first = clone_initializer(initializer)((2, 2))
    >>> second = clone_initializer(initializer)((2, 2))
    >>> bool(np.allclose(first, second))
    False
    """
    initializer = keras.initializers.get(initializer)
    if not isinstance(initializer, keras.initializers.Initializer):
        return initializer
    return initializer.__class__.from_config(initializer.get_config())
