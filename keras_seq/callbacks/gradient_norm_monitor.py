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

    Example:

    >>> grads = [np.array([3.0, 0.0]), None, np.array([[4.0]])]
    >>> norms = gradient_norms(grads, groups=[0, 0, 1], num_groups=2)
    >>> ops.convert_to_numpy(norms).tolist()
    [5.0, 3.0, 4.0]
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


class _MeasuringOptimizer(keras.optimizers.Optimizer):
    """Wraps an optimizer: measures the gradients of each step, then applies them.

    The pattern of `keras.optimizers.LossScaleOptimizer`: every trainer hands
    the gradients of a step to `optimizer.apply()` (TensorFlow's through
    `apply_gradients()`, JAX's through `stateless_apply()`), so a wrapper's
    `apply` sees them, inside the compiled step. The norms go into a variable
    of the wrapper, listed in `variables`, because JAX's trainer carries the
    optimizer's variables through its compiled step explicitly.

    Everything else is the inner optimizer's: its variables (after the norms),
    its learning rate and iterations, its loss scale, and what it saves, so a
    checkpoint written during `fit` holds the inner optimizer's state where a
    plain optimizer's goes (Keras' saving also visits `inner_optimizer` and
    writes a second copy under that name, which loading then ignores).

    Args:
        inner_optimizer: the optimizer that applies the gradients.
        measure: `measure(grads, trainable_variables)` returns the norms; the
            variables are None where the trainer passes none (JAX).
        num_norms: how many norms `measure` returns.
    """

    def __init__(self, inner_optimizer, measure, num_norms):
        super().__init__(learning_rate=0.0, name=f"{inner_optimizer.name}_measured")
        self.inner_optimizer = inner_optimizer
        self.measure = measure
        self.norms = self.add_variable(
            shape=(num_norms,), dtype="float32", name="gradient_norms"
        )

    @property
    def variables(self):
        return [self.norms] + self.inner_optimizer.variables

    def build(self, variables):
        super().build(variables)
        if not self.inner_optimizer.built:
            self.inner_optimizer.build(variables)

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        norms = self.measure(grads, trainable_variables)
        # The inner optimizer unscales a loss-scaled gradient first: so do
        # its norms.
        scale = self.inner_optimizer.loss_scale_factor
        self.norms.assign(norms if scale is None else norms / scale)
        self.inner_optimizer.apply(grads, trainable_variables)

    def apply_gradients(self, grads_and_vars):
        grads, trainable_variables = zip(*grads_and_vars)
        self.apply(grads, trainable_variables)
        return self.iterations

    def scale_loss(self, loss):
        return self.inner_optimizer.scale_loss(loss)

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self.inner_optimizer.learning_rate = learning_rate

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    def save_own_variables(self, store):
        self.inner_optimizer.save_own_variables(store)

    def load_own_variables(self, store):
        self.inner_optimizer.load_own_variables(store)


