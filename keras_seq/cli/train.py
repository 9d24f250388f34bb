"""`keras-seq train`: an application on its bundled data set or the user's, resumably.

The model, with its preprocessor fitted on the training split, trains
through `model.fit` on raw inputs, with validation after every epoch,
early stopping on the validation loss (the best epoch is kept) and a
backup after every epoch (the resumable callbacks of
`keras_seq.callbacks`). The run's
folder holds, when it ends, `model.keras`, `history.json` and
`training_curves.png`; while it runs, `checkpoint/` holds what `--resume`
needs (the model as built, its preprocessor included; the last completed
epoch's weights and optimizer; the best weights so far).

`--data PATH` trains on the user's own table or class folder instead
(`keras_seq.cli.own_data`): split as asked, the label list fitted on the
training part and recorded in history.json, the figure measured on the
test part.

Example:

    keras-seq train text_classifier --epochs 2 --output runs/reviews
    keras-seq train vit --data photos/ --output runs/photos
"""

import os
import shutil
import sys
import time

from keras_seq.cli import devices
from keras_seq.cli import environment
from keras_seq.cli import evaluate
from keras_seq.cli import own_data
from keras_seq.cli import setups
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
from keras_seq.cli.files import CURVES_FILE
from keras_seq.cli.files import HISTORY_FILE
from keras_seq.cli.files import MODEL_FILE
from keras_seq.cli.files import read_json

CHECKPOINT_DIR = "checkpoint"
_INITIAL_MODEL = "initial.keras"
_BEST_WEIGHTS = "best.weights.h5"


