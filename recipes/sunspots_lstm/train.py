"""Recipe of the `sunspots_lstm` preset: an LSTM forecasts next year's sunspots.

Trains `keras_seq.applications.SequenceTagger` (a causal LSTM, one
regression output a step) on the 193 training windows of
`keras_seq.datasets.sunspots` (24 years each, 1700-1916), every step's
target the next year's number, standardized with the mean and standard
deviation of the training years only (the `SeriesPreprocessor`, adapted
on them, standardizes the inputs; the recipe the targets). Keeps the epoch
of lowest validation loss on the last step of the 46 validation windows
(the one-step forecasts of 1917-1962), folds the standardization back
into the output layer, so that the shipped model forecasts in sunspot
numbers, then measures the mean absolute error of the one-step forecasts
of the 46 test years (1963-2008) once. The baselines, persistence (next
year = this year) and a least-squares autoregression on the same 24
years, are measured on the same test years. The model ships with its
preprocessor (raw windows in) as
`keras_seq/presets/files/sunspots_lstm/`.

    KERAS_BACKEND=jax python recipes/sunspots_lstm/train.py

An interrupted run resumes from its last epoch (run the same command).
`--validation-only` stops before the test split is touched; `--no-ship`
measures but writes nothing into the package.
"""

import argparse
import os
import sys

import keras
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import tools  # noqa: E402

from keras_seq.applications import SequenceTagger  # noqa: E402
from keras_seq.datasets import sunspots  # noqa: E402
from keras_seq.evaluation import held_out  # noqa: E402
from keras_seq.preprocessing import SeriesPreprocessor  # noqa: E402

NAME = "sunspots_lstm"
SEED = 20260506
WINDOW = sunspots.WINDOW
# The held-out figure, measured as the card, `keras-seq` and the tests do.
FIGURE = held_out.get("sunspots")
# What tests/presets/test_presets.py measures in the default run: the
# first SUBSET test windows (the test split has 46).
SUBSET = 46


def probe_outputs(model, windows):
    """Every step's forecast of raw `windows`, compared across backends.

    In standard units (of the training years), so that an absolute
    tolerance means the same at every sunspot number.
    """
    mean, std = model.preprocessor.mean[0], model.preprocessor.std[0]
    forecast = model.predict(windows, batch_size=len(windows), verbose=0)
    return ((forecast - mean) / std).astype("float32")


def autoregression_baseline(splits):
    """Least squares on the 24 years before each target (with an intercept)."""
    x, y = splits["train"]

    def design(windows):
        return np.concatenate([windows[:, :, 0], np.ones((len(windows), 1))], 1)

    coefficients, *_ = np.linalg.lstsq(design(x), y[:, -1, 0], rcond=None)
    errors = {}
    for split in ("validation", "test"):
        windows, targets = splits[split]
        forecast = design(windows) @ coefficients
        errors[split] = float(np.mean(np.abs(forecast - targets[:, -1, 0])))
    return errors


