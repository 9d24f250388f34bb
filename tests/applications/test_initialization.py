"""No two weights of an application start out equal.

Keras 3 initializers are stateless: one instance shared by two layers
gives both the same values (query, key and value kernels that start
identical). Weights created constant on purpose (zeros, ones: biases,
class tokens, normalization) are left out.
"""

import itertools

import keras
import numpy as np
import pytest

from tests.application_cases import CASES
from tests.application_cases import build


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_shaped_weights_differ(name):
    keras.utils.set_random_seed(0)
    model = build(name)
    random_weights = [
        (variable.path, keras.ops.convert_to_numpy(variable))
        for variable in model.weights
        if len(variable.shape) >= 2
    ]
    random_weights = [
        (path, value) for path, value in random_weights if np.ptp(value) > 0
    ]
    assert random_weights
    for (path_a, a), (path_b, b) in itertools.combinations(random_weights, 2):
        if a.shape == b.shape:
            assert not np.allclose(a, b), f"{path_a} and {path_b} start out equal"
