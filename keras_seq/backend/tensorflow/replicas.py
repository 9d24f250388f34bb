"""Training steps under `tf.distribute` that update as one device would.

Keras 3's TensorFlow trainer runs `train_step` on each replica's share of
the batch and sums what the replicas give. Two things then differ from
training on one device, and the Task corrects both with the strategy's own
all-reduce:

- a masked mean loss (a padding mask on the outputs, a loss's
  `ignore_class`) is a mean over the replica's own real tokens: the
  replicas' sum is a mean of means, not the batch's mean. `token_share`
  makes each replica's loss its share of the mean over every replica's
  real tokens.
- the optimizer clips each replica's partial gradient before it sums them
  (`BaseOptimizer._backend_apply_gradients` clips, then the TensorFlow
  optimizer's `_backend_update_step` all-reduces): `clipnorm` then bounds
  every share, not the sum. `sum_before_clipping` makes the optimizer sum
  first, so it clips the whole batch's gradient.

On one device, and on JAX and PyTorch (where a step sees the global
batch), both do nothing.
"""

import keras
from keras import ops

from keras_seq.backend.support import get_keras_mask

# Keras' reductions that divide by the count of real entries.
_MEAN_REDUCTIONS = ("sum_over_batch_size", "mean")


def replica_context():
    """The replica context of a tf.distribute step over several replicas, or None."""
    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return None
    return context


def token_share(loss, compiled_loss, y, y_pred):
    """This replica's `loss` as its share of the mean over all replicas' real tokens.

    Keras gives `S_r / (n * V_r)` on replica `r` of `n` (`S_r` the summed
    loss of its `V_r` real tokens); one device gives `sum(S_r) / sum(V_r)`.
    So the loss is multiplied by `n * V_r / sum(V_r)`. A weight
    regularizer's term, the same on every replica and `1/n` of it on each,
    becomes `V_r / sum(V_r)` of it: the replicas still add up to it once.

    Args:
        loss: the replica's loss, as Keras' `compute_loss` gives it.
        compiled_loss: the loss passed to `compile()`.
        y, y_pred: the replica's targets and outputs.
    """
    context = replica_context()
    if context is None or keras.tree.is_nested(y_pred):
        return loss
    if getattr(compiled_loss, "reduction", "sum_over_batch_size") not in (
        _MEAN_REDUCTIONS
    ):
        return loss
    real = get_keras_mask(y_pred)
    ignore_class = getattr(compiled_loss, "ignore_class", None)
    if ignore_class is not None:
        targets = ops.not_equal(y, ops.cast(ignore_class, y.dtype))
        real = targets if real is None else ops.logical_and(real, targets)
    if real is None:
        return loss  # Equal shares of an unmasked mean: Keras' sum is right.
    import tensorflow as tf

    count = ops.sum(ops.cast(real, loss.dtype))
    total = context.all_reduce(tf.distribute.ReduceOp.SUM, count)
    share = ops.divide_no_nan(count * context.num_replicas_in_sync, total)
    return loss * ops.stop_gradient(share)


def sum_before_clipping(optimizer):
    """Makes `optimizer` sum the replicas' gradients before it clips them.

    Keras' TensorFlow optimizer sums them after clipping each. Here its
    `apply` sums them first (the strategy's all-reduce, as Keras' own) and
    its own sum is turned off, so what it clips and applies is the whole
    batch's gradient, as on one device. Outside a replica context (one
    device, no strategy) `apply` is Keras' own. Installed once, when the
    Task compiles (not in the step: MirroredStrategy runs the step of every
    replica at once, in threads, on this one optimizer).
    """
    if keras.backend.backend() != "tensorflow" or optimizer is None:
        return
    if hasattr(optimizer.apply, "summing"):
        return  # The same optimizer compiled again.
    # A LossScaleOptimizer checks the summed gradients, its inner one updates.
    updating = getattr(optimizer, "inner_optimizer", optimizer)
    if not hasattr(updating, "_all_reduce_sum_gradients"):
        raise RuntimeError(
            "keras-seq sums the replicas' gradients before clipping in place "
            "of Keras' TFOptimizer._all_reduce_sum_gradients, which this Keras "
            f"({keras.__version__}) lacks on {type(updating).__name__}."
        )
    import tensorflow as tf

    apply = optimizer.apply

    def apply_summed(grads, trainable_variables=None):
        context = replica_context()
        if context is not None:
            grads = list(grads)
            present = [i for i, grad in enumerate(grads) if grad is not None]
            summed = context.all_reduce(
                tf.distribute.ReduceOp.SUM, [grads[i] for i in present]
            )
            for i, grad in zip(present, summed):
                grads[i] = grad
        return apply(grads, trainable_variables)

    apply_summed.summing = True
    optimizer.apply = apply_summed
    updating._all_reduce_sum_gradients = lambda grads_and_vars: grads_and_vars
