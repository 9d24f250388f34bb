import keras
import pytest

BACKEND = keras.backend.backend()


def default_under(*backends):
    """Marks a test slow except under `backends`: the default run of
    `make test` keeps each serving check on one backend or two (the slow run
    runs all of them everywhere)."""
    return pytest.mark.slow if BACKEND not in backends else (lambda test: test)
