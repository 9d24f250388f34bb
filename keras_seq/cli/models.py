"""MODEL_OR_PRESET: a trained model from a file, a run's folder or a preset.

Accepted, in this order: a `.keras` file; a folder written by
`keras-seq train` (its `model.keras`); a preset folder (its
`metadata.json`); a Hugging Face checkpoint folder (its `config.json`,
converted by `keras_seq.convert`); the name of a shipped preset
(`keras_seq.applications.list_presets()`). What the command needs to
know besides the model (its data set, its class names) comes from the
run's `history.json` or the preset's metadata.
"""

import dataclasses
import os

from keras_seq.cli import environment
from keras_seq.cli import shipped
from keras_seq.cli.errors import UsageError
from keras_seq.cli.errors import one_line
from keras_seq.cli.files import HISTORY_FILE
from keras_seq.cli.files import MODEL_FILE
from keras_seq.cli.files import read_json


@dataclasses.dataclass
class Loaded:
    """A loaded model and what is known of it.

    Attributes:
        model: the application, with its preprocessor (if it has one).
        source: where it came from, for messages.
        dataset: the data set it was trained on, or None.
        labels: its class names, or None.
    """

    model: object
    source: str
    dataset: str = None
    labels: list = None

    @property
    def builder(self):
        return type(self.model).__name__

    def label(self, index):
        if self.labels and 0 <= index < len(self.labels):
            return self.labels[index]
        return f"class {index}"


def _unknown(reference):
    names = shipped.names()
    presets = ", ".join(names) if names else "none ship yet"
    return UsageError(
        f"no model or preset {reference!r}{shipped.closest(reference, names)}: "
        "give a .keras file, a folder written by `keras-seq train`, a preset "
        f"folder, or a shipped preset ({presets})"
    )


def _load_keras_file(keras, path):
    try:
        return keras.saving.load_model(path)
    except (OSError, ValueError, TypeError) as error:
        raise UsageError(f"cannot load {path}: {one_line(error)}") from None


def _labels_for(dataset):
    """The class names of a bundled data set, or None (no classes, or unknown)."""
    import importlib

    from keras_seq import datasets

    if dataset not in datasets.__all__:
        return None
    labels = getattr(
        importlib.import_module(f"keras_seq.datasets.{dataset}"), "LABELS", None
    )
    return None if labels is None else list(labels)


def load(reference):
    """Loads MODEL_OR_PRESET: a `Loaded`, or a UsageError naming what is allowed."""
    is_file = os.path.isfile(reference)
    is_dir = os.path.isdir(reference)
    if reference.endswith(".keras") and not is_file:
        raise UsageError(f"no such model file: {reference}")
    if is_file and not reference.endswith(".keras"):
        raise UsageError(
            f"{reference} is not a .keras model file (or a folder written by "
            "`keras-seq train`, or a preset)"
        )
    # Checked before Keras loads: a misspelled name is told at once.
    if not (is_file or is_dir) and reference not in shipped.names():
        raise _unknown(reference)
    keras = environment.import_keras()
    from keras_seq.models import Task

    if is_file or (is_dir and os.path.isfile(os.path.join(reference, MODEL_FILE))):
        path = reference if is_file else os.path.join(reference, MODEL_FILE)
        model = _load_keras_file(keras, path)
        record = read_json(os.path.join(os.path.dirname(path), HISTORY_FILE)) or {}
        loaded = Loaded(model, path, record.get("dataset"), record.get("labels"))
        if record.get("builder") not in (None, loaded.builder):
            loaded.dataset, loaded.labels = None, None
        return loaded
    if is_dir and not os.path.isfile(os.path.join(reference, "metadata.json")):
        if os.path.isfile(os.path.join(reference, "config.json")):
            return load_checkpoint(reference)
        raise UsageError(
            f"{reference} holds neither {MODEL_FILE} (a `keras-seq train` folder) "
            "nor metadata.json (a preset) nor config.json (a Hugging Face "
            "checkpoint)"
        )
    try:
        model = Task.from_preset(reference)
    except ValueError as error:
        raise UsageError(one_line(error)) from None
    from keras_seq.presets import preset as preset_format

    try:
        metadata = preset_format.read_metadata(reference)
    except (ValueError, OSError):
        metadata = {}
    dataset = metadata.get("dataset")
    loaded = Loaded(model, reference, dataset)
    loaded.labels = metadata.get("labels") or _labels_for(dataset)
    return loaded


def load_checkpoint(path):
    """A Hugging Face checkpoint folder, converted: a `Loaded` with its labels."""
    environment.import_keras()
    from keras_seq import convert

    try:
        model = convert.from_transformers(path)
    except (ValueError, OSError) as error:
        raise UsageError(f"cannot convert {path}: {one_line(error)}") from None
    return Loaded(model, path, labels=convert.labels(path))


def require_preprocessor(loaded, command):
    """The model's preprocessor; a UsageError if it takes model inputs only."""
    preprocessor = getattr(loaded.model, "preprocessor", None)
    if preprocessor is None:
        raise UsageError(
            f"{loaded.source} has no preprocessor, so `{command}` cannot read raw "
            "inputs; train it with `keras-seq train` or attach one before saving"
        )
    return preprocessor


def text_tokenizer(preprocessor):
    """The tokenizer of a text preprocessor (the source's for seq2seq), or None."""
    for name in ("tokenizer", "source_tokenizer"):
        tokenizer = getattr(preprocessor, name, None)
        if tokenizer is not None:
            return tokenizer
    return None
