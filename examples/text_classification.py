"""Many-to-one: is a Rotten Tomatoes review fresh or rotten?

A `keras_seq.applications.TextClassifier` (token and position embedding,
a transformer encoder, masked mean pooling) reads the reviews as they are:
its preprocessor holds a byte-pair vocabulary learned from the training
reviews (KerasHub's `BytePairTokenizer`, trained with Hugging Face
`tokenizers`), so `fit`, `evaluate` and `predict` take strings. It trains
on the 10,202 training reviews, keeps the epoch with the best validation
loss, and is scored on the 1,275 held-out test reviews. The model, with
its vocabulary, is saved to `--output`. Runs on any backend:

    KERAS_BACKEND=jax python examples/text_classification.py
    KERAS_BACKEND=torch python examples/text_classification.py --quick
"""

import argparse
import time

import keras
import numpy as np

from keras_seq.applications import TextClassifier
from keras_seq.datasets import rotten_tomatoes
from keras_seq.preprocessing import TextClassifierPreprocessor
from keras_seq.preprocessing import train_byte_pair_tokenizer

VOCABULARY_SIZE = 8_000
MAX_LENGTH = 64
# TF-IDF (1-2 grams) + logistic regression on the same test split.
TFIDF_BASELINE = 0.787


def build_classifier(texts, vocabulary_size=VOCABULARY_SIZE, hidden_dim=64):
    """A TextClassifier whose preprocessor's vocabulary is learned from `texts`."""
    tokenizer = train_byte_pair_tokenizer(texts, vocabulary_size)
    return TextClassifier(
        vocabulary_size=tokenizer.vocabulary_size(),
        max_length=MAX_LENGTH,
        classes=len(rotten_tomatoes.LABELS),
        num_layers=1,
        num_heads=4,
        hidden_dim=hidden_dim,
        intermediate_dim=2 * hidden_dim,
        dropout=0.2,
        preprocessor=TextClassifierPreprocessor(tokenizer, MAX_LENGTH),
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--output", default="text_classifier.keras")
    parser.add_argument(
        "--quick", action="store_true", help="a tiny run, for smoke tests"
    )
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(0)
    started = time.time()
    data = rotten_tomatoes.load_data()
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = (
        data[split] for split in rotten_tomatoes.SPLITS
    )
    if args.quick:
        x_train, y_train, x_val, y_val = x_train[:256], y_train[:256], x_val, y_val
        x_test, y_test, args.epochs = x_test[:256], y_test[:256], 1
    model = build_classifier(
        x_train,
        vocabulary_size=500 if args.quick else VOCABULARY_SIZE,
        hidden_dim=16 if args.quick else 64,
    )
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=args.epochs,
        batch_size=args.batch_size,
        # A small model overfits 10k reviews within a few epochs: keep the best.
        callbacks=[
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=1, restore_best_weights=True
            )
        ],
        verbose=2,
    )
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    majority = max(np.mean(y_test), 1 - np.mean(y_test))
    model.save(args.output)
    reviews = ["a gripping, funny and moving film", "dull, flat and far too long"]
    fresh = model.predict(reviews, verbose=0)[:, rotten_tomatoes.LABELS.index("fresh")]
    print(f"backend: {keras.backend.backend()}")
    for review, probability in zip(reviews, fresh):
        print(f"P(fresh | {review!r}) = {probability:.2f}")
    print(
        f"test accuracy: {accuracy:.3f} (majority-class baseline {majority:.3f}, "
        f"TF-IDF + logistic regression {TFIDF_BASELINE})"
    )
    print(f"saved: {args.output}; wall time {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