class GradientNormMonitor(keras.callbacks.Callback):
    """Logs the gradient norms of training steps, globally and per layer.

    Vanishing gradients show as norms near zero in the early layers,
    exploding ones as sudden spikes. Every `every_n_batches` batches the
    monitor adds to the batch logs (so the progress bar shows them):

    - `grad_norm`: the L2 norm of all gradients of the step, as the
      optimizer receives them (unscaled, under loss scaling), before any
      clipping (`clipnorm`, ...);
    - with `per_layer=True`, `grad_norm/<layer>`: the L2 norm of the
      gradients of each top-level layer of the model that has trainable
      weights.

    The epoch logs, and so `History`, get the mean of the batches logged
    during the epoch. `records` keeps every batch logged during the last
    `fit`, with its `step` counted from the start of that `fit`.

    How: the gradients of a batch exist only inside each backend's train
    step (a `tf.GradientTape`, `jax.grad`, torch autograd), in compiled
    code, and every backend's step hands them to `optimizer.apply()`. So
    during `fit` the monitor wraps the model's optimizer, as
    `keras.optimizers.LossScaleOptimizer` does: the wrapper computes the
    norms (a few reductions, compiled into the step) into a variable of its
    own, then has the wrapped optimizer apply the gradients as before.
    Optimizer variables are state that every trainer carries through its
    compiled step (JAX passes it in and out explicitly), so one portable
    code path measures the very gradients the step applies, at no extra
    forward or backward pass. The alternatives are worse: recomputing
    gradients in the callback needs the batch (which callbacks never see)
    and a second backward pass per backend, and weight updates do not give
    the gradient norm back (Adam normalizes them). When `fit` ends the
    model gets its own optimizer back, unchanged.

    During `fit`, `model.optimizer` is the wrapper: it forwards the learning
    rate (so schedules and `ReduceLROnPlateau` work), the iterations and the
    saved state to the model's optimizer, so a checkpoint written during
    `fit` loads as one written without the monitor.

    Limits: under a `LossScaleOptimizer` (e.g. a `mixed_float16` policy)
    the wrapper sits inside it, where the gradients are unscaled: a
    whole-model checkpoint written during `fit` then holds the norms too, so
    loading it restores the weights but skips the optimizer state, with a
    Keras warning; and a step skipped for overflow leaves the previous
    values.

    Args:
        every_n_batches: log every this many batches. The norms are computed
            at every step either way; reading them back from the device is
            what costs.
        per_layer: whether to log each layer's norm too.

    Example:

    A linear model whose gradient is known: with all weights at zero and
    a zero learning rate, every step's gradient of the mean squared error
    is `-2 * mean(y)`, here 2 for the kernel and 2 for the bias.

    >>> model = keras.Sequential(
    ...     [keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="zeros")]
    ... )
    >>> model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    >>> x, y = np.ones((4, 1)), -np.ones((4, 1))
    >>> monitor = GradientNormMonitor(every_n_batches=2)
    >>> history = model.fit(
    ...     x, y, batch_size=1, epochs=2, callbacks=[monitor], verbose=0
    ... )
    >>> [round(norm, 4) for norm in history.history["grad_norm/dense"]]
    [2.8284, 2.8284]
    >>> [(record["step"], round(record["grad_norm"], 4)) for record in monitor.records]
    [(2, 2.8284), (4, 2.8284), (6, 2.8284), (8, 2.8284)]
    """

    def __init__(self, every_n_batches=1, per_layer=True):
        super().__init__()
        check_positive_int("every_n_batches", every_n_batches)
        self.every_n_batches = every_n_batches
        self.per_layer = per_layer
        self.records = []
        self._wrapper = None

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
        names, group_of = self._layer_groups()
        self._keys = ["grad_norm"] + [f"grad_norm/{name}" for name in names]

        def measure(grads, trainable_variables):
            # JAX's stateless step passes no variables: the grads then
            # follow the model's trainable variables.
            if trainable_variables is None:
                trainable_variables = model.trainable_variables
            groups = [group_of.get(id(variable)) for variable in trainable_variables]
            return gradient_norms(grads, groups, len(names))

        # A LossScaleOptimizer hands its inner optimizer the unscaled
        # gradients (and skips steps whose gradients overflowed).
        holder = model.optimizer
        if not isinstance(holder, keras.optimizers.LossScaleOptimizer):
            holder = model
        inner = _optimizer_of(holder)
        while isinstance(inner, _MeasuringOptimizer):
            # Left by a `fit` that raised before calling `on_train_end`.
            inner = inner.inner_optimizer
        wrapper = _MeasuringOptimizer(inner, measure, len(self._keys))
        if inner.built:
            # Built like the inner optimizer (by `fit`, before calling back):
            # JAX's stateless step needs it.
            wrapper.build(model.trainable_variables)
        _set_optimizer(holder, wrapper)
        self._holder, self._wrapper = holder, wrapper
        self.records = []
        self._step = 0
        self._epoch_records = []
        # `fit` made its train function before calling back: remake it so
        # that the compiled step goes through the wrapper.
        model.make_train_function(force=True)

    def _read(self):
        # Under JAX, `Callback.model` first puts the trainer's state (the
        # norms included) back into the variables.
        _ = self.model
        values = ops.convert_to_numpy(self._wrapper.norms).tolist()
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
        _set_optimizer(self._holder, self._wrapper.inner_optimizer)
        self._holder = self._wrapper = None
        # The compiled step calls the wrapper: the next `fit` makes a new one.
        self.model.make_train_function(force=True)


def _optimizer_of(holder):
    """The optimizer of `holder`: a model's, or a LossScaleOptimizer's inner one."""
    if isinstance(holder, keras.optimizers.LossScaleOptimizer):
        return holder.inner_optimizer
    return holder.optimizer


def _set_optimizer(holder, optimizer):
    if isinstance(holder, keras.optimizers.LossScaleOptimizer):
        holder.inner_optimizer = optimizer
    else:
        holder.optimizer = optimizer
