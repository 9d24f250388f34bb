"""Collective keys that no two `tf.distribute.MirroredStrategy` objects share.

TensorFlow numbers the collective operations of every `MirroredStrategy`
from the same start (group key 1, instance keys from 100, one new key per
collective per call), and remembers each instance's shape for the whole
process. So once a second strategy over the same devices trains a model
of another size (a new model in a notebook, a loop over models), its
gradient all-reduce meets the shape the first strategy's left: "Shape
mismatch in the collective instance 100 ... expected shape [9155] but
another member in the group expected shape [9219]". Keras' own layers
fail the same way (TensorFlow issue 62790); TensorFlow's own tests give
each strategy keys of its own (`MirroredStrategy._collective_key_base`).

keras-seq's layers, when they are built in a strategy's scope, move its
instance keys to a block that no other strategy of the process draws
from. Strategies keras-seq never sees keep TensorFlow's numbering, below
every block.
"""

import itertools
import threading
import weakref

import keras

# TensorFlow's first instance key (`cross_device_utils.INSTANCE_KEY_START_NUMBER`).
_FIRST_KEY = 100
# Keys of one strategy: about 5 a training step (a dense gradient pack,
# an embedding's sparse gradient gathered), so over a million steps.
_BLOCK = 2**23
# Instance keys are int32 tensors.
_BLOCKS = (2**31 - _FIRST_KEY) // _BLOCK - 1

_lock = threading.Lock()
_next_block = itertools.count(1)
_seen = weakref.WeakSet()


def separate_collective_keys():
    """Gives the `MirroredStrategy` in scope instance keys of its own.

    Called when a layer is built. Does nothing on JAX and PyTorch, outside
    a strategy's scope, under another strategy (`OneDeviceStrategy` and
    the default one have no collectives), inside a replica's step, and
    for a strategy already moved. Keys the strategy drew before stay
    drawn: its counters only move up, every device's alike.

    Raises:
        RuntimeError: when the process has made more strategies than the
            int32 keys have blocks for.

    Example:

    >>> separate_collective_keys()  # one device: nothing to do
    """
    if keras.backend.backend() != "tensorflow":
        return
    import tensorflow as tf

    if not tf.distribute.has_strategy() or not tf.distribute.in_cross_replica_context():
        return
    strategy = tf.distribute.get_strategy()
    if not isinstance(strategy, tf.distribute.MirroredStrategy):
        return
    keys = getattr(strategy.extended, "_collective_keys", None)
    # A TensorFlow without these internals keeps its own numbering: a
    # second strategy fails as it does with Keras' layers, loudly.
    tables = getattr(keys, "_instance_key_table", None)
    if tables is None or not hasattr(keys, "_lock"):
        return
    with _lock:
        if keys in _seen:
            return
        block = next(_next_block)
        if block > _BLOCKS:
            raise RuntimeError(
                f"This process has trained keras-seq layers under {block} "
                "tf.distribute.MirroredStrategy objects, more than TensorFlow's "
                f"collective keys can keep apart ({_BLOCKS}): make one strategy "
                "and build every model in its scope."
            )
        _seen.add(keys)
    start = _FIRST_KEY + block * _BLOCK
    with keys._lock:
        for devices in tables.values():
            for device, key in devices.items():
                devices[device] = max(key, start)
