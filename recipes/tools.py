"""What the recipes share: seeding, resumable training, the shipped preset.

Each recipe `recipes/<name>/train.py` trains on the data set's train
split, selects its epoch on the validation split only, measures the
held-out figure once on the test split, and writes the preset folder into
the package (`keras_seq/presets/files/<name>/`), its
`metadata.json` digest into the registry `keras_seq/presets/shipped.json`, and its
figures into `recipes/<name>/results.json` (which the model card
quotes).

Training resumes where it stopped, with the callbacks `keras-seq train`
uses (`keras_seq.callbacks`): `AtomicBackupAndRestore` keeps the model,
optimizer and epoch after every epoch; `EpochHistory` keeps the per-epoch
history, from which `BestWeights` reads back the best validation figure
so far, so that it goes on keeping the best epoch across an interruption.
"""

import hashlib
import json
import os
import pathlib
import sys
import tempfile

import keras

from keras_seq.callbacks import AtomicBackupAndRestore
from keras_seq.callbacks import BestWeights
from keras_seq.callbacks import EpochHistory
from keras_seq.callbacks import epoch_logs

HISTORY_FILE = "history.json"
REPO = pathlib.Path(__file__).resolve().parents[1]
REGISTRY_FILE = REPO / "keras_seq" / "presets" / "shipped.json"


def preset_folder(name):
    """Where the shipped preset `name` lives in the package."""
    return REPO / "keras_seq" / "presets" / "files" / name


