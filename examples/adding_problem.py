"""The adding problem (Hochreiter & Schmidhuber, 1997): LSTMs remember, RNNs forget.

Each sequence has `length` steps of `(value, marker)` pairs: values drawn
uniformly from [0, 1), markers 0 except at two steps, one in each half of
the sequence. The target is the sum of the two marked values. Predicting
the mean, 1, scores a mean squared error of 1/6 (about 0.167, the variance
of the sum); doing better means carrying the first marked value across
dozens of steps. An LSTM learns to; a SimpleRNN of the same size, whose
gradient vanishes across the gap, stays at the baseline.

Both are `keras_seq.applications.RNNClassifier` regressors (`classes=1,
classifier_activation=None`) trained on the same fresh batches.

    KERAS_BACKEND=jax python examples/adding_problem.py
    KERAS_BACKEND=jax python examples/adding_problem.py --steps 2000 --seed 3
"""

import argparse
import time

import keras
import numpy as np

from keras_seq.applications import RNNClassifier

LENGTH = 100
BASELINE_MSE = 1 / 6


def adding_problem(num_samples, length=LENGTH, seed=0):
    """Returns `(x, y)`: `(num_samples, length, 2)` inputs, `(num_samples, 1)` sums."""
    rng = np.random.default_rng(seed)
    rows = np.arange(num_samples)
    values = rng.uniform(0.0, 1.0, (num_samples, length))
    first = rng.integers(0, length // 2, num_samples)
    second = rng.integers(length // 2, length, num_samples)
    markers = np.zeros((num_samples, length))
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype("float32")
    y = (values[rows, first] + values[rows, second])[:, None].astype("float32")
    return x, y


def train(
    cell,
    steps=1000,
    batch_size=64,
    hidden_dim=16,
    learning_rate=0.03,
    length=LENGTH,
    seed=0,
    verbose=0,
):
    """Trains a one-layer `cell` regressor for `steps` batches; returns its test MSE.

    Every batch is new data (one pass), so the test MSE measures learning,
    not memorization. The test set is 1,000 other sequences.
    """
    keras.utils.set_random_seed(seed)
    x, y = adding_problem(steps * batch_size, length, seed)
    x_test, y_test = adding_problem(1000, length, seed + 1)
    model = RNNClassifier(
        classes=1,
        classifier_activation=None,
        cell=cell,
        input_shape=(length, 2),
        hidden_dim=hidden_dim,
        mask_value=None,
    )
    # A larger step than the default 1e-3 gets the LSTM off the baseline
    # plateau in a few hundred steps; the clipping keeps it stable.
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0))
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=verbose)
    return model.evaluate(x_test, y_test, batch_size=500, verbose=0, return_dict=True)[
        "loss"
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000, help="training batches")
    parser.add_argument("--length", type=int, default=LENGTH)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(
        f"backend {keras.backend.backend()}, length {args.length}, "
        f"{args.steps} steps of 64; predicting the mean scores {BASELINE_MSE:.3f}"
    )
    for cell in ("lstm", "simple_rnn"):
        start = time.perf_counter()
        mse = train(cell, steps=args.steps, length=args.length, seed=args.seed)
        seconds = time.perf_counter() - start
        print(f"{cell:<10} test MSE {mse:.4f}  ({seconds:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
