"""LoRA on a Task, KerasHub's way: the adapters, their file, the merge.

Keras' `Dense`, `EinsumDense` and `Embedding` layers take a low-rank
adapter (`layer.enable_lora(rank)`): the kernel is frozen and two small
matrices `A` (in x rank) and `B` (rank x out, zeros at first) learn its
update, `kernel + (alpha / rank) * A @ B`. `LoraTask` gives every Task
KerasHub's `enable_lora(rank, target_layer_names)`, `save_lora_weights`
and `load_lora_weights`, and `merge_lora_weights` for serving. A `.keras`
file or preset saved from a model with adapters holds the merged kernels
(Keras merges them when it saves a layer's variables), so it loads as a
plain model; the adapter alone travels in a `.lora.h5` file.
"""

import os

import h5py
import numpy as np

# KerasHub's default targets: the attention's query and value projections.
DEFAULT_TARGETS = ("query", "value")
LORA_SUFFIX = ".lora.h5"


def lora_layers(model):
    """The model's layers with an adapter, in a fixed order."""
    return [
        layer
        for layer in model._flatten_layers(include_self=False)
        if getattr(layer, "lora_enabled", False)
    ]


def _adapter_variables(layer):
    """`{name: variable}` of the adapter of `layer` (`lora_kernel_a`, ...)."""
    return {
        variable.path.rsplit("/", 1)[-1]: variable
        for variable in layer.weights
        if variable.path.rsplit("/", 1)[-1].startswith("lora_")
    }


def _matches(layer, names):
    return layer.name in names or layer.path in names


def enable_lora(model, rank, target_layer_names=None, trainable_layer_names=()):
    """Adds adapters to the target layers and freezes every other weight.

    See `LoraTask.enable_lora`.
    """
    if type(rank) is not int or rank < 1:
        raise ValueError(f"`rank` must be a positive int. Received: rank={rank!r}")
    if lora_layers(model):
        raise ValueError(
            "LoRA is already enabled on this model: call `enable_lora` once "
            "(or `merge_lora_weights()` first, to start a new adapter)."
        )
    names = DEFAULT_TARGETS if target_layer_names is None else target_layer_names
    if isinstance(names, str):
        names = (names,)
    targets = [
        layer
        for layer in model._flatten_layers(include_self=False)
        if hasattr(layer, "enable_lora") and _matches(layer, names)
    ]
    if not targets:
        adaptable = sorted(
            {
                layer.name
                for layer in model._flatten_layers(include_self=False)
                if hasattr(layer, "enable_lora")
            }
        )
        raise ValueError(
            f"`target_layer_names` matches no layer that takes LoRA in this "
            f"{type(model).__name__}. Received: target_layer_names={names!r}; "
            f"layers that take it: {adaptable}"
        )
    for variable in model.weights:
        variable.trainable = False
    for layer in model._flatten_layers(include_self=False):
        if _matches(layer, trainable_layer_names):
            for variable in layer.weights:
                variable.trainable = True
    for layer in targets:
        layer.enable_lora(rank)
    model._forget_compiled_functions()


def save_lora_weights(model, filepath):
    """Writes the adapters alone to `filepath`; see `LoraTask.save_lora_weights`."""
    layers = lora_layers(model)
    if not layers:
        raise ValueError(
            "This model has no LoRA adapters to save: call `enable_lora(rank)` first."
        )
    filepath = os.fspath(filepath)
    if not filepath.endswith(LORA_SUFFIX):
        raise ValueError(
            f"`filepath` must end in {LORA_SUFFIX!r}. Received: filepath={filepath!r}"
        )
    # Written aside and moved in place: an interrupted save keeps the old file.
    partial = f"{filepath}.partial"
    with h5py.File(partial, "w") as file:
        file.attrs["rank"] = layers[0].lora_rank
        for layer in layers:
            group = file.create_group(layer.path)
            group.attrs["lora_alpha"] = layer.lora_alpha
            for name, variable in _adapter_variables(layer).items():
                group[name] = np.asarray(variable)
    os.replace(partial, filepath)
    return filepath


