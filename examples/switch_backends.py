"""Switching backends: train under one backend, load and predict under the others.

A `.keras` file holds no backend: the same file, with the model's
preprocessor and its byte-pair vocabulary, loads under TensorFlow, JAX and
PyTorch. This script trains a small `TextClassifier` on Rotten Tomatoes
reviews under `--train-backend` and saves it to `--output`; then, in a
fresh process for each backend of `--to`, loads the file and predicts on
the same raw test reviews. It prints each backend's test accuracy and the
largest difference from the training backend's probabilities (float32
round-off, far below 1e-4).

Keras reads `KERAS_BACKEND` once, when it is first imported, so each stage
runs in its own process; this process imports no Keras at all.

    python examples/switch_backends.py --train-backend jax --to tensorflow torch
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

BACKENDS = ("tensorflow", "jax", "torch")


def _test_reviews(quick):
    from keras_seq.datasets import rotten_tomatoes

    reviews, labels = rotten_tomatoes.load_data("test")
    return (reviews[:128], labels[:128]) if quick else (reviews, labels)


def train(output, epochs, quick):
    """Trains and saves the classifier under this process's backend."""
    import keras

    from keras_seq.applications import TextClassifier
    from keras_seq.datasets import rotten_tomatoes
    from keras_seq.preprocessing import TextClassifierPreprocessor
    from keras_seq.preprocessing import train_byte_pair_tokenizer

    keras.utils.set_random_seed(0)
    x_train, y_train = rotten_tomatoes.load_data("train")
    if quick:
        x_train, y_train, epochs = x_train[:256], y_train[:256], 1
    tokenizer = train_byte_pair_tokenizer(x_train, 500 if quick else 4_000)
    model = TextClassifier(
        vocabulary_size=tokenizer.vocabulary_size(),
        max_length=64,
        classes=len(rotten_tomatoes.LABELS),
        num_layers=1,
        num_heads=2,
        hidden_dim=16 if quick else 32,
        intermediate_dim=32 if quick else 64,
        dropout=0.2,
        preprocessor=TextClassifierPreprocessor(tokenizer, sequence_length=64),
    )
    model.compile()
    model.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=2)
    model.save(output)


def predict(model_path, probabilities_path, quick):
    """Loads the file under this process's backend and saves its predictions."""
    import keras

    import keras_seq.applications  # noqa: F401  (registers the classes)

    model = keras.saving.load_model(model_path)
    reviews, _ = _test_reviews(quick)
    np.save(probabilities_path, model.predict(reviews, batch_size=128, verbose=0))


def _stage(backend, *argv):
    """Runs this script's `argv` stage in a fresh process under `backend`."""
    environment = {**os.environ, "KERAS_BACKEND": backend}
    environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    command = [sys.executable, os.path.abspath(__file__), *argv]
    done = subprocess.run(command, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"The {backend} stage failed:\n{done.stderr[-3000:]}")
    return done.stdout


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-backend", choices=BACKENDS, default="jax")
    parser.add_argument("--to", nargs="+", choices=BACKENDS, default=BACKENDS)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--output", default="switch_backends.keras")
    parser.add_argument(
        "--quick", action="store_true", help="a tiny run, for smoke tests"
    )
    parser.add_argument("--stage", choices=("train", "predict"), help=argparse.SUPPRESS)
    parser.add_argument("--probabilities", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage == "train":
        return train(args.output, args.epochs, args.quick)
    if args.stage == "predict":
        return predict(args.output, args.probabilities, args.quick)

    quick = ["--quick"] if args.quick else []
    common = ["--output", args.output, *quick]
    print(f"training under {args.train_backend}", flush=True)
    print(
        _stage(
            args.train_backend,
            "--stage",
            "train",
            "--epochs",
            str(args.epochs),
            *common,
        )
    )
    _, labels = _test_reviews(args.quick)
    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for backend in dict.fromkeys([args.train_backend, *args.to]):
            path = os.path.join(folder, f"{backend}.npy")
            _stage(backend, "--stage", "predict", "--probabilities", path, *common)
            results[backend] = np.load(path)
    reference = results[args.train_backend]
    for backend, probabilities in results.items():
        accuracy = np.mean(probabilities.argmax(-1) == labels)
        difference = np.max(np.abs(probabilities - reference))
        print(
            f"{backend:>10}: test accuracy {accuracy:.3f} on {len(labels)} reviews; "
            f"largest difference from {args.train_backend} {difference:.1e}"
        )
    print(f"saved: {args.output}")


if __name__ == "__main__":
    main()