def work_folder(name, settings):
    """The recipe's resumable state: backup, history and best weights.

    One folder per preset, backend and settings (a dict), so that a run
    with other settings never resumes from this one's state.
    """
    key = json.dumps(settings, sort_keys=True)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    folder = (
        pathlib.Path(tempfile.gettempdir())
        / "keras_seq_recipes"
        / f"{name}-{keras.backend.backend()}-{digest}"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def read_history(folder):
    """The record `EpochHistory` keeps in `folder` (None if there is none)."""
    path = folder / HISTORY_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def training_callbacks(folder, monitor, mode):
    """Resumable training that keeps the epoch best on `monitor` (validation).

    The backup outlives the run: the same command resumes an interrupted
    run and reuses a finished one (delete the folder to train it again).

    Returns:
        `(callbacks, best_weights_path)`.
    """
    backup = AtomicBackupAndRestore(str(folder / "backup"), delete_checkpoint=False)
    completed = backup.completed_epochs()
    if not completed:
        # Nothing to resume: start over.
        for stale in (HISTORY_FILE, "best.weights.h5"):
            (folder / stale).unlink(missing_ok=True)
    prior = epoch_logs(read_history(folder), completed)
    best_path = folder / "best.weights.h5"
    callbacks = [
        # Before the backup, so that they hold every epoch the backup holds.
        EpochHistory(str(folder / HISTORY_FILE), prior=prior),
        BestWeights(str(best_path), monitor, prior=prior, mode=mode),
        backup,
    ]
    return callbacks, best_path


def warmup_cosine(peak, steps, alpha=0.0):
    """A learning rate warmed up from 0 over 5 % of `steps`, then cosine-decayed.

    It rises linearly to `peak`, then falls to `alpha * peak` at `steps`:
    a transformer trained on little data is sensitive to large early steps.
    """
    warmup = max(1, steps // 20)
    return keras.optimizers.schedules.CosineDecay(
        0.0, steps - warmup, alpha=alpha, warmup_target=peak, warmup_steps=warmup
    )


def average_weights(model, paths):
    """Sets `model`'s trainable weights to their mean over the weight files."""
    total = [0.0 for _ in model.trainable_variables]
    for path in paths:
        model.load_weights(path)
        for index, variable in enumerate(model.trainable_variables):
            total[index] = total[index] + keras.ops.convert_to_numpy(variable)
    for variable, value in zip(model.trainable_variables, total):
        variable.assign(value / len(paths))


def fine_tuned_soup(
    model, optimizer, name, settings, training_data, validation_data, runs, epochs
):
    """Fine-tunes `runs` runs of `model` from its weights and averages them.

    A uniform model soup (Wortsman et al., 2022, "Model soups"): every run
    starts from the same weights, trains on its own `training_data(run)`
    (another order of batches, other augmentations), keeps its epoch best
    on validation accuracy, and the kept weights are averaged into one
    model of the same size, so prediction costs what one run's does.

    Args:
        model: the classifier with its preprocessor, at its starting
            weights; each run compiles it anew.
        optimizer: a function returning a new optimizer, one per run.
        name: the preset's name (for the resumable work folders).
        settings: the recipe's settings (each run has its own folder).
        training_data: a function of the run's index returning its
            training batches (a `keras.utils.PyDataset`).
        validation_data: `(inputs, labels)`, raw inputs as the model's
            preprocessor takes them.
        runs: how many fine-tunings.
        epochs: the epochs of each.

    Returns:
        The training summary: each run's history summary, their epochs and
        seconds, and the validation accuracy of the soup, which `model`
        now holds.
    """
    start = [keras.ops.convert_to_numpy(v) for v in model.trainable_variables]
    summaries, best_paths = [], []
    for run in range(runs):
        for variable, value in zip(model.trainable_variables, start):
            variable.assign(value)
        model.compile(optimizer=optimizer())
        folder = work_folder(name, {**settings, "run": run})
        callbacks, best_path = training_callbacks(folder, "val_accuracy", "max")
        model.fit(
            training_data(run),
            validation_data=validation_data,
            # Batches of 100 divide the validation splits: under JAX a
            # smaller last batch would compile the step function again.
            validation_batch_size=100,
            epochs=epochs,
            callbacks=callbacks,
            verbose=2,
        )
        summaries.append(summary_of_history(folder, "val_accuracy", "max"))
        best_paths.append(best_path)
        print(f"run {run} selected on validation: {summaries[-1]}", flush=True)
    average_weights(model, best_paths)
    accuracy = model.evaluate(
        *validation_data, batch_size=100, verbose=0, return_dict=True
    )["accuracy"]
    print(f"validation accuracy of the soup: {accuracy:.4f}", flush=True)
    return {
        "epochs": sum(summary["epochs"] for summary in summaries),
        "seconds": round(sum(summary["seconds"] for summary in summaries), 1),
        "runs": summaries,
        "soup_val_accuracy": float(accuracy),
    }


def summary_of_history(folder, monitor, mode):
    """The selected epoch and the total training time from the epoch history."""
    history = (read_history(folder) or {}).get("history", {})
    values = history.get(monitor, [])
    pick = max if mode == "max" else min
    best = pick(range(len(values)), key=values.__getitem__)
    return {
        "epochs": len(values),
        "selected_epoch": best + 1,
        f"selected_{monitor}": values[best],
        "seconds": round(sum(history.get("seconds", [])), 1),
    }


def update_registry(name, digest):
    """Writes `name`'s metadata digest into the registry of shipped presets."""
    registry = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    registry[name] = digest
    text = json.dumps(dict(sorted(registry.items())), indent=2)
    REGISTRY_FILE.write_text(text + "\n", encoding="utf-8")


def ship(model, name, metadata, results):
    """Writes the preset into the package, registers its digest, records results.

    Args:
        model: the selected model, with its preprocessor.
        name: the preset's name.
        metadata: what `metadata.json` records (dataset, metric, baseline...).
        results: the recipe's figures, written to `recipes/<name>/results.json`.
    """
    from keras_seq.presets import format as preset_format

    folder = preset_folder(name)
    model.save_to_preset(folder, metadata={"name": name, **metadata}, overwrite=True)
    data = (folder / preset_format.METADATA_FILE).read_bytes()
    digest = preset_format.sha256_digest(data)
    update_registry(name, digest)
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    results = {**results, "preset_bytes": size, "metadata_sha256": digest}
    out = REPO / "recipes" / name / "results.json"
    text = json.dumps(results, indent=2, sort_keys=True, default=float)
    out.write_text(text + "\n")
    print(text)
    print(f"wrote {folder} ({size} bytes); metadata.json sha256 {digest}")


def command_line():
    """The command that ran this recipe, for the records."""
    backend = keras.backend.backend()
    script = os.path.relpath(os.path.abspath(sys.argv[0]), REPO)
    return " ".join([f"KERAS_BACKEND={backend}", "python", script, *sys.argv[1:]])
