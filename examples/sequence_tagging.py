"""Many-to-many: forecast next year's sunspot number at every step of a window.

The yearly sunspot numbers 1700-2008 (statsmodels' `sunspots` data set, 309
years, from `keras_seq.datasets.sunspots`) come cut into windows of
`WINDOW` years; at every step the target is the following year's value, so
one window trains `WINDOW` one-step-ahead forecasts at once.
`keras_seq.applications.SequenceTagger` with `classes=1,
classifier_activation=None` is a per-step regressor; its backbone reads the
window forward only (causal), so step `t` never sees the year it forecasts.

The split is chronological: the last 15% of the years are the test set, the
15% before them the validation set (for early stopping). Each held-out year
is forecast from the `WINDOW` years before it (the last step of one
window), and the test MSE/MAE, in sunspot units, are compared with the
naive forecast "same as last year".

The model reads the windows in sunspot units: its `SeriesPreprocessor`
standardizes them with the mean and standard deviation it learns
(`adapt`) from the training years alone, so nothing leaks from the
future. The preprocessor scales inputs only, not per-step targets: the
targets (the same series a year on) are standardized here with the same
statistics, and the forecasts turned back into sunspot numbers with
them. The model, with its preprocessor, is saved to `--output`; it
forecasts in standardized units.

    KERAS_BACKEND=jax python examples/sequence_tagging.py
    KERAS_BACKEND=jax python examples/sequence_tagging.py --backbone transformer
"""

import argparse

import keras
import numpy as np

from keras_seq.applications import SequenceTagger
from keras_seq.datasets import sunspots
from keras_seq.preprocessing import SeriesPreprocessor

WINDOW = sunspots.WINDOW  # 24 years: a little over two 11-year solar cycles


def build_model(backbone, training_series, dropout=0.1):
    """A causal per-step regressor of `(WINDOW, 1)` windows in sunspot units."""
    preprocessor = SeriesPreprocessor(
        channels=1,
        # Windows stay WINDOW steps wide (not padded to a power of two).
        sequence_length=WINDOW,
        per_step_targets=True,
    )
    preprocessor.adapt([training_series])  # mean and std of the training years
    return SequenceTagger(
        classes=1,
        classifier_activation=None,
        backbone=backbone,
        # Forecasting must not look ahead: causal attention for the
        # transformer (recurrent backbones default to one direction).
        bidirectional=False,
        input_shape=(WINDOW, 1),
        num_layers=1 if backbone == "transformer" else 2,
        hidden_dim=32,
        intermediate_dim=64,
        dropout=dropout,
        # The windows have no padding, and the preprocessor moves any real
        # step that equals the mask value (0.0) off it: nothing is masked.
        preprocessor=preprocessor,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backbone", default="lstm", choices=["lstm", "gru", "transformer"]
    )
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--output", default="sunspots_forecaster.keras")
    parser.add_argument("--quick", action="store_true", help="one epoch: a smoke test")
    args = parser.parse_args(argv)
    print(f"backend: {keras.backend.backend()}, backbone: {args.backbone}")

    keras.utils.set_random_seed(0)
    splits = sunspots.load_data()
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = splits.values()
    years, numbers = sunspots.load_series()
    training_series = numbers[years < sunspots.target_years("validation")[0]]
    # Held-out windows reach back into earlier years: score only their last
    # step, the one forecast that is a held-out year.
    last_step = np.zeros(y_val.shape[:2], "float32")
    last_step[:, -1] = 1.0
    if args.quick:  # one epoch of one batch (one compile): a smoke test
        args.epochs, args.batch_size = 1, len(x_train)

    # Dropout's random numbers double the JAX compile time of a quick run.
    model = build_model(
        args.backbone, training_series, dropout=0.0 if args.quick else 0.1
    )
    model.compile()  # mean squared error, Adam (clipped for recurrent backbones)
    mean, std = model.preprocessor.mean[0], model.preprocessor.std[0]
    history = model.fit(
        x_train,
        (y_train - mean) / std,
        validation_data=(x_val, (y_val - mean) / std, last_step),
        # (With raw inputs, validation batches take `batch_size` too.)
        epochs=args.epochs,
        batch_size=args.batch_size,
        # 200-odd windows overfit fast: stop when validation stops improving.
        callbacks=[
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=30, restore_best_weights=True
            )
        ],
        verbose=0,
    )
    model.save(args.output)

    # The test windows in one batch: under JAX each batch shape compiles.
    forecast = model.predict(x_test, batch_size=len(x_test), verbose=0)
    forecast = forecast[:, -1, 0] * std + mean
    # Each test window's last target is its test year, its last input the
    # year before.
    actual = y_test[:, -1, 0]
    naive = x_test[:, -1, 0]  # same as last year
    test_years = sunspots.target_years("test")
    print(
        f"trained {len(history.epoch)} epochs; forecasting {test_years[0]}-"
        f"{test_years[-1]} ({len(actual)} test years) one year ahead"
    )
    print(
        f"naive baseline MSE: {np.mean((naive - actual) ** 2):.1f}, "
        f"MAE: {np.mean(np.abs(naive - actual)):.1f}"
    )
    print(
        f"test MSE: {np.mean((forecast - actual) ** 2):.1f}, "
        f"MAE: {np.mean(np.abs(forecast - actual)):.1f}"
    )
    print(f"saved: {args.output}")


if __name__ == "__main__":
    main()
