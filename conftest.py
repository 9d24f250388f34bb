"""What pytest needs for the docstring examples of keras_seq/.

`pytest` runs every `>>>` example in keras_seq/ as a doctest
(`--doctest-modules` and `testpaths` in pyproject.toml), under whichever
`KERAS_BACKEND` is set, so `make test` runs them under all three backends.
The examples may use `np`, `keras` and `ops` without importing them, as
Keras' own docstrings do. The tests under tests/ have their own conftest.
"""

import keras
import numpy as np
import pytest


@pytest.fixture(autouse=True, scope="session")
def keras_names_for_examples(doctest_namespace):
    doctest_namespace.update(np=np, keras=keras, ops=keras.ops)


@pytest.fixture(autouse=True)
def fresh_keras_state_for_examples(request):
    """Each docstring starts with float32, a seeded RNG and no leftover names."""
    if not isinstance(request.node, pytest.DoctestItem):
        yield
        return
    keras.config.set_dtype_policy("float32")
    keras.utils.set_random_seed(1337)
    yield
    keras.config.set_dtype_policy("float32")
    keras.backend.clear_session(free_memory=False)
