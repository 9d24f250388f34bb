"""Many-to-many: forecast next year's sunspot number at every step of a window.

The yearly sunspot numbers 1700-2008 (statsmodels' `sunspots` data set, 309
years) are cut into windows of `WINDOW` years; at every step the target is
the following year's value, so one window trains `WINDOW` one-step-ahead
forecasts at once. `keras_seq.applications.SequenceTagger` with `classes=1,
classifier_activation=None` is a per-step regressor; its backbone reads the
window forward only (causal), so step `t` never sees the year it forecasts.

The split is chronological: the last 15% of the years are the test set, the
15% before them the validation set (for early stopping). Each held-out year
is forecast from the `WINDOW` years before it (the last step of one
window), and the test MSE/MAE, in sunspot units, are compared with the
naive forecast "same as last year".

    KERAS_BACKEND=jax python examples/sequence_tagging.py
    KERAS_BACKEND=jax python examples/sequence_tagging.py --backbone transformer
"""

import argparse

import keras
import numpy as np
import statsmodels.api as sm

from keras_seq.applications import SequenceTagger

WINDOW = 24  # a little over two 11-year solar cycles
HELD_OUT = 0.15  # fraction of the years in each of validation and test


def load_series():
    """`(years, sunspot numbers)`, oldest first, the numbers as float32."""
    data = sm.datasets.sunspots.load_pandas().data
    return data["YEAR"].to_numpy("int32"), data["SUNACTIVITY"].to_numpy("float32")


def windows(series, targets_from, targets_to):
    """Input windows and their next-step targets, one window per target year.

    For target year `t` the input is the `WINDOW` years before it,
    `series[t - WINDOW:t]`, and the targets are the same years moved on by
    one, `series[t - WINDOW + 1:t + 1]`: the last step forecasts `t`.
    Returns `(x, y)`, both `(windows, WINDOW, 1)`.
    """
    ends = range(max(targets_from, WINDOW), targets_to)
    x = np.stack([series[t - WINDOW : t] for t in ends])
    y = np.stack([series[t - WINDOW + 1 : t + 1] for t in ends])
    return x[..., None], y[..., None]


def build_model(backbone, dropout=0.1):
    """A causal per-step regressor of `(WINDOW, 1)` windows."""
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
        # No padding here: the default (0.0) would mask any step that is
        # exactly 0.
        mask_value=None,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backbone", default="lstm", choices=["lstm", "gru", "transformer"]
    )
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="one epoch: a smoke test")
    args = parser.parse_args(argv)
    print(f"backend: {keras.backend.backend()}, backbone: {args.backbone}")

    keras.utils.set_random_seed(0)
    years, raw = load_series()
    test_start = len(raw) - round(HELD_OUT * len(raw))
    val_start = test_start - round(HELD_OUT * len(raw))
    # Statistics of the training years only, so nothing leaks from the future.
    mean, std = raw[:val_start].mean(), raw[:val_start].std()
    series = (raw - mean) / std

    x_train, y_train = windows(series, 0, val_start)
    x_val, y_val = windows(series, val_start, test_start)
    x_test, y_test = windows(series, test_start, len(series))
    # Held-out windows reach back into earlier years: score only their last
    # step, the one forecast that is a held-out year.
    last_step = np.zeros(y_val.shape[:2], "float32")
    last_step[:, -1] = 1.0
    if args.quick:  # one epoch of one batch (one compile): a smoke test
        args.epochs, args.batch_size = 1, len(x_train)

    # Dropout's random numbers double the JAX compile time of a quick run.
    model = build_model(args.backbone, dropout=0.0 if args.quick else 0.1)
    model.compile()  # mean squared error, Adam (clipped for recurrent backbones)
    history = model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val, last_step),
        # Held-out sets in one batch: under JAX each batch shape compiles.
        validation_batch_size=len(x_val),
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

    forecast = (
        model.predict(x_test, batch_size=len(x_test), verbose=0)[:, -1, 0] * std + mean
    )
    actual = raw[test_start:]
    naive = raw[test_start - 1 : -1]  # same as last year
    print(
        f"trained {len(history.epoch)} epochs; forecasting {years[test_start]}-"
        f"{years[-1]} ({len(actual)} test years) one year ahead"
    )
    print(
        f"naive baseline MSE: {np.mean((naive - actual) ** 2):.1f}, "
        f"MAE: {np.mean(np.abs(naive - actual)):.1f}"
    )
    print(
        f"test MSE: {np.mean((forecast - actual) ** 2):.1f}, "
        f"MAE: {np.mean(np.abs(forecast - actual)):.1f}"
    )


if __name__ == "__main__":
    main()