def _batch_delay(keras, seconds):
    """A callback that sleeps after every batch (`--batch-delay`): it slows a
    tiny test run so that it can be killed mid-epoch."""

    class BatchDelay(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            time.sleep(seconds)

    return BatchDelay()


def _resume_command(setup, dataset, output):
    return f"keras-seq train {setup.name} --data {dataset} --output {output} --resume"


def _describe(record):
    if record is None:
        return "a model that `keras-seq train` did not write (no history.json)"
    return f"{record.get('application')} on {record.get('dataset')}"


def _same_run(record, setup, dataset):
    return (
        record is not None
        and record.get("application") == setup.name
        and record.get("dataset") == dataset
    )


def _finished(output, previous, setup, dataset, args):
    """Whether `output` holds a finished run that `--resume` leaves as it is.

    A finished model (`model.keras`, no interrupted run beside it) is
    never replaced silently: `--resume` on the same run says it is
    complete (True: nothing to do), a folder of another application or
    data set is refused, and a new run needs `--overwrite`.

    Raises:
        UsageError: when training would replace the finished model.
    """
    model_path = os.path.join(output, MODEL_FILE)
    interrupted = os.path.isdir(os.path.join(output, CHECKPOINT_DIR))
    if not os.path.isfile(model_path) or interrupted:
        return False
    same = _same_run(previous, setup, dataset)
    if args.resume and same:
        done = previous.get("epochs")
        planned = (previous.get("settings") or {}).get("epochs")
        print(
            f"{output}: the run of {setup.name} on {dataset} is already complete "
            f"({_count(done, 'epoch')} of up to {planned}): nothing to resume; its "
            f"model is {model_path} (train again with --overwrite, or choose "
            "another --output)"
        )
        return True
    if args.resume or not args.overwrite:
        remedy = (
            "choose another --output"
            if args.resume
            else "pass --overwrite to replace it, or choose another --output"
        )
        raise UsageError(
            f"{output} holds the finished model of {_describe(previous)} "
            f"({MODEL_FILE}); {remedy}"
        )
    say(f"replacing the finished model of {_describe(previous)} in {output}")
    return False


def _count(number, noun):
    return f"{number} {noun}" + ("" if number == 1 else "s")


def run(args):
    setup = setups.get(args.app)
    own_data.check_options(args)
    own = own_data.is_path(args.data)
    dataset = args.data if own else setups.check_dataset(setup, args.data)
    # What the backend cannot do is said before anything on disk is read.
    started = time.perf_counter()
    keras = environment.import_keras()
    backend = keras.backend.backend()
    devices.check_backend(args, backend)
    output = args.output or os.path.join("runs", setup.name)
    if os.path.exists(output) and not os.path.isdir(output):
        raise UsageError(f"--output {output} is a file; give a folder")
    # Launched as one of several processes: join them (only process 0
    # writes into `output`; see keras_seq/cli/devices.py).
    cluster = devices.join_cluster(args, backend)
    output = devices.working_folder(cluster, output)
    if args.from_preset is not None:
        if args.tiny:
            raise UsageError("--tiny builds a new model: leave out --from-preset")
        if own:
            raise UsageError(
                "--from-preset fine-tunes on the preset's own data set: leave it "
                "out to train a new model on --data PATH"
            )
        setups.check_preset(setup, dataset, args.from_preset)
    elif args.lora_rank:
        raise UsageError("--lora-rank adapts a preset: give --from-preset NAME")
    epochs = args.epochs or setup.epochs
    batch_size = args.batch_size or setup.batch_size
    checkpoint = os.path.join(output, CHECKPOINT_DIR)
    initial_model = os.path.join(checkpoint, _INITIAL_MODEL)
    history_path = os.path.join(output, HISTORY_FILE)
    # The user's files are read (and refused) before anything is written.
    data = own_data.read_training(setup, args) if own else None
    previous = read_json(history_path)
    if _finished(output, previous, setup, dataset, args):
        return 0
    if args.resume and os.path.exists(initial_model) and previous is not None:
        if not _same_run(previous, setup, dataset):
            raise UsageError(
                f"{output} holds a run of {_describe(previous)}; resume it with "
                "the same APP and --data, or choose another --output"
            )

    from keras_seq import callbacks as run_callbacks
    from keras_seq import plotting
    from keras_seq.callbacks import atomic_path

    say(f"backend: {backend}")
    strategy = devices.distribution(args, setup.builder, keras, cluster)
    devices.check_batch_size(args, batch_size, strategy, cluster)
    if own:
        # A streamed table's first rows: what the model is built from.
        (x_train, y_train), (x_val, y_val) = own_data.in_memory(data)
    else:
        x_train, y_train = setups.load_split(setup, dataset, "train", args.limit)
        x_val, y_val = setups.load_split(setup, dataset, "validation", args.limit)
    if strategy is not None or cluster.processes > 1:
        x_train, y_train, dropped = devices.whole_batches(x_train, y_train, batch_size)
        x_val, y_val, dropped_val = devices.whole_batches(x_val, y_val, batch_size)
        if own and data.streamed:  # x_train: the first rows, the model's sample
            dropped = len(data.train) % batch_size
        say(devices.spread(args, cluster, strategy, batch_size, dropped, dropped_val))
        keras.distribution.set_distribution(strategy)

    backup = run_callbacks.AtomicBackupAndRestore(
        os.path.join(checkpoint, "backup"), delete_checkpoint=False
    )
    completed = backup.completed_epochs()
    if args.resume and os.path.exists(initial_model):
        with devices.sizes_explained(args):
            model = keras.saving.load_model(initial_model)
        prior = run_callbacks.epoch_logs(previous, completed)
        say(f"resuming {output} after epoch {completed}")
    else:
        if args.resume:
            say(f"no interrupted run in {output}: starting a new one")
        elif os.path.isdir(checkpoint):
            say(
                f"{output} holds an interrupted run ({completed} epochs done): "
                "starting over (pass --resume to continue it instead)"
            )
        shutil.rmtree(checkpoint, ignore_errors=True)
        completed, prior = 0, []
        keras.utils.set_random_seed(args.seed)
        with devices.sizes_explained(args):
            if args.from_preset is None:
                model = setup.build(x_train, y_train, data or dataset, args.tiny)
            else:
                from keras_seq import applications

                builder = getattr(applications, setup.builder)
                model = builder.from_preset(args.from_preset)
        # The model as built, preprocessor included: what a resumed run reloads.
        with atomic_path(initial_model) as temporary:
            model.save(temporary)
    keras.utils.set_random_seed((args.seed + completed) % 2**32)
    if args.lora_rank:
        # Adapters on the query and value projections, all else frozen;
        # saved, they merge into the kernels (keras_seq/models/lora.py).
        try:
            model.enable_lora(args.lora_rank)
        except ValueError as error:
            raise UsageError(f"--lora-rank: {error}") from None
    try:
        model.compile(
            gradient_accumulation_steps=args.gradient_accumulation_steps,
            remat=args.remat,
        )
    except ValueError as error:
        raise UsageError(f"--remat: {error}") from None
    if setup.targets is not None:
        y_train, y_val = setup.targets(model, y_train), setup.targets(model, y_val)

    labels = list(setup.labels(data or dataset)) if setup.labels else None
    if labels:  # in the .keras file too: a loaded model names its classes
        model.labels = labels
    record = {
        "application": setup.name,
        "builder": setup.builder,
        "dataset": dataset,
        "backend": backend,
        "labels": labels,
        "data": own_data.record(data) if own else None,
        "settings": {
            "epochs": epochs,
            "batch_size": batch_size,
            "seed": args.seed,
            "from_preset": args.from_preset,
            "lora_rank": args.lora_rank,
            "gradient_accumulation_steps": args.gradient_accumulation_steps,
            "remat": args.remat,
            "limit": args.limit,
            "tiny": args.tiny,
            "devices": getattr(args, "devices", None),
            "mesh": list(args.mesh) if getattr(args, "mesh", None) else None,
        },
        **devices.layout(cluster, strategy),
        "completed": False,
    }
    history = run_callbacks.EpochHistory(history_path, record, prior)
    best = run_callbacks.BestWeights(
        os.path.join(checkpoint, _BEST_WEIGHTS), "val_loss", prior
    )
    callbacks = [
        history,  # before the backup: see keras_seq.callbacks
        best,
        run_callbacks.ResumableEarlyStopping(
            prior, monitor="val_loss", patience=args.patience or setup.patience
        ),
    ]
    if args.batch_delay:
        callbacks.append(_batch_delay(keras, args.batch_delay))
    callbacks.append(backup)

    start = "" if args.from_preset is None else f" from the preset {args.from_preset}"
    fitting = {"x": x_train, "y": y_train, "batch_size": batch_size}
    if own and data.streamed:
        fitting = own_data.streamed_fit(model, data, batch_size, args.seed)
        x_train = data.train
    print(
        f"training {setup.builder} on {dataset}{start}: {len(x_train):,} training and "
        f"{len(x_val):,} validation examples, up to {_count(epochs, 'epoch')} "
        f"of {batch_size}; writing to {output}",
        flush=True,
    )
    validation = (x_val,) if y_val is None else (x_val, y_val)
    try:
        model.fit(
            **fitting,
            validation_data=validation,
            epochs=epochs,
            callbacks=callbacks,
            # A progress bar on a terminal; one line an epoch in a log.
            verbose=1 if sys.stdout.isatty() else 2,
        )
    except KeyboardInterrupt:
        done = backup.completed_epochs()
        if done:
            say(
                f"\ninterrupted: the {done} completed epochs are saved in "
                f"{checkpoint}; resume with: {_resume_command(setup, dataset, output)}"
            )
        else:
            say("\ninterrupted before the first epoch ended: nothing to resume")
        return 130
    except Exception as error:
        devices.peer_lost(error)  # A lost peer process: one line, exit 1.
        raise

    best_epoch = best.restore()
    if strategy is not None or cluster.processes > 1:
        model = devices.on_one_device(model, keras, checkpoint)
    if not devices.writes_results(cluster):
        return 0
    if setup.finish is not None:
        setup.finish(model)
    figure = own_data.figure(data, setup.builder) if own else None
    measured = evaluate.measure(model, dataset, args.limit, figure)
    model_path = os.path.join(output, MODEL_FILE)
    with atomic_path(model_path) as temporary:
        model.save(temporary)
    curves_path = os.path.join(output, CURVES_FILE)
    with atomic_path(curves_path) as temporary:
        plotting.training_curves(
            history.history(),
            temporary,
            title=f"{setup.builder} on {dataset} ({backend})",
            best_epoch=best_epoch,
        )
    history.write(
        completed=True,
        best_epoch=best_epoch,
        test={
            "metric": measured.figure.metric,
            "value": measured.value,
            "higher_is_better": measured.figure.higher_is_better,
            "examples": measured.examples,
            "scores": measured.scores,
        },
        baselines=dict(measured.baselines),
    )
    shutil.rmtree(checkpoint, ignore_errors=True)

    ran = len(history.epochs)
    print("\n".join(measured.lines()))
    if best_epoch is not None:
        print(f"kept epoch {best_epoch} of {ran} (lowest validation loss)")
    print(f"saved: {model_path} (with its preprocessor), {history_path}")
    print(f"plot: {curves_path}")
    print(f"time: {time.perf_counter() - started:.0f} s")
    return 0
