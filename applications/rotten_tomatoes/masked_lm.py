"""Masked-language-model pre-training of the transformer recipe's encoder.

Before it fine-tunes on the labels, the `rotten_tomatoes` recipe trains
its embedding and encoder (BERT's objective, Devlin et al., 2019) on the
training reviews and the unlabelled corpora of `pretraining.py`, without
their labels: the texts' word ids, concatenated and cut into windows of
`max_length`, have 15 % of their words chosen at random each epoch, and
the model predicts those from the rest. A chosen word is replaced by
`[UNK]` 80 % of the time (the vocabulary has no `[MASK]`, and `[UNK]` is
what word dropout puts in place of a word while fine-tuning), by a random
word 10 % and left as it is 10 %. KerasHub's `MaskedLMHead` predicts the
words; it is dropped after pre-training. One window in 50 is held out to
keep the epoch of lowest loss. No review of the validation or test split
is read here.
"""

import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pretraining  # noqa: E402
import recipe_tools  # noqa: E402

MASK_RATE = 0.15
UNK = 1


def windows(tokenizer, texts, length):
    """The texts' word ids, end to end, cut into rows of `length` (int32)."""
    ids = np.concatenate(
        [np.asarray(row, "int32") for row in pretraining.token_rows(tokenizer, texts)]
    )
    rows = len(ids) // length
    return ids[: rows * length].reshape(rows, length)


def masked_batches(rows, vocabulary_size, batch_size, seed):
    """`((ids, mask_positions), targets)` batches, masked afresh each epoch."""
    import keras

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.rng = np.random.default_rng(seed)
            self.masked = max(1, round(MASK_RATE * rows.shape[1]))
            self.on_epoch_end()

        def __len__(self):
            return len(rows) // batch_size

        def __getitem__(self, index):
            part = slice(index * batch_size, (index + 1) * batch_size)
            return (self.ids[part], self.positions[part]), self.targets[part]

        def on_epoch_end(self):
            order = self.rng.permutation(len(rows))
            self.ids = rows[order].copy()
            # `masked` distinct positions of each row, in order.
            scores = self.rng.random(self.ids.shape)
            positions = np.sort(np.argsort(scores, axis=1)[:, : self.masked], axis=1)
            self.positions = positions.astype("int32")
            self.targets = np.take_along_axis(self.ids, positions, axis=1)
            draw = self.rng.random(positions.shape)
            random_words = self.rng.integers(2, vocabulary_size, positions.shape)
            replaced = np.where(
                draw < 0.8, UNK, np.where(draw < 0.9, random_words, self.targets)
            )
            np.put_along_axis(self.ids, positions, replaced.astype("int32"), axis=1)

    return Batches()


def pretrain_encoder(model, tokenizer, texts, name, settings, args, seed):
    """Trains `model`'s embedding and encoder as a masked language model.

    Args:
        model: the `TextClassifier`; its layers up to the encoder are
            trained in place (a model of the same layers with a
            `MaskedLMHead` on top).
        tokenizer: the preset's tokenizer.
        texts: the unlabelled texts (the training reviews among them).
        name: the preset's name (for the resumable work folder).
        settings: the recipe's settings (the folder's key).
        args: the recipe's arguments `max_length`, `batch_size`,
            `masked_lm_epochs` and `masked_lm_learning_rate`.
        seed: the masks' and the held-out windows' seed.

    Returns:
        The training summary (epochs, selected epoch, held-out loss,
        seconds) with the windows' counts.
    """
    import keras
    import keras_hub

    rows = windows(tokenizer, texts, args.max_length)
    held_out = np.random.default_rng(seed).random(len(rows)) < 0.02
    train, validation = rows[~held_out], rows[held_out]
    vocabulary_size = tokenizer.vocabulary_size()
    train_batches = masked_batches(train, vocabulary_size, args.batch_size, seed)
    # The same masks every epoch for the held-out windows: comparable losses.
    held_out_batch = masked_batches(validation, vocabulary_size, len(validation), 0)[0]
    schedule = recipe_tools.warmup_cosine(
        args.masked_lm_learning_rate, args.masked_lm_epochs * len(train_batches)
    )
    folder = recipe_tools.work_folder(name, {**settings, "stage": "masked_lm"})
    callbacks, best_path = recipe_tools.training_callbacks(folder, "val_loss", "min")
    encoder = keras.Model(model.inputs, model.get_layer("encoder").output)
    ids = keras.Input((None,), dtype="int32", name="token_ids")
    positions = keras.Input((None,), dtype="int32", name="mask_positions")
    head = keras_hub.layers.MaskedLMHead(
        vocabulary_size=vocabulary_size,
        intermediate_activation="gelu",
        name="masked_lm_head",
    )
    with warnings.catch_warnings():
        # The windows hold no padding, so the head loses nothing by not
        # taking the padding mask that the embedding attaches (Keras warns
        # at every call of the head).
        warnings.filterwarnings("ignore", "Layer 'masked_lm_head'")
        masked_lm = keras.Model(
            [ids, positions], head(encoder(ids), mask_positions=positions)
        )
        masked_lm.compile(
            optimizer=keras.optimizers.AdamW(schedule, weight_decay=0.01),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        masked_lm.fit(
            train_batches,
            validation_data=held_out_batch,
            epochs=args.masked_lm_epochs,
            callbacks=callbacks,
            verbose=2,
        )
    masked_lm.load_weights(best_path)
    summary = recipe_tools.summary_of_history(folder, "val_loss", "min")
    summary.update(windows=len(train), held_out_windows=len(validation))
    print(f"masked-language-model pre-training: {summary}", flush=True)
    return summary
