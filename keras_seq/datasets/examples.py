"""The raw examples of a bundled data set's split, read in one place.

`load_examples(name, split)` is the one reader of the bundled data sets
for the code that trains or scores models on them: `keras-seq train` and
the held-out figures (`keras_seq.evaluation.held_out`) both call it, and
cut or filter its examples as their models need. It returns `(inputs,
targets)` as the applications take them: series as a list (their lengths
differ), Hamlet's text with no targets (None), and every other data set
as its `load_data(split)` gives it. Imports no Keras.

Example:

>>> inputs, targets = load_examples("japanese_vowels", "test")
>>> type(inputs).__name__, inputs[0].shape[1], len(inputs) == len(targets)
('list', 12, True)
>>> text, targets = load_examples("hamlet", "validation")
>>> type(text).__name__, targets
('str', None)
"""

import importlib


def get(name):
    """The module of the bundled data set `name` (`keras_seq.datasets.<name>`).

    Args:
        name: one of `keras_seq.datasets.__all__`.
    """
    from keras_seq import datasets

    if name not in datasets.__all__:
        raise ValueError(
            f"`name` must be one of the bundled data sets "
            f"({', '.join(datasets.__all__)}). Received: name={name!r}"
        )
    return importlib.import_module(f"keras_seq.datasets.{name}")


def class_names(name):
    """The class names of the labelled data set `name`, as a tuple.

    Args:
        name: a bundled data set with labels (`rotten_tomatoes`, `mnist`...).
    """
    return tuple(get(name).LABELS)


def _series(module, split):
    series, labels = module.load_data(split)
    return list(series), labels


def _text(module, split):
    return module.load_data(split), None


_READERS = {"japanese_vowels": _series, "hamlet": _text}


def load_examples(name, split):
    """The raw `(inputs, targets)` of one split of the bundled data set `name`.

    Args:
        name: one of `keras_seq.datasets.__all__`.
        split: `"train"`, `"validation"` or `"test"`.
    """
    module = get(name)
    reader = _READERS.get(name)
    return module.load_data(split) if reader is None else reader(module, split)
