"""JAX only: the variables of a model whose Keras loop failed, put back.

Keras' JAX trainer detaches the variables' values while `fit`, `evaluate`
and `predict` run (`_purge_model_variables`) and attaches them again only
at the end. A call that fails on the way (a trace that raises, a callback,
a bad batch) leaves every variable empty, and the next call fails with
"'NoneType' object is not callable". `state_restorer` writes the loop's
last state back (what `fit` had learned) and gives any variable still
empty the value it had before the call.
"""


def state_restorer(model):
    """Returns a function that makes `model` usable after a failed Keras loop.

    Called before the loop: it records the values of the model's,
    optimizer's and metrics' variables. The function returned, called
    after the loop failed, syncs the trainer's state back into the
    variables and restores any variable left empty.

    Args:
        model: a `keras.Model` trained, evaluated or run by Keras' JAX
            trainer.

    Example:

    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> if keras.backend.backend() == "jax":
    ...     restore = state_restorer(model)  # Before the loop.
    ...     restore()  # After it failed.
    >>> model.predict(np.ones((1, 2)), verbose=0).shape
    (1, 1)
    """
    saved = [(variable, variable._value) for variable in _state_variables(model)]

    def restore():
        try:
            model.jax_state_sync()
        finally:
            for variable, value in saved:
                if variable._value is None:
                    variable._value = value
            model._jax_state = None
            model._jax_state_synced = True

    return restore


def _state_variables(model):
    """The variables a Keras loop may detach: model, optimizer, metrics."""
    variables = list(model.trainable_variables) + list(model.non_trainable_variables)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        variables += list(optimizer.variables)
    variables += list(model.metrics_variables)
    unique = {id(variable): variable for variable in variables}
    return list(unique.values())
