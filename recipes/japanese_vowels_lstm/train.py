"""Recipe of the `japanese_vowels_lstm` preset: an LSTM names the speaker.

Trains `keras_seq.applications.RNNClassifier` (one LSTM layer) on the 216
training utterances of `keras_seq.datasets.japanese_vowels` (12 LPC
cepstrum channels, 7 to 29 frames each), standardized per channel by a
`SeriesPreprocessor` adapted on the training split only, with Gaussian
noise added to every real frame of each training batch (`--noise`
standard deviations, drawn afresh each epoch); finds the epoch of lowest
validation loss (54 utterances: their accuracy is too coarse to choose
by), then (with `--refit`, the default) trains the same model afresh, same
seed, on all 270 training utterances (train + validation, the
preprocessor adapted on them) for that many epochs, and measures accuracy
once on the archive's 370 test utterances. The baseline, per-channel
mean, std, min, max, first, last and the means of each third of the
frames fed to a logistic regression (scikit-learn), has its `C` chosen on
the same validation split and is measured on the same test split, refit
on all 270 training utterances (and, for the record, trained on the 216
only). The shipped model ships with its preprocessor (raw series in) as
`keras_seq/presets/files/japanese_vowels_lstm/`.

    KERAS_BACKEND=jax python recipes/japanese_vowels_lstm/train.py

An interrupted run resumes from its last epoch (run the same command).
`--validation-only` stops before the test split is touched; `--no-ship`
measures but writes nothing into the package.
"""

import argparse
import os
import sys
import time

import keras
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import tools  # noqa: E402

from keras_seq.applications import RNNClassifier  # noqa: E402
from keras_seq.datasets import japanese_vowels  # noqa: E402
from keras_seq.evaluation import held_out  # noqa: E402
from keras_seq.preprocessing import SeriesPreprocessor  # noqa: E402

NAME = "japanese_vowels_lstm"
SEED = 20260505
# The held-out figure, measured as the card, `keras-seq` and the tests do.
FIGURE = held_out.get("japanese_vowels")
# What tests/presets/test_presets.py measures in the default run: the
# first SUBSET test utterances.
SUBSET = 185


def probe_outputs(model, series):
    """The class probabilities of raw `series`, compared across backends."""
    return model.predict(series, verbose=0)


class NoisySeries(keras.utils.PyDataset):
    """Training batches, preprocessed, with Gaussian noise on every real frame.

    With 216 utterances the LSTM learns them by heart in a few epochs;
    noise on the standardized coefficients (never on the padding) keeps
    it from fitting each one exactly.
    """

    def __init__(self, series, labels, preprocessor, noise, batch_size, seed):
        super().__init__()
        self.series, self.labels = list(series), labels
        self.preprocessor, self.noise = preprocessor, noise
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def __len__(self):
        return len(self.series) // self.batch_size

    def __getitem__(self, index):
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        values = self.preprocessor([self.series[row] for row in rows])
        real = ~np.all(values == self.preprocessor.mask_value, axis=-1, keepdims=True)
        noise = self.rng.normal(0.0, self.noise, values.shape) * real
        return (values + noise).astype("float32"), self.labels[rows]

    def on_epoch_end(self):
        self.order = self.rng.permutation(len(self.series))


