"""No two kernels of an application start out equal.

Keras 3 initializers are stateless: one instance shared by two layers
gives both the same values (query, key and value kernels that start
identical).
"""

import keras
import pytest

from tests.application_cases import CASES
from tests.application_cases import build
from tests.layer_checks import check_distinct_initial_weights


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_shaped_kernels_differ(name):
    keras.utils.set_random_seed(0)
    check_distinct_initial_weights(build(name))
