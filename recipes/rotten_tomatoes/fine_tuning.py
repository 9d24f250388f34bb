"""Fine-tuning batches of the reviews, for both recipes, with word dropout.

Both Rotten Tomatoes recipes fine-tune their model, started from the
pre-trained word vectors (`pretraining.py`), on the 10,202 training
reviews. With so few reviews a model learns them by heart within two
epochs, and which epoch and which seed do best on validation moves by
about +-0.01: so each run replaces words by `[UNK]` at random (word
dropout), and the shipped model is a uniform soup (Wortsman et al.,
2022, "Model soups"): `runs` fine-tunings from the same start, each on
its own order of batches and word dropout, each kept at its epoch best on
validation, their weights averaged into one model of the same size
(`tools.fine_tuned_soup`).
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import tools  # noqa: E402


def review_batches(texts, labels, preprocessor, batch_size, word_dropout, seed):
    """Shuffled training batches of token ids, some words replaced by `[UNK]`.

    Each epoch reshuffles the reviews and replaces each real word by the
    unknown id (1) with probability `word_dropout`, drawn afresh.
    """
    import keras

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.texts, self.labels = list(texts), np.asarray(labels)
            self.rng = np.random.default_rng(seed)
            self.on_epoch_end()

        def __len__(self):
            return len(self.texts) // batch_size

        def __getitem__(self, index):
            rows = self.order[index * batch_size : (index + 1) * batch_size]
            ids = preprocessor([self.texts[row] for row in rows])
            if word_dropout:
                drop = (self.rng.random(ids.shape) < word_dropout) & (ids > 0)
                ids = np.where(drop, 1, ids).astype(ids.dtype)
            return ids, self.labels[rows]

        def on_epoch_end(self):
            self.order = self.rng.permutation(len(self.texts))

    return Batches()


def fine_tuned_soup(model, optimizer, name, settings, splits, args, seed):
    """`tools.fine_tuned_soup` of `model` on the training reviews.

    Args:
        model: the classifier with its preprocessor, at its starting weights.
        optimizer: a function returning a new optimizer, one per run.
        name: the preset's name (for the resumable work folders).
        settings: the recipe's settings (each run has its own folder).
        splits: `rotten_tomatoes.load_data()`.
        args: the recipe's arguments `soup`, `epochs`, `batch_size` and
            `word_dropout`.
        seed: run `i` draws its batches and word dropout from `seed + i`.

    Returns:
        The summary of `tools.fine_tuned_soup`.
    """
    x_train, y_train = splits["train"]
    x_val, y_val = splits["validation"]
    return tools.fine_tuned_soup(
        model,
        optimizer,
        name,
        settings,
        lambda run: review_batches(
            x_train,
            y_train,
            model.preprocessor,
            args.batch_size,
            args.word_dropout,
            seed + run,
        ),
        # Raw texts: Task.fit runs them through the model's preprocessor.
        (list(x_val), y_val),
        args.soup,
        args.epochs,
    )
