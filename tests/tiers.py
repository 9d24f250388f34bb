"""The default run and the slow one: which parameters of a test go where.

`make test` leaves out the tests marked `slow`, to stay within CI's time;
`make test PYTEST_ARGS=` runs them all. A test run over many
applications, policies or samplers keeps a few representative ones in the
default run and marks the rest slow.
"""

import keras
import pytest

BACKENDS = ("tensorflow", "jax", "torch")


def default_and_slow(values, default):
    """`values` as parameters, those not in `default` marked slow.

    A tuple value is the parameters of a test with several.

    Example:

    >>> [bool(p.marks) for p in default_and_slow(["a", "b"], default={"a"})]
    [False, True]
    """
    return [
        pytest.param(
            *(value if isinstance(value, tuple) else (value,)),
            marks=() if value in default else pytest.mark.slow,
        )
        for value in values
    ]


def other_backends():
    """The backends besides this run's, as parameters of a cross-backend test.

    The default run loads under the next backend of `BACKENDS` in turn
    (TensorFlow to JAX, JAX to PyTorch, PyTorch to TensorFlow): over the
    three runs of `make test` every backend writes once and reads once.
    The other direction is slow.
    """
    here = BACKENDS.index(keras.backend.backend())
    following = BACKENDS[(here + 1) % len(BACKENDS)]
    others = [backend for backend in BACKENDS if backend != BACKENDS[here]]
    return default_and_slow(others, default={following})


def default_only_under(backend):
    """A decorator: the test runs by default under `backend`, slow elsewhere.

    For a test whose cost is high and whose subject does not change with
    the backend (or changed only with `backend`): one backend's default
    run keeps it, the slow run checks it on every backend.
    """
    if keras.backend.backend() == backend:
        return lambda test: test
    return pytest.mark.slow


def spread_over_backends(values):
    """`values` as parameters, each one in the default run of one backend.

    The i-th value runs by default under `BACKENDS[i % 3]` and is slow
    under the others: the three runs of `make test` cover every value
    once between them, and the slow run every value on every backend.
    """
    here = BACKENDS.index(keras.backend.backend())
    return default_and_slow(values, default=set(values[here :: len(BACKENDS)]))
