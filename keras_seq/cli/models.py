"""MODEL_OR_PRESET: a trained model, loaded with `Task.from_preset`.

`Task.from_preset` takes every source the commands take: a `.keras` file, a
folder written by `keras-seq train` (its `model.keras`), a preset folder
(its `metadata.json`), a Hugging Face checkpoint folder (its `config.json`,
converted by `keras_seq.convert`) and the name of a shipped preset
(`keras_seq.applications.list_presets()`). What the command prints besides
the model (its data set, its class names) comes from the run's
`history.json`, the preset's metadata or the checkpoint's `id2label`.

Example (from a shell, with a model trained by `keras-seq train`):

    from keras_seq.cli import models
    loaded = models.load("runs/text_classifier")
    loaded.model.predict(["a gripping film"]), loaded.labels
"""

import dataclasses
import os
import pathlib

from keras_seq.cli import environment
from keras_seq.cli import shipped
from keras_seq.cli.errors import UsageError
from keras_seq.cli.errors import one_line
from keras_seq.cli.files import HISTORY_FILE
from keras_seq.cli.files import read_json
from keras_seq.presets import format as preset_format


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
    on_disk = os.path.exists(reference)
    # Told before Keras is imported: a misspelled name at once.
    if not (on_disk or reference.endswith(".keras") or reference in shipped.names()):
        raise _unknown(reference)
    # A path on disk is a path, even where a shipped preset has its name.
    source = pathlib.Path(reference) if on_disk else reference
    try:
        kind = preset_format.source_kind(source)
    except ValueError as error:
        raise UsageError(one_line(error)) from None
    path = reference
    if kind == preset_format.RUN_FOLDER:
        path = os.path.join(reference, preset_format.RUN_MODEL_FILE)
    environment.import_keras()
    from keras_seq import convert  # registers its converter with from_preset
    from keras_seq.models import Task

    try:
        model = Task.from_preset(source)
    except (ValueError, OSError, TypeError) as error:
        failed = {
            preset_format.KERAS_FILE: f"cannot load {path}: ",
            preset_format.RUN_FOLDER: f"cannot load {path}: ",
            preset_format.CHECKPOINT_FOLDER: f"cannot convert {path}: ",
        }.get(kind, "")
        raise UsageError(failed + one_line(error)) from None
    if kind == preset_format.CHECKPOINT_FOLDER:
        return Loaded(model, path, labels=convert.labels(path))
    if kind in (preset_format.KERAS_FILE, preset_format.RUN_FOLDER):
        record = read_json(os.path.join(os.path.dirname(path), HISTORY_FILE)) or {}
        loaded = Loaded(model, path, record.get("dataset"), record.get("labels"))
        if record.get("builder") not in (None, loaded.builder):
            loaded.dataset, loaded.labels = None, None
        # Class names saved in the model itself (`ClassifierTask.labels`).
        saved = getattr(model, "labels", None)
        loaded.labels = loaded.labels or (list(saved) if saved else None)
        return loaded
    try:
        metadata = preset_format.read_metadata(source)
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
