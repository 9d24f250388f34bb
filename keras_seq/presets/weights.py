"""The `weights` argument of every builder: None, a preset or a `.weights.h5` file.

`weights` is None, a shipped preset's name, a preset folder written by
`save_to_preset`, or the path of a `.weights.h5` file. A preset given to a
builder (`ViT(weights="mnist_vit")`) is resolved before the model is built:
`Task` wraps each builder's constructor with `accept_presets_as_weights`, so
the sizes come from the preset and its preprocessor is attached.
`load_weights(model, weights)` on a model already built loads only the
weights, every file of a preset checked first.

Example:

>>> from keras_seq.applications import RNNClassifier
>>> model = RNNClassifier(weights="japanese_vowels_lstm")  # sizes from the preset
>>> model.preprocessor is not None
True
"""

import difflib
import functools
import inspect
import os

import keras
import numpy as np

from keras_seq.presets import format as preset_format
from keras_seq.presets.load import load_preset_weights
from keras_seq.presets.load import open_preset
from keras_seq.presets.weights_file import load_weights_file


def _weights_file(weights):
    """The `.weights.h5` file `weights` names, or a ValueError saying what may be."""
    if isinstance(weights, (str, os.PathLike)):
        path = os.fspath(weights)
        if path.endswith(".weights.h5") and os.path.isfile(path):
            return path
    known = sorted(preset_format.shipped_presets())
    names = ", ".join(repr(name) for name in known) or "none yet"
    close = []
    if isinstance(weights, (str, os.PathLike)):
        close = difflib.get_close_matches(os.fspath(weights), known, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        "`weights` must be None, a registered name (registered: "
        f"{names}), a preset folder or the path of an existing "
        f"`.weights.h5` file.{hint} Received: weights={weights!r}"
    )


def load_weights(model, weights):
    """Loads `weights` into `model` and returns it; `weights=None` loads nothing.

    Args:
        model: a built Keras model.
        weights: None, a shipped preset's name or a preset folder (its
            weights only, every file checked first), or the path of a
            `.weights.h5` file saved from a model of the same architecture.

    Raises:
        ValueError: for anything else, naming the shipped presets (and the
            closest name), or for a file that does not fit `model`.

    Example:

    >>> import os, tempfile
    >>> def build():
    ...     return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> trained = build()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "dense.weights.h5")
    ...     trained.save_weights(path)
    ...     model = load_weights(build(), path)
    >>> pairs = zip(model.get_weights(), trained.get_weights())
    >>> all(np.array_equal(loaded, saved) for loaded, saved in pairs)
    True
    """
    if weights is None:
        return model
    if preset_format.is_preset_reference(weights):
        return load_preset_weights(model, weights)
    return load_weights_file(model, _weights_file(weights))


def accept_presets_as_weights(cls):
    """Lets the builder `cls` take a preset as `weights` (keras.applications' way).

    Wraps `cls.__init__` when it defines one with a `weights` argument:
    given a shipped preset's name or a preset folder, the wrapper checks
    every file, takes the constructor arguments from the preset (those the
    caller gives must agree, see `OpenPreset.arguments`), builds the model
    with the preset's preprocessor (unless the caller passes one) and
    loads its weights. Any other `weights` reaches `cls.__init__` as it is.
    The wrapper also makes NumPy integer arguments Python ints, and refuses
    `keras.models.clone_model`'s call with tensors.

    Args:
        cls: a subclass of `Task` (called from `Task.__init_subclass__`).
    """
    init = cls.__dict__.get("__init__")
    if init is None or getattr(init, "_takes_presets", False):
        return
    try:
        signature = inspect.signature(init)
    except (TypeError, ValueError):
        return
    if "weights" not in signature.parameters:
        return
    var_keyword = next(
        (
            p.name
            for p in signature.parameters.values()
            if p.kind is inspect.Parameter.VAR_KEYWORD
        ),
        None,
    )

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        _refuse_graph_tensors(cls, args)
        args, kwargs = _plain_ints(args), _plain_ints(kwargs)
        try:
            bound = signature.bind_partial(self, *args, **kwargs)
        except TypeError:
            return init(self, *args, **kwargs)
        weights = bound.arguments.get("weights")
        if not preset_format.is_preset_reference(weights):
            if _names_no_file(weights) and not _binds(signature, self, *args, **kwargs):
                # Meant as a preset (no sizes given), but there is none of
                # that name: say so, not that the sizes are missing.
                raise ValueError(
                    preset_format.unknown_preset_message("weights", weights)
                    + f". (Without a preset, {cls.__name__} needs its sizes; "
                    "`weights` may then also be a `.weights.h5` file.)"
                )
            return init(self, *args, **kwargs)
        given = {}
        for key, value in list(bound.arguments.items())[1:]:
            if key == var_keyword:
                given.update(value)
            elif key != "weights":
                given[key] = value
        with open_preset(weights) as opened:
            opened.check_builder(type(self), instance=True)
            arguments = opened.arguments(given)
            if "preprocessor" not in given:
                arguments["preprocessor"] = opened.preprocessor()
            init(self, **arguments, weights=None)
            opened.load_weights(self)

    __init__._takes_presets = True
    cls.__init__ = __init__


def _names_no_file(weights):
    """Whether `weights` is a name or path of no existing file."""
    return isinstance(weights, (str, os.PathLike)) and not os.path.isfile(weights)


def _binds(signature, *args, **kwargs):
    """Whether `args` and `kwargs` give every required argument of `signature`."""
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        return False
    return True


def _plain_ints(value):
    """`value` with every NumPy integer (in tuples, lists, dicts) a Python int.

    Keras layers and JSON configs take Python ints only; a builder takes
    every integer type (`np.int64(8)` as well as `8`).
    """
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain_ints(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain_ints(item) for key, item in value.items()}
    return value


def _refuse_graph_tensors(cls, args):
    """Refuses `keras.models.clone_model`'s call of a builder with its graph.

    `clone_model` calls the class with the cloned input and output tensors,
    as if it were `keras.Model(inputs, outputs)`; a builder takes sizes.
    """
    if args and any(
        isinstance(leaf, keras.KerasTensor) for leaf in keras.tree.flatten(args[0])
    ):
        raise TypeError(
            f"{cls.__name__} is built from its sizes, not from input and output "
            "tensors, so `keras.models.clone_model` cannot rebuild it. Copy it "
            f"with `{cls.__name__}.from_config(model.get_config())` (new "
            "weights; then `copy.set_weights(model.get_weights())` to copy "
            "them too), or save and load it."
        )
