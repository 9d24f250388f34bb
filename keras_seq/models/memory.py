"""Memory for time in training: gradient accumulation and rematerialisation.

`Task.compile(gradient_accumulation_steps=N)` gives the optimizer Keras'
own `gradient_accumulation_steps`: the gradients of N batches are
averaged before one update, so N batches of b examples train as one of
N * b, in the memory of b. `Task.compile(remat=True)` recomputes each
transformer layer's activations in the backward pass instead of keeping
them (Keras' `keras.remat`: `jax.checkpoint`, `tf.recompute_grad`,
`torch.utils.checkpoint`), so training keeps one layer's activations at
a time, at the cost of a second forward pass. The optimizer's
accumulation is saved with the model; `remat` is not.

Dropout: recomputed, a layer would draw other masks than its forward
pass did, and its gradients would be another pass's (TensorFlow draws new
seeds; JAX would leak the seed state out of the checkpointed function;
PyTorch replays only its global generator, which Keras' unseeded dropout
happens to use). So a recomputed layer in training draws ONE seed, from
its own dropout's `SeedGenerator`, outside `keras.remat`, and every
dropout inside the recomputed function draws from a `_ReplayedSeeds`
started from it: seeds that depend only on that seed and the order of the
draws, so the forward pass and its recomputation draw the same masks,
and the next step (its seed drawn anew) other ones.

Keras' `keras.RematScope` wraps a layer's whole call, whose arguments
must then all be tensors (JAX traces `training=True`; TensorFlow takes
no keyword arguments in a graph): here only the float tensors go through
`keras.remat`; the other arguments (flags, None) and the seed are bound
around it.
"""

import contextlib
import inspect

import keras

from keras_seq.layers.transformer_block import TransformerBlock

_RECOMPUTED = "_keras_seq_remat"
# Draw k of a replayed call uses the seed [s + k * _STRIDE, t] for the drawn
# [s, t]: steps differ in t (a SeedGenerator adds [0, 1] per draw), draws
# in s, and PyTorch, which seeds with s + t, meets a step's draws again
# only 2**20 steps later.
_STRIDE = 2**20


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


class _ReplayedSeeds(keras.random.SeedGenerator):
    """Seeds that depend only on one drawn seed and the order of the draws.

    Made anew for each run of a recomputed function, it gives the forward
    pass and the recomputation the same sequence of seeds. It has no state
    variable (it lives inside one traced call), so it does not call
    `SeedGenerator.__init__`, which would make one.

    Args:
        seed: the seed drawn outside `keras.remat`, a tensor of shape (2,).
    """

    def __init__(self, seed):
        self.seed = seed
        self.draws = 0
        # Not None: PyTorch's dropout draws an unseeded generator's masks
        # from its global generator instead of from `next()`.
        self._initial_seed = seed

    def next(self, ordered=True):
        self.draws += 1
        dtype = keras.backend.standardize_dtype(self.seed.dtype)
        step = keras.ops.convert_to_tensor([self.draws * _STRIDE, 0], dtype=dtype)
        return keras.ops.add(self.seed, step)


def _dropouts(layer):
    """The layer's dropout sublayers that draw masks."""
    return [
        sublayer
        for sublayer in layer._flatten_layers(include_self=False)
        if isinstance(sublayer, keras.layers.Dropout) and sublayer.rate > 0
    ]


@contextlib.contextmanager
def _replaying(dropouts, seed):
    """Every one of `dropouts` draws from one `_ReplayedSeeds(seed)`."""
    own = [dropout.seed_generator for dropout in dropouts]
    replayed = _ReplayedSeeds(seed)
    # object.__setattr__: the layers' trackers must not adopt it.
    for dropout in dropouts:
        object.__setattr__(dropout, "seed_generator", replayed)
    try:
        yield
    finally:
        for dropout, generator in zip(dropouts, own):
            object.__setattr__(dropout, "seed_generator", generator)


def _recomputed(layer):
    """`layer.call` whose float tensor arguments go through `keras.remat`."""
    call = layer.call
    signature = inspect.signature(call)

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
        training = signature.bind(*args, **kwargs).arguments.get("training")
        dropouts = _dropouts(layer) if training else []
        # Drawn here, once, from the block's own dropout (its attention's
        # have the same rate): the recomputation must not draw again.
        seed = layer.dropout_layer.seed_generator.next() if dropouts else None

        def forward(*values):
            given = dict(slots)
            given.update(zip(tensor_slots, values))
            positional = [given.pop(index) for index in range(len(args))]
            with _replaying(dropouts, seed):
                return call(*positional, **given)

        return keras.remat(forward)(*[dict(slots)[slot] for slot in tensor_slots])

    call_with_remat.__wrapped__ = call
    return call_with_remat


def set_remat(model, enabled):
    """Recomputes (or stops recomputing) each transformer layer's activations.

    In training, a recomputed layer's dropout masks come from one seed drawn
    per call outside `keras.remat`, so its recomputation replays them.

    Args:
        model: the Task.
        enabled: a bool.

    Raises:
        ValueError: `enabled` is not a bool, or the model has no transformer
            layer to recompute.
    """
    if type(enabled) is not bool:
        raise ValueError(f"`remat` must be True or False. Received: remat={enabled!r}")
    layers = transformer_layers(model)
    if enabled and not layers:
        raise ValueError(
            f"`remat` recomputes transformer layers; this {type(model).__name__} "
            "has none (its recurrent or other layers keep their activations)"
        )
    for layer in layers:
        wrapped = getattr(layer, _RECOMPUTED, False)
        if enabled and not wrapped:
            layer.call = _recomputed(layer)
        elif wrapped and not enabled:
            layer.call = layer.call.__wrapped__
        object.__setattr__(layer, _RECOMPUTED, enabled)
