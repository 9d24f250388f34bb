"""A bag of hashed word bigrams beside `make demo`'s model (validation only).

A prototype for issue 36.5 (fastText's bigram features, Joulin et al.,
2017): the demo's model (`demo_settings.demo_model`, the shipped word
vectors) with, beside its pooled encoder features, the masked mean of an
embedding of its adjacent word pairs, hashed into `--buckets` rows of
`--dim` numbers; both go through the head's dropout to the classifier.
Trained as `keras-seq train` trains (Adam at 1e-3, batches of 64, at most
5 epochs, early stopping on the validation loss, patience 1, the epoch of
lowest validation loss kept). Prints one JSON line. The test split is
never read.

    KERAS_BACKEND=jax python recipes/rotten_tomatoes/demo_bigrams.py --seed 0
"""

import argparse
import pathlib
import sys

import keras
import numpy as np
from keras import ops

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from demo_settings import demo_model  # noqa: E402
from demo_settings import fit_and_report  # noqa: E402
from demo_settings import reviews  # noqa: E402

from keras_seq.cli import setups  # noqa: E402
from keras_seq.layers import MaskedMeanPooling  # noqa: E402

_PRIME = 104_729  # times a word id < 16,000: below 2**31


def bigram_ids(token_ids, buckets):
    """Ids in [1, buckets) of adjacent pairs of real words, 0 elsewhere."""
    first, second = token_ids[:, :-1], token_ids[:, 1:]
    hashed = (first * _PRIME % buckets + second) % (buckets - 1) + 1
    real = ops.logical_and(first > 0, second > 0)
    return ops.where(real, hashed, 0)


def with_bigrams(model, buckets, dim, dropout):
    """`model`'s graph with a bag of hashed bigrams beside its pooled features."""
    token_ids = model.inputs[0]
    features = model.get_layer("pooling").output
    pairs = bigram_ids(token_ids, buckets)
    bag = keras.layers.Embedding(buckets, dim, mask_zero=True, name="bigrams")(pairs)
    bag = MaskedMeanPooling(name="bigram_pooling")(bag)
    x = keras.layers.Concatenate()([features, bag])
    x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(2, activation="softmax")(x)
    return keras.Model(token_ids, outputs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--buckets", type=int, default=2**17)
    parser.add_argument("--dim", type=int, default=16)
    args = parser.parse_args(argv)
    setup = setups.get(setups.DEFAULT)
    (x, y), (x_val, y_val) = reviews(setup)
    keras.utils.set_random_seed(args.seed)
    base = demo_model({})
    ids, ids_val = base.preprocessor(list(x)), base.preprocessor(list(x_val))
    model = with_bigrams(base, args.buckets, args.dim, base.init_config["dropout"])
    keras.utils.set_random_seed(args.seed)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    bigrams = {"buckets": args.buckets, "dim": args.dim}
    settings = {"bigrams": bigrams, "seed": args.seed}
    fit_and_report(
        model,
        np.asarray(ids),
        np.asarray(y),
        (np.asarray(ids_val), np.asarray(y_val)),
        setup,
        settings,
        verbose=2,
    )


if __name__ == "__main__":
    main()
