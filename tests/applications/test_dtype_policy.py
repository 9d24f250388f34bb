"""Every application honours a dtype policy, given or global.

Every layer computes in the mixed dtype, every variable stays float32,
the outputs the losses read (the classifier's activation, the logits)
are float32, and a short `fit` gives finite losses.
"""

import keras
import numpy as np
import pytest

from tests.application_cases import CASES
from tests.application_cases import batch
from tests.application_cases import build
from tests.tiers import default_and_slow

POLICIES = ("mixed_bfloat16", "mixed_float16")


def _layers(model):
    """Every layer of `model`, nested ones included (not the inputs)."""
    return [
        layer
        for layer in model._flatten_layers()
        if layer is not model and not isinstance(layer, keras.layers.InputLayer)
    ]


# The one layer kept in float32 on purpose: the classifiers' activation
# (a softmax, whose output the loss reads). The generative models' heads
# compute in the mixed dtype and hand the loss float32 logits themselves.
FLOAT32_LAYERS = ("predictions",)


def _check(model, policy):
    for layer in _layers(model):
        expected = "float32" if layer.name in FLOAT32_LAYERS else policy
        assert layer.dtype_policy.name == expected, (
            f"{layer.name}: {layer.dtype_policy.name} under {policy}"
        )
    assert all(variable.dtype == "float32" for variable in model.weights)
    assert model.dtype_policy.name == policy


# Every application under both policies; the default run takes a
# classifier, an image model and a generator of each kind.
CASES_AND_POLICIES = default_and_slow(
    [(name, policy) for name in sorted(CASES) for policy in POLICIES],
    default={
        ("text_classifier_mean", "mixed_bfloat16"),
        ("vit", "mixed_float16"),
        ("causal_lm_transformer", "mixed_float16"),
        ("seq2seq_lstm", "mixed_bfloat16"),
    },
)


@pytest.mark.parametrize("name, policy", CASES_AND_POLICIES)
def test_dtype_argument(name, policy):
    model = build(name, dtype=policy)
    _check(model, policy)
    x, y = batch(name)
    outputs = model(x)
    assert keras.backend.standardize_dtype(outputs.dtype) == "float32"
    model.compile()
    history = model.fit(x, y, epochs=2, batch_size=len(y), verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert type(model).from_config(model.get_config()).dtype_policy.name == policy


@pytest.mark.parametrize("name", ("text_classifier_mean", "causal_lm_transformer"))
def test_global_policy(name):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = build(name)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    _check(model, "mixed_bfloat16")