def summary_features(series):
    """Per channel: mean, std, min, max, first, last, the mean of each third."""
    rows = []
    for values in series:
        frames = len(values)
        cuts = [0, max(1, frames // 3), max(2, 2 * frames // 3), frames]
        thirds = [values[a:b].mean(axis=0) for a, b in zip(cuts, cuts[1:])]
        rows.append(
            np.concatenate(
                [
                    values.mean(0),
                    values.std(0),
                    values.min(0),
                    values.max(0),
                    values[0],
                    values[-1],
                    *thirds,
                ]
            )
        )
    return np.stack(rows)


def logistic_baseline(splits):
    """Test accuracy of the summary features + logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    start = time.perf_counter()
    features = {split: summary_features(splits[split][0]) for split in splits}
    labels = {split: splits[split][1] for split in splits}

    def fit(c, *names):
        x = np.concatenate([features[name] for name in names])
        y = np.concatenate([labels[name] for name in names])
        model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000))
        return model.fit(x, y)

    scores = {}
    for c in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0):  # half-decades
        model = fit(c, "train")
        probabilities = model.predict_proba(features["validation"])
        loss = -np.mean(
            np.log(probabilities[np.arange(len(probabilities)), labels["validation"]])
        )
        scores[c] = (
            model.score(features["validation"], labels["validation"]),
            float(loss),
        )
    best_c = max(scores, key=lambda c: (scores[c][0], -scores[c][1]))
    on_train = fit(best_c, "train").score(features["test"], labels["test"])
    refit = fit(best_c, "train", "validation").score(features["test"], labels["test"])
    return {
        "name": "per-channel mean, std, min, max, first, last and thirds + "
        f"logistic regression (scikit-learn, C={best_c:g} chosen on validation, "
        "refit on train + validation)",
        "value": round(float(refit), 4),
        "value_trained_on_train_only": round(float(on_train), 4),
        "validation_accuracy_and_loss": scores,
        "seconds": round(time.perf_counter() - start, 1),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--batch-size", type=int, default=24)
    parser.add_argument("--hidden-dim", type=int, default=128)
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--noise", type=float, default=1.0)
    parser.add_argument("--bidirectional", action="store_true")
    parser.add_argument(
        "--refit",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after choosing the epoch count on validation, train afresh on "
        "train + validation for that many epochs and ship that model",
    )
    parser.add_argument("--validation-only", action="store_true")
    parser.add_argument("--no-ship", action="store_true")
    args = parser.parse_args(argv)
    settings = {
        key: value
        for key, value in vars(args).items()
        if key not in ("validation_only", "no_ship")
    }
    print(f"backend: {keras.backend.backend()}; settings: {settings}", flush=True)

    splits = japanese_vowels.load_data()
    x_train, y_train = splits["train"]

    def new_model(series):
        keras.utils.set_random_seed(SEED)
        preprocessor = SeriesPreprocessor(channels=japanese_vowels.CHANNELS)
        preprocessor.adapt(list(series))  # the training utterances only
        model = RNNClassifier(
            classes=len(japanese_vowels.LABELS),
            cell="lstm",
            bidirectional=args.bidirectional,
            input_shape=(None, japanese_vowels.CHANNELS),
            hidden_dim=args.hidden_dim,
            dropout=args.dropout,
            preprocessor=preprocessor,
        )
        model.compile()  # Adam 1e-3, gradient norm clipped to 1.0
        return model, preprocessor

    model, preprocessor = new_model(x_train)
    folder = tools.work_folder(NAME, settings)
    callbacks, best_path = tools.training_callbacks(folder, "val_loss", "min")
    train = NoisySeries(
        x_train, y_train, preprocessor, args.noise, args.batch_size, SEED
    )
    x_val, y_val = splits["validation"]
    model.fit(
        train,
        # Raw series: the model preprocesses them (an array would be read as
        # raw series too, and standardized twice).
        validation_data=(list(x_val), y_val),
        epochs=args.epochs,
        callbacks=callbacks,
        verbose=2,
    )
    training = tools.summary_of_history(folder, "val_loss", "min")
    print(f"selected on validation: {training}", flush=True)
    if args.validation_only:
        return
    model.load_weights(best_path)
    if args.refit:
        # The same model and seed, on all 270 utterances, for the epoch
        # count chosen on validation (34 s: not worth resuming).
        x_all = [*x_train, *x_val]
        y_all = np.concatenate([y_train, y_val])
        model, preprocessor = new_model(x_all)
        start = time.perf_counter()
        model.fit(
            NoisySeries(x_all, y_all, preprocessor, args.noise, args.batch_size, SEED),
            epochs=training["selected_epoch"],
            verbose=2,
        )
        training["refit_on_train_and_validation"] = {
            "utterances": len(x_all),
            "epochs": training["selected_epoch"],
            "seconds": round(time.perf_counter() - start, 1),
        }
    x_test, y_test = FIGURE.examples("test")
    accuracy = FIGURE.measure(model, x_test, y_test)["accuracy"]
    print(f"test accuracy: {accuracy:.4f} on {len(x_test)} utterances", flush=True)
    baseline = logistic_baseline(splits)
    print(f"baseline: {baseline}", flush=True)
    metric = {
        "name": "accuracy",
        "value": round(accuracy, 4),
        "split": "test",
        "examples": int(len(x_test)),
    }
    metadata = {
        "dataset": "japanese_vowels",
        "description": f"One-layer {'bidirectional ' * args.bidirectional}"
        "LSTM (trained with input noise) naming "
        "which of 9 speakers said /ae/; raw (frames, 12) series in, 9 class "
        "probabilities out.",
        "metric": metric,
        "baseline": {"name": baseline["name"], "value": baseline["value"]},
        "training": {
            **training,
            "backend": keras.backend.backend(),
            "settings": settings,
            "command": tools.command_line(),
        },
    }
    results = {"metric": metric, "baseline": baseline, "training": metadata["training"]}
    if args.no_ship:
        print(results)
        return
    tools.ship(model, NAME, metadata, results)


if __name__ == "__main__":
    main()