def persistence(split):
    """Mean absolute error of "next year = this year" on `split`'s held-out years."""
    [(_, error)] = FIGURE.baselines(None, FIGURE.examples(split))
    return error


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--num-layers", type=int, default=1)
    parser.add_argument("--hidden-dim", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--loss", default="mse", choices=["mse", "mae", "huber"])
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--validation-only", action="store_true")
    parser.add_argument("--no-ship", action="store_true")
    args = parser.parse_args(argv)
    settings = {
        key: value
        for key, value in vars(args).items()
        if key not in ("validation_only", "no_ship")
    }
    print(f"backend: {keras.backend.backend()}; settings: {settings}", flush=True)

    keras.utils.set_random_seed(SEED)
    splits = sunspots.load_data()
    (x_train, y_train), (x_val, y_val) = splits["train"], splits["validation"]
    years, numbers = sunspots.load_series()
    training_years = numbers[years < sunspots.target_years("validation")[0]]
    preprocessor = SeriesPreprocessor(
        channels=1, sequence_length=WINDOW, per_step_targets=True
    )
    preprocessor.adapt([training_years])  # the training years only
    mean, std = preprocessor.mean[0], preprocessor.std[0]
    model = SequenceTagger(
        classes=1,
        classifier_activation=None,
        backbone="lstm",
        bidirectional=False,  # causal: step t never sees the year it forecasts
        input_shape=(WINDOW, 1),
        num_layers=args.num_layers,
        hidden_dim=args.hidden_dim,
        dropout=args.dropout,
        preprocessor=preprocessor,
    )
    loss = {
        "mse": keras.losses.MeanSquaredError(),
        "mae": keras.losses.MeanAbsoluteError(),
        "huber": keras.losses.Huber(delta=1.0),
    }[args.loss]
    model.compile(
        optimizer=keras.optimizers.Adam(args.learning_rate, clipnorm=1.0),
        loss=loss,
        metrics=[keras.metrics.MeanAbsoluteError(name="mae")],
    )
    folder = tools.work_folder(NAME, settings)
    callbacks, best_path = tools.training_callbacks(folder, "val_loss", "min")
    # Validation windows reach back into the training years: only their
    # last step, a validation year, counts.
    last_step = np.zeros(y_val.shape[:2], "float32")
    last_step[:, -1] = 1.0
    model.fit(
        x_train,
        (y_train - mean) / std,
        validation_data=(x_val, (y_val - mean) / std, last_step),
        validation_batch_size=len(x_val),
        epochs=args.epochs,
        batch_size=args.batch_size,
        callbacks=callbacks,
        verbose=2,
    )
    training = tools.summary_of_history(folder, "val_loss", "min")
    model.load_weights(best_path)
    model.rescale_outputs(std, mean)  # forecasts in sunspot numbers
    validation_mae = FIGURE.measure(model, *FIGURE.examples("validation"))[
        FIGURE.metric
    ]
    training["selected_validation_mae"] = round(validation_mae, 4)
    training["validation_persistence_mae"] = round(persistence("validation"), 4)
    print(f"selected on validation: {training}", flush=True)
    if args.validation_only:
        return
    x_test, y_test = FIGURE.examples("test")
    mae = FIGURE.measure(model, x_test, y_test)[FIGURE.metric]
    print(f"test MAE: {mae:.4f} on {len(x_test)} years", flush=True)
    naive = persistence("test")
    regression = autoregression_baseline(splits)
    print(f"persistence test MAE: {naive:.4f}", flush=True)
    print(f"24-year autoregression MAE: {regression}", flush=True)
    test_years = sunspots.target_years("test")
    metric = {
        "name": "mean absolute error (one-step forecast, sunspot number)",
        "value": round(mae, 4),
        "split": "test",
        "examples": int(len(x_test)),
        "years": f"{test_years[0]}-{test_years[-1]}",
    }
    baseline = {"name": "persistence (next year = this year)", "value": round(naive, 4)}
    metadata = {
        "dataset": "sunspots",
        "description": f"Causal LSTM ({args.num_layers} layer(s) of "
        f"{args.hidden_dim}) forecasting next year's mean "
        "sunspot number at every step of a 24-year window; raw (24, 1) "
        "windows of sunspot numbers in, (24, 1) forecasts in sunspot "
        "numbers out (the last step forecasts the year after the window).",
        "metric": metric,
        "baseline": baseline,
        "training": {
            **training,
            "backend": keras.backend.backend(),
            "settings": settings,
            "command": tools.command_line(),
        },
    }
    results = {
        "metric": metric,
        "baseline": baseline,
        "autoregression_24_years_least_squares_mae": {
            key: round(value, 4) for key, value in regression.items()
        },
        "training": metadata["training"],
    }
    if args.no_ship:
        print(results)
        return
    tools.ship(model, NAME, metadata, results)


if __name__ == "__main__":
    main()