def load_lora_weights(model, filepath):
    """Reads the adapters of `filepath`; see `LoraTask.load_lora_weights`."""
    filepath = os.fspath(filepath)
    if not os.path.isfile(filepath):
        raise ValueError(f"`filepath` is no file. Received: filepath={filepath!r}")
    with h5py.File(filepath, "r") as file:
        paths = []
        file.visititems(
            lambda name, item: (
                paths.append(name)
                if isinstance(item, h5py.Group) and "lora_alpha" in item.attrs
                else None
            )
        )
        if not lora_layers(model):
            enable_lora(model, int(file.attrs["rank"]), target_layer_names=paths)
        layers = {layer.path: layer for layer in lora_layers(model)}
        if sorted(layers) != sorted(paths):
            raise ValueError(
                f"The adapters of {filepath} are on layers {sorted(paths)}; this "
                f"model's are on {sorted(layers)}: load it onto a model of the "
                "same builder, with no adapters or the same ones."
            )
        for path in paths:
            group, layer = file[path], layers[path]
            for name, variable in _adapter_variables(layer).items():
                value = group[name][()]
                if tuple(value.shape) != tuple(variable.shape):
                    raise ValueError(
                        f"The adapter {path}/{name} of {filepath} has shape "
                        f"{value.shape}; this model's has {tuple(variable.shape)} "
                        "(another rank or model size)."
                    )
                variable.assign(value)
            layer.lora_alpha = float(group.attrs["lora_alpha"])
    return model


def merge_lora_weights(model):
    """Folds each adapter into its kernel; see `LoraTask.merge_lora_weights`."""
    layers = lora_layers(model)
    if not layers:
        raise ValueError("This model has no LoRA adapters to merge.")
    for layer in layers:
        # Keras saves a layer with an adapter as its merged kernel (and, for
        # a quantized layer, the merged kernel quantized anew): load that
        # back into the layer without its adapter.
        store = {}
        layer.save_own_variables(store)
        layer._tracker.unlock()
        for name in _adapter_variables(layer):
            delattr(layer, name)
        layer._tracker.lock()
        layer.lora_enabled = False
        layer.load_own_variables(store)
    model._forget_compiled_functions()
    return model


class LoraTask:
    """KerasHub's LoRA methods on a Task (a mixin)."""

    def enable_lora(self, rank, target_layer_names=None, trainable_layer_names=()):
        """Adds LoRA adapters of `rank` and freezes every other weight.

        Each target layer (Keras' `Dense`, `EinsumDense` or `Embedding`)
        gets an adapter: its kernel frozen, two float32 matrices of `rank`
        trainable, the second zeros, so the model predicts as before. Every
        other weight is frozen, but those of `trainable_layer_names` (e.g.
        `["classifier"]`, the head of a classifier given new classes).
        Compile after this call, then `fit` trains the adapters only.

        Args:
            rank: the adapters' rank, a positive int.
            target_layer_names: the names (or paths, e.g.
                `"encoder/layer_0/self_attention/query"`) of the layers to
                adapt; None means KerasHub's default, `["query", "value"]`,
                the attention's query and value projections.
            trainable_layer_names: names or paths of layers trained in full.

        Raises:
            ValueError: a bad `rank`, no layer matched, or LoRA already on.

        Example, with an application of `keras_seq.applications`:

            model = TextClassifier.from_preset("rotten_tomatoes")
            model.enable_lora(rank=4)
            model.compile()
            model.fit(texts, labels)
            model.save_lora_weights("review.lora.h5")
        """
        enable_lora(self, rank, target_layer_names, trainable_layer_names)

    def save_lora_weights(self, filepath):
        """Saves the LoRA adapters alone, to a `.lora.h5` file (KerasHub's name).

        The file holds, per adapted layer (by path), its two matrices and
        alpha, and the rank: a few kilobytes where the model is megabytes.

        Args:
            filepath: the file to write; its name ends in `.lora.h5`.

        Returns:
            `filepath`.

        Raises:
            ValueError: no adapters, or another file name.
        """
        return save_lora_weights(self, filepath)

    def load_lora_weights(self, filepath):
        """Loads adapters saved by `save_lora_weights` (KerasHub's name).

        A model without adapters gets them first (the file's rank, on the
        file's layers), so a fresh preset plus the adapter file predicts as
        the fine-tuned model did.

        Args:
            filepath: a `.lora.h5` file.

        Returns:
            The model.

        Raises:
            ValueError: a missing file, or adapters on other layers or of
                other shapes than this model's.
        """
        return load_lora_weights(self, filepath)

    def merge_lora_weights(self):
        """Folds the adapters into the kernels and removes them, for serving.

        Each adapted kernel becomes `kernel + (alpha / rank) * A @ B` (a
        quantized kernel is quantized anew); the model then predicts as
        before with no extra matmuls, and saves, exports and quantizes as
        a plain model. `save` and `save_to_preset` of a model with
        adapters store these merged kernels too.

        Returns:
            The model.

        Raises:
            ValueError: the model has no adapters.
        """
        return merge_lora_weights(self)
