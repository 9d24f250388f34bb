"""Validation accuracy of a variant of `make demo`'s model (validation only).

Builds the default `keras-seq train` model (a TextClassifier over the
shipped `rotten_tomatoes` preset's tokenizer and token embedding, as
`keras_seq.cli.setups` builds it), with the `TextClassifier` arguments
given as JSON replacing the default ones, and trains it the way
`keras-seq train` does (`compile()`'s defaults, batches of 64, at most 5
epochs, stopping once the validation loss has not fallen for an epoch and
keeping the epoch of the lowest). Prints one JSON line: the validation
accuracy at that epoch and every epoch's figures. The test split is never
read: the demo's settings are chosen on these figures (docs/install.md).

    KERAS_BACKEND=jax python recipes/rotten_tomatoes/demo_settings.py \
        --seed 0 '{"pooling": "class_token"}'
"""

import argparse
import json
import time

import keras
import numpy as np

from keras_seq.applications import TextClassifier
from keras_seq.cli import setups


def demo_model(changes, vectors=None):
    """The demo's model with the `TextClassifier` arguments in `changes`.

    `vectors` (a NumPy array), when given, replace the shipped word vectors
    as the token embedding's starting point.
    """
    setup = setups.get(setups.DEFAULT)
    x, y = setups.load_split(setup, "rotten_tomatoes", "train", limit=8)
    model = setup.build(x, y, "rotten_tomatoes", False)
    if vectors is not None:
        model.get_layer("embedding").token_embedding.embeddings.assign(vectors)
    if not changes:
        return model
    config = {**model.init_config, **changes}
    variant = TextClassifier(**config, preprocessor=model.preprocessor)
    token_embedding = variant.get_layer("embedding").token_embedding
    token_embedding.embeddings.assign(
        model.get_layer("embedding").token_embedding.embeddings
    )
    return variant


def reviews(setup):
    """The training and validation reviews and labels: `(x, y), (x_val, y_val)`."""
    return tuple(
        setups.load_split(setup, "rotten_tomatoes", part)
        for part in ("train", "validation")
    )


def fit_and_report(model, x, y, validation, setup, settings, verbose=0):
    """Trains the compiled `model` as `keras-seq train` does; prints one JSON line.

    Early stopping on the validation loss keeps the epoch of the lowest;
    the line holds `settings`, that epoch, its validation accuracy, every
    epoch's figures and the seconds taken.
    """
    start = time.perf_counter()
    stopping = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=setup.patience, restore_best_weights=True
    )
    history = model.fit(
        x,
        y,
        batch_size=setup.batch_size,
        epochs=setup.epochs,
        validation_data=validation,
        callbacks=[stopping],
        verbose=verbose,
    ).history
    best = int(np.argmin(history["val_loss"]))
    result = {
        **settings,
        "epoch": best + 1,
        "validation_accuracy": round(history["val_accuracy"][best], 4),
        "history": {k: [round(v, 4) for v in vs] for k, vs in history.items()},
        "seconds": round(time.perf_counter() - start),
    }
    print(json.dumps(result), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("changes", nargs="?", default="{}", help="JSON arguments")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--vectors", help="a .npy of starting word vectors (demo_vectors.py)"
    )
    args = parser.parse_args(argv)
    setup = setups.get(setups.DEFAULT)
    (x, y), validation = reviews(setup)
    keras.utils.set_random_seed(args.seed)
    vectors = None if args.vectors is None else np.load(args.vectors)
    model = demo_model(json.loads(args.changes), vectors)
    keras.utils.set_random_seed(args.seed)  # as `keras-seq train` before fitting
    model.compile()
    settings = {
        "changes": json.loads(args.changes),
        "seed": args.seed,
        "vectors": args.vectors,
    }
    fit_and_report(model, x, y, validation, setup, settings)


if __name__ == "__main__":
    main()
