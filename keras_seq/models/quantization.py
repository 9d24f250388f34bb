"""Quantizing a Task with Keras' `quantize`, saved and reloaded as KerasHub does.

Keras quantizes the layers that implement it (`Dense`, `EinsumDense`,
`Embedding`): each quantized layer's dtype policy names the mode (e.g.
`"int8_from_float32"`) and its variables change (an int8 kernel and its
scale). A Task rebuilds itself from its constructor arguments, so its
config carries those per-layer policies as the `dtype` argument, a
`keras.dtype_policies.DTypePolicyMap` keyed by layer path (KerasHub's
backbones do the same): every layer the builder creates then looks its own
path up and builds quantized variables, and the `.keras` file or preset's
weights load into them, on every backend.
"""

import keras

# The modes `Task.quantize` takes, and the Keras layers that implement
# each (Keras quantizes no subclass of them). Keras' float8 is float8
# training of the matmuls: Embedding has none.
QUANTIZABLE_LAYERS = {
    "int8": (keras.layers.Dense, keras.layers.EinsumDense, keras.layers.Embedding),
    "int4": (keras.layers.Dense, keras.layers.EinsumDense, keras.layers.Embedding),
    "float8": (keras.layers.Dense, keras.layers.EinsumDense),
}
MODES = tuple(QUANTIZABLE_LAYERS)


def check_mode(mode):
    """Raises a ValueError naming `mode` unless it is one of `MODES`."""
    if mode not in MODES:
        raise ValueError(
            f"`mode` must be one of {', '.join(map(repr, MODES))}. Received: "
            f"mode={mode!r}"
        )


def kept_float(model):
    """The layers `quantize` leaves in float: the token tables read as a head.

    A tied output head (`TransformerDecoderStack(tie_embeddings=True)`)
    multiplies by the token embedding table itself; Keras' quantized
    `Embedding` dequantizes only the rows it looks up, so the table stays
    float and both its uses stay exact.
    """
    return [
        layer.embedding.token_embedding
        for layer in model._flatten_layers()
        if getattr(layer, "tie_embeddings", False)
    ]


def layer_filter(model, mode, filters=None):
    """The `filters` callable of `keras.Model.quantize` for `model` and `mode`.

    Args:
        model: the Task.
        mode: one of `MODES`.
        filters: None, or the caller's own filter (a callable taking a
            layer), which must also accept the layer.
    """
    kept = {id(layer) for layer in kept_float(model)}
    types = QUANTIZABLE_LAYERS[mode]

    def accept(layer):
        if type(layer) not in types or id(layer) in kept:
            return False
        return filters is None or bool(filters(layer))

    return accept


def quantized_layers(model):
    """`{path: policy}` of the model's quantized layers."""
    return {
        layer.path: layer.dtype_policy
        for layer in model._flatten_layers(include_self=False)
        if layer.quantization_mode is not None
    }


def dtype_config(model):
    """The `dtype` of the model's config: its policy, or a per-layer map.

    A model with quantized layers gives a serialized `DTypePolicyMap` (its
    default the model's own policy, each quantized layer's policy under its
    path), which the builder passes to every layer it creates.
    """
    policy = model.dtype_policy
    default = getattr(policy, "default_policy", policy)
    layers = quantized_layers(model)
    if not layers:
        return keras.dtype_policies.serialize(default)
    policy_map = keras.dtype_policies.DTypePolicyMap(default_policy=default)
    for path, layer_policy in layers.items():
        policy_map[path] = layer_policy
    return keras.dtype_policies.serialize(policy_map)


def settle_policies(model, dtype):
    """Gives each layer built from a per-layer map its own policy; returns the model's.

    A builder passes its `dtype` to every layer; given a `DTypePolicyMap`
    (a quantized model's config), each layer builds with the policy under
    its path, but keeps the whole map as its `dtype_policy`, where parts of
    Keras read the map's default instead (a quantized `Dense` then saves
    its variables as float ones and fails). Each layer is given the policy
    of its path, and the model the map's default.

    Args:
        model: the Task, built.
        dtype: its `dtype` argument: None, a policy, or a policy map
            (serialized or not).

    Returns:
        The model's own policy (the map's default for a map).
    """
    policy = keras.dtype_policies.get(dtype)
    if not isinstance(policy, keras.dtype_policies.DTypePolicyMap):
        return policy
    for layer in model._flatten_layers(include_self=False):
        held = layer._dtype_policy
        if isinstance(held, keras.dtype_policies.DTypePolicyMap):
            # A layer never called has no path: its policy is the default.
            path = layer.path
            layer._dtype_policy = held[path] if path else held.default_policy
    return policy.default_policy


class QuantizableTask:
    """`Task.quantize`: Keras' `quantize`, made to save and reload (a mixin)."""

    def quantize(self, mode=None, config=None, filters=None, **kwargs):
        """Quantizes the model's weights in place: Keras' `Model.quantize`.

        The `Dense`, `EinsumDense` and `Embedding` layers are quantized
        (float8: the first two), except a token table that is also the
        tied output head. The model then saves (`save`, `save_to_preset`)
        and reloads quantized, on every backend: its config carries each
        layer's dtype policy (`keras_seq.models.quantization`). The
        compiled predict and generate functions are made anew. A model with
        LoRA adapters keeps them in float (QLoRA): they train on the
        quantized kernels.

        Args:
            mode: `"int8"`, `"int4"` or `"float8"`.
            config: None, or a `keras.quantizers.QuantizationConfig` for
                the mode.
            filters: None, or a callable taking a layer and returning
                whether to quantize it.
            **kwargs: Keras' other options of `Model.quantize`.

        Raises:
            ValueError: an unknown `mode`, or a model not built.

        Example, with an application of `keras_seq.applications`:

            model.quantize("int8")
            model.save("model_int8.keras")  # about a quarter of the float file
        """
        if mode is None and config is not None:
            mode = config.mode
        check_mode(mode)
        super().quantize(
            mode, config=config, filters=layer_filter(self, mode, filters), **kwargs
        )
        self._forget_compiled_functions()
