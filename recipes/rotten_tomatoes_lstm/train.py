"""Recipe of the `rotten_tomatoes_lstm` preset: an LSTM tells fresh from rotten.

Trains `keras_seq.applications.RNNClassifier` (token input, one LSTM
layer) on the 10,202 training reviews of
`keras_seq.datasets.rotten_tomatoes`, read word by word with the same
KerasHub `WordPieceTokenizer` of whole lower-cased words as the
`rotten_tomatoes` preset, its embeddings started from the same word
vectors pre-trained on unlabelled text that ships offline (PPMI +
truncated SVD, `recipes/rotten_tomatoes/pretraining.py`) and
fine-tuned, with word dropout, in `--soup` runs from the same start
(`recipes/rotten_tomatoes/fine_tuning.py`), each kept at its epoch of
best validation accuracy (1,275 reviews) and their weights averaged; then
measures accuracy once on the 1,275 test reviews. The baseline, TF-IDF
(1-2 grams) + logistic regression (scikit-learn), has its `C` chosen on
the same validation split and is measured on the same test split. The
soup ships with its preprocessor (strings in) as
`keras_seq/presets/files/rotten_tomatoes_lstm/`.

    KERAS_BACKEND=jax python recipes/rotten_tomatoes_lstm/train.py

An interrupted run resumes from its last epoch (run the same command).
`--validation-only` stops before the test split is touched; `--no-ship`
measures but writes nothing into the package.
"""

import argparse
import os
import sys

import keras

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "rotten_tomatoes"))

import fine_tuning  # noqa: E402
import pretraining  # noqa: E402
import tools  # noqa: E402

from keras_seq.applications import RNNClassifier  # noqa: E402
from keras_seq.datasets import rotten_tomatoes  # noqa: E402
from keras_seq.evaluation import held_out  # noqa: E402
from keras_seq.preprocessing import TextClassifierPreprocessor  # noqa: E402

NAME = "rotten_tomatoes_lstm"
SEED = 20261202
# The held-out figure, measured as the card, `keras-seq` and the tests do.
FIGURE = held_out.get("rotten_tomatoes")
# What tests/presets/test_presets.py measures in the default run: the
# first SUBSET test reviews.
SUBSET = 200


def probe_outputs(model, texts):
    """The class probabilities of raw `texts`, compared across backends."""
    return model.predict(list(texts), verbose=0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--vocabulary-size", type=int, default=12000)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--hidden-dim", type=int, default=96)
    parser.add_argument("--bidirectional", action="store_true")
    parser.add_argument("--dropout", type=float, default=0.4)
    parser.add_argument("--word-dropout", type=float, default=0.15)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--init", choices=("ppmi", "random"), default="ppmi")
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--bigrams", action="store_true")
    parser.add_argument("--soup", type=int, default=8)
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
    splits = rotten_tomatoes.load_data()
    x_train, y_train = splits["train"]
    corpora = pretraining.unlabelled_corpora()
    texts = list(x_train) + [text for part in corpora.values() for text in part]
    tokenizer = pretraining.word_piece_tokenizer(texts, args.vocabulary_size)
    preprocessor = TextClassifierPreprocessor(tokenizer, args.max_length)
    model = RNNClassifier(
        classes=len(rotten_tomatoes.LABELS),
        cell="lstm",
        bidirectional=args.bidirectional,
        vocabulary_size=tokenizer.vocabulary_size(),
        hidden_dim=args.hidden_dim,
        dropout=args.dropout,
        preprocessor=preprocessor,
    )
    pretrained = None
    if args.init == "ppmi":
        # The embedding's size is the LSTM's `hidden_dim`.
        vectors, pretrained = pretraining.ppmi_embeddings(
            tokenizer, texts, args.hidden_dim, window=args.window, bigrams=args.bigrams
        )
        pretrained["corpora"] = {name: len(part) for name, part in corpora.items()}
        pretrained["corpora"]["rotten_tomatoes_train"] = len(x_train)
        model.get_layer("embedding").embeddings.assign(vectors)
        print(f"pre-trained word vectors: {pretrained}", flush=True)
    training = fine_tuning.fine_tuned_soup(
        model,
        lambda: keras.optimizers.AdamW(
            args.learning_rate, weight_decay=0.01, clipnorm=1.0
        ),
        NAME,
        settings,
        splits,
        args,
        SEED,
    )
    if args.validation_only:
        return
    x_test, y_test = FIGURE.examples("test")
    accuracy = FIGURE.measure(model, x_test, y_test)["accuracy"]
    print(f"test accuracy: {accuracy:.4f} on {len(x_test)} reviews", flush=True)
    baseline = pretraining.tfidf_baseline(splits)
    print(f"baseline: {baseline}", flush=True)
    metric = {
        "name": "accuracy",
        "value": round(accuracy, 4),
        "split": "test",
        "examples": int(len(x_test)),
        "target": 0.787,
    }
    metadata = {
        "dataset": "rotten_tomatoes",
        "description": "One-layer LSTM over whole words, embeddings "
        "pre-trained by PPMI + SVD on offline text, telling fresh (1) from "
        "rotten (0) movie reviews; raw strings in, 2 class probabilities out.",
        "labels": list(rotten_tomatoes.LABELS),
        "metric": metric,
        "baseline": {"name": baseline["name"], "value": baseline["value"]},
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
        "pretraining": pretrained,
        "training": metadata["training"],
    }
    if args.no_ship:
        print(results)
        return
    tools.ship(model, NAME, metadata, results)


if __name__ == "__main__":
    main()
