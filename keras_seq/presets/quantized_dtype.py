"""A new `dtype` for a quantized preset: its float policy, its quantized layers kept.

A quantized preset's `dtype` is a `keras.dtype_policies.DTypePolicyMap`
(`keras_seq.models.quantization`): the model's float policy, and under
each quantized layer's path a policy such as `"int8_from_float32"`.
`from_preset(quantized, dtype="mixed_bfloat16")` keeps each layer quantized
and gives it the requested float policy (`"int8_from_mixed_bfloat16"`), so
the preset's int8 weights still fit.
"""

import keras


def with_float_policy(stored, requested):
    """The `dtype` argument of a preset whose stored `dtype` is `stored`.

    Args:
        stored: the preset's `dtype` (a serialized policy or policy map).
        requested: the caller's `dtype` (a name, policy or policy map).

    Returns:
        `requested` (None: `stored`), or for a quantized preset and a float
        `requested`, the stored map with `requested` as its default and in
        each quantized layer's policy.
    """
    if requested is None:  # The preset's own, quantized or not.
        return stored
    if not isinstance(stored, dict) or isinstance(
        requested, (dict, keras.dtype_policies.DTypePolicyMap)
    ):
        return requested
    policy_map = keras.dtype_policies.deserialize(stored)
    if not isinstance(policy_map, keras.dtype_policies.DTypePolicyMap):
        return requested
    default = keras.dtype_policies.get(requested)
    merged = keras.dtype_policies.DTypePolicyMap(default_policy=default)
    for path, policy in policy_map.items():
        merged[path] = keras.dtype_policies.get(
            f"{policy.quantization_mode}_from_{default.name}"
        )
    return keras.dtype_policies.serialize(merged)
