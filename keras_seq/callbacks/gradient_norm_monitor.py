import keras
import numpy as np
from keras import ops

from keras_seq.utils.validation import check_positive_int


def gradient_norms(grads, groups, num_groups):
    """The global L2 norm of `grads` and that of each group of them.

    Args:
        grads: gradient tensors (None where a variable has none).
        groups: for each gradient, the index of its group, or None.
        num_groups: number of groups.

    Returns:
        A float32 tensor `(1 + num_groups,)`: the global norm, then each
        group's.
    """
    squares = [ops.zeros((), "float32") for _ in range(1 + num_groups)]
    for grad, group in zip(grads, groups):
        if grad is None:
            continue
        square = ops.sum(ops.square(ops.cast(ops.convert_to_tensor(grad), "float32")))
        squares[0] = squares[0] + square
        if group is not None:
            squares[group + 1] = squares[group + 1] + square
    return ops.sqrt(ops.stack(squares))


class GradientNormMonitor(keras.callbacks.Callback):
    """Logs the gradient norms of training steps, globally and per layer.

    Vanishing gradients show as norms near zero in the early layers,
    exploding ones as sudden spikes. Every `every_n_batches` batches the
    monitor adds to the batch logs (so the progress bar shows them):

    - `grad_norm`: the L2 norm of all gradients of the step, as the
      optimizer receives them, before any clipping (`clipnorm`, ...);
    - with `per_layer=True`, `grad_norm/<layer>`: the L2 norm of the
      gradients of each top-level layer of the model that has trainable
      weights.

    The epoch logs, and so `History`, get the mean of the batches logged
    during the epoch. `records` keeps every batch logged during the last
    `fit`, with its `step` counted from the start of that `fit`.

    How: the gradients of a batch exist only inside each backend's train
    step (a `tf.GradientTape`, `jax.grad`, torch autograd), in compiled
    code, and every backend's step hands them to `optimizer.apply()`. So
    during `fit` the monitor wraps that method of the model's optimizer: the
    wrapper computes the norms (a few reductions, compiled into the step)
    into one extra optimizer variable, then applies the gradients as
    before. Optimizer variables are state that every trainer carries
    through its compiled step (JAX passes it in and out explicitly), so one
    portable code path measures the very gradients the step applies, at no
    extra forward or backward pass. The alternatives are worse:
    recomputing gradients in the callback needs the batch (which callbacks
    never see) and a second backward pass per backend, and weight updates
    do not give the gradient norm back (Adam normalizes them). When `fit`
    ends the wrapper and the variable are removed, so the optimizer saves
    and loads as if the monitor had never been there.

    Limits: a whole-model checkpoint written during `fit` (e.g. by
    `ModelCheckpoint`) holds the extra variable, so loading it restores the
    weights but skips the optimizer state, with a Keras warning. Under a
    `LossScaleOptimizer` the norms are of the unscaled gradients, and a step
    skipped for overflow leaves the previous values.

    Args:
        every_n_batches: log every this many batches. The norms are computed
            at every step either way; reading them back from the device is
            what costs.
        per_layer: whether to log each layer's norm too.

    Example:

    >>> monitor = GradientNormMonitor(every_n_batches=10)
    >>> history = model.fit(x, y, epochs=3, callbacks=[monitor])
    >>> history.history["grad_norm"]
    [0.82, 0.41, 0.37]
    >>> monitor.records[0]["grad_norm/embedding"]
    0.05
    """

    def __init__(self, every_n_batches=1, per_layer=True):
        super().__init__()
        check_positive_int("every_n_batches", every_n_batches)
        self.every_n_batches = every_n_batches
        self.per_layer = per_layer
        self.records = []
        self._optimizer = self._norms = None

    def _layer_groups(self):
        """Names of the layers measured, and each trainable variable's group."""
        names, group_of = [], {}
        if self.per_layer:
            for layer in self.model.layers:
                if layer.trainable_weights:
                    for variable in layer.trainable_weights:
                        group_of.setdefault(id(variable), len(names))
                    names.append(layer.name)
        return names, group_of

    def on_train_begin(self, logs=None):
        model = self.model
        # A LossScaleOptimizer hands its inner optimizer the unscaled
        # gradients (and skips steps whose gradients overflowed).
        optimizer = getattr(model.optimizer, "inner_optimizer", model.optimizer)
        names, group_of = self._layer_groups()
        self._keys = ["grad_norm"] + [f"grad_norm/{name}" for name in names]
        norms = optimizer.add_variable(
            shape=(len(self._keys),), dtype="float32", name="gradient_norms"
        )
        apply = optimizer.apply

        def apply_and_measure(grads, trainable_variables=None):
            if trainable_variables is not None:
                trainable_variables = list(trainable_variables)
                variables = trainable_variables
            else:
                # JAX's stateless step passes none: the grads then follow
                # the model's trainable variables.
                variables = model.trainable_variables
            groups = [group_of.get(id(variable)) for variable in variables]
            norms.assign(gradient_norms(grads, groups, len(names)))
            return apply(grads, trainable_variables)

        optimizer.apply = apply_and_measure
        self._optimizer, self._norms = optimizer, norms
        self.records = []
        self._step = 0
        self._epoch_records = []
        # `fit` made its train function before calling back: remake it so
        # that the compiled step goes through the wrapper.
        model.make_train_function(force=True)

    def _read(self):
        # A JAX trainer keeps the state off the variables during an epoch.
        sync = getattr(self.model, "jax_state_sync", None)
        if sync is not None:
            sync()
        values = ops.convert_to_numpy(self._norms).tolist()
        return dict(zip(self._keys, values))

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if self._step % self.every_n_batches:
            return
        norms = self._read()
        self.records.append({"step": self._step, **norms})
        self._epoch_records.append(norms)
        if logs is not None:
            logs.update(norms)

    def on_epoch_end(self, epoch, logs=None):
        records = self._epoch_records or [self._read()]
        self._epoch_records = []
        if logs is not None:
            for key in self._keys:
                logs[key] = float(np.mean([record[key] for record in records]))

    def on_train_end(self, logs=None):
        optimizer = self._optimizer
        del optimizer.apply
        # Keras offers no way to drop an optimizer variable; `_variables` is
        # the list behind `optimizer.variables`. Found by identity: `==` on
        # variables is elementwise.
        variables = optimizer._variables
        variables.pop(next(i for i, v in enumerate(variables) if v is self._norms))
        self._optimizer = self._norms = None
        # The compiled step calls the wrapper: the next `fit` makes a new one.
        self.model.train_function = None
