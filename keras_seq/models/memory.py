"""Memory for time in training: gradient accumulation and rematerialisation.

`Task.compile(gradient_accumulation_steps=N)` gives the optimizer Keras'
own `gradient_accumulation_steps`: the gradients of N batches are
averaged before one update, so N batches of b examples train as one of
N * b, in the memory of b. `Task.compile(remat=True)` recomputes each
transformer layer's activations in the backward pass instead of keeping
them (Keras' `keras.remat`: `jax.checkpoint`, `tf.recompute_grad`,
`torch.utils.checkpoint`), so training keeps one layer's activations at
a time, at the cost of a second forward pass. The layers must have no
dropout: recomputed, they would draw other masks than the forward pass.
The optimizer's accumulation is saved with the model; `remat` is not.

Keras' `keras.RematScope` wraps a layer's whole call, whose arguments
must then all be tensors (JAX traces `training=True`; TensorFlow takes
no keyword arguments in a graph): here only the tensors go through
`keras.remat` and the other arguments (flags, None) are bound around it.
"""

import keras

from keras_seq.layers.transformer_block import TransformerBlock

_RECOMPUTED = "_keras_seq_remat"


def with_accumulation(optimizer, steps):
    """`optimizer` accumulating the gradients of `steps` batches per update.

    Args:
        optimizer: a Keras optimizer or its name, not yet used.
        steps: None or 1 (an update every batch), or an int >= 2.

    Returns:
        The optimizer (a new one of the same config when `steps` >= 2).

    Raises:
        ValueError: a bad `steps`, or an optimizer that already trained.
    """
    if steps is None or (type(steps) is int and steps == 1):
        return optimizer
    if type(steps) is not int or steps < 1:
        raise ValueError(
            "`gradient_accumulation_steps` must be a positive int (1: an update "
            f"every batch). Received: gradient_accumulation_steps={steps!r}"
        )
    optimizer = keras.optimizers.get(optimizer)
    if optimizer.built:
        raise ValueError(
            "`gradient_accumulation_steps` needs an optimizer that has not "
            "trained yet: give a new one, or its name"
        )
    config = dict(optimizer.get_config(), gradient_accumulation_steps=steps)
    return type(optimizer).from_config(config)


def transformer_layers(model):
    """The model's transformer layers (encoder and decoder blocks)."""
    return [
        layer
        for layer in model._flatten_layers(include_self=False)
        if isinstance(layer, TransformerBlock)
    ]


def _recomputed(call):
    """`call` whose tensor arguments go through `keras.remat`."""

    def call_with_remat(*args, **kwargs):
        slots = list(enumerate(args)) + list(kwargs.items())
        # Only float tensors carry gradients (TensorFlow refuses others).
        tensor_slots = [
            slot
            for slot, value in slots
            if keras.ops.is_tensor(value)
            and keras.backend.is_float_dtype(
                keras.backend.standardize_dtype(value.dtype)
            )
        ]

        def forward(*values):
            given = dict(slots)
            given.update(zip(tensor_slots, values))
            positional = [given.pop(index) for index in range(len(args))]
            return call(*positional, **given)

        return keras.remat(forward)(*[dict(slots)[slot] for slot in tensor_slots])

    call_with_remat.__wrapped__ = call
    return call_with_remat


def set_remat(model, enabled):
    """Recomputes (or stops recomputing) each transformer layer's activations.

    Args:
        model: the Task.
        enabled: a bool.

    Raises:
        ValueError: `enabled` is not a bool, or the model has no transformer
            layer to recompute, or its transformer layers have dropout.
    """
    if type(enabled) is not bool:
        raise ValueError(f"`remat` must be True or False. Received: remat={enabled!r}")
    layers = transformer_layers(model)
    if enabled and not layers:
        raise ValueError(
            f"`remat` recomputes transformer layers; this {type(model).__name__} "
            "has none (its recurrent or other layers keep their activations)"
        )
    dropout = max([layer.dropout for layer in layers], default=0)
    if enabled and dropout:
        # Recomputed, a layer draws new dropout masks (JAX and TensorFlow):
        # its gradients would be another forward pass's.
        raise ValueError(
            f"`remat` needs transformer layers without dropout; this "
            f"{type(model).__name__}'s have dropout={dropout} (build it, or "
            "load its preset, with dropout=0)"
        )
    for layer in layers:
        wrapped = getattr(layer, _RECOMPUTED, False)
        if enabled and not wrapped:
            layer.call = _recomputed(layer.call)
        elif wrapped and not enabled:
            layer.call = layer.call.__wrapped__
        object.__setattr__(layer, _RECOMPUTED, enabled)
