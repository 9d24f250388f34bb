"""PyTorch's train, test and predict steps, replayed from captured graphs.

Keras' PyTorch trainer runs each step eagerly, so a step costs the Python
of every layer call and operation. A `Task` on PyTorch runs the same
steps with the forward pass (and in training the loss and its gradients)
replayed from a graph captured once per batch signature
(`keras_seq.backend.torch.captured_graphs`), computed from the variables' values
as JAX's trainer computes them (`stateless_call`,
`stateless_compute_loss`). The optimizer, the loss tracker and the
metrics then run as in Keras' own step, so what `fit`, `evaluate` and
`predict` return, the callbacks, the metrics and saving are unchanged.
"""

import keras
from keras import ops
from keras import tree

from keras_seq.backend.support import get_keras_mask
from keras_seq.backend.support import set_keras_mask
from keras_seq.backend.torch import multi_process
from keras_seq.backend.torch.captured_graphs import CapturedGraphs


class GraphSteps:
    """The train, test and predict steps of `model`, from captured graphs.

    Args:
        model: a built `keras.Model` whose `call` takes `training`.
    """

    def __init__(self, model):
        self.model = model
        self.forward = CapturedGraphs(self._forward)
        self.gradients = CapturedGraphs(self._gradients, differentiates=True)

    def _forward(self, trainable, non_trainable, x):
        outputs, _ = self.model.stateless_call(
            trainable, non_trainable, x, training=False
        )
        return outputs, _masks(outputs)

    def _gradients(
        self, trainable, non_trainable, metrics, x, y, sample_weight, loss_scale
    ):
        """The loss, predictions and gradients of one training batch.

        With the updated non-trainable and metrics variables' values, as
        the JAX trainer's `compute_loss_and_updates`.
        """
        import torch

        model = self.model
        # Leaves of this function's own: their gradients are all it needs.
        trainable = [value.detach().requires_grad_() for value in trainable]
        with torch.enable_grad():
            y_pred, non_trainable, losses = model.stateless_call(
                trainable, non_trainable, x, return_losses=True, training=True
            )
            if losses:
                # The forward pass's own losses (`add_loss`) reach the loss.
                model._losses_override.clear()
                model._losses_override = losses
            loss, (_, non_trainable, metrics) = model.stateless_compute_loss(
                trainable,
                non_trainable,
                metrics,
                x=x,
                y=y,
                y_pred=y_pred,
                sample_weight=sample_weight,
                training=True,
            )
            if losses:
                model._losses_override.clear()
            gradients = torch.autograd.grad(
                loss * loss_scale, trainable, allow_unused=True
            )
        masks = _masks(y_pred)
        y_pred = tree.map_structure(lambda value: value.detach(), y_pred)
        return loss.detach(), (y_pred, masks), list(gradients), non_trainable, metrics

    def train_step(self, data):
        import torch

        model = self.model
        x, y, sample_weight = _tensors(keras.utils.unpack_x_y_sample_weight(data))
        trainable = model.trainable_variables
        loss, y_pred, gradients, non_trainable, metrics = self.gradients(
            _values(trainable),
            _values(model.non_trainable_variables),
            _values(model.metrics_variables),
            x,
            y,
            sample_weight,
            ops.cast(model.optimizer.scale_loss(1.0), "float32"),
        )
        # In a multi-process run: the mean over every process's share.
        loss, *gradients = multi_process.averaged([loss, *gradients])
        y_pred = _with_masks(*y_pred)
        _assign(model.non_trainable_variables, non_trainable)
        _assign(model.metrics_variables, metrics)
        model._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        with torch.no_grad():
            model.optimizer.apply(gradients, trainable)
        return model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        model = self.model
        x, y, sample_weight = _tensors(keras.utils.unpack_x_y_sample_weight(data))
        y_pred = self.predict(x)
        loss = model._compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False
        )
        [loss] = multi_process.averaged([loss])
        model._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        return model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        x, _, _ = _tensors(keras.utils.unpack_x_y_sample_weight(data))
        return self.predict(x)

    def predict(self, x):
        model = self.model
        outputs, masks = self.forward(
            _values(model.trainable_variables),
            _values(model.non_trainable_variables),
            x,
        )
        return _with_masks(outputs, masks)

    def clear(self):
        """Drops the captured graphs (the loss or the variables changed)."""
        self.forward.clear()
        self.gradients.clear()


def _tensors(data):
    """`data` with arrays as tensors: what a graph is captured for."""
    return tree.map_structure(
        lambda leaf: leaf if leaf is None else ops.convert_to_tensor(leaf), data
    )


def _masks(outputs):
    """The Keras masks attached to `outputs` (None where none is).

    A graph returns tensors only; the masks that the losses and metrics
    read off the outputs (a tagger's padded steps) come out beside them.
    """
    return tree.map_structure(get_keras_mask, outputs)


def _with_masks(outputs, masks):
    """`outputs` with `_masks`' masks attached again."""

    def attach(output, mask):
        if mask is not None:
            set_keras_mask(output, mask)
        return output

    return tree.map_structure(attach, outputs, masks)


def _values(variables):
    return [variable.value for variable in variables]


def _assign(variables, values):
    for variable, value in zip(variables, values):
        # A graph hands an unchanged value back as the tensor it was given.
        if value is not variable.value:
            variable.assign(value)


def _batch_size(x):
    return next(leaf for leaf in tree.flatten(x) if leaf is not None).shape[0]
