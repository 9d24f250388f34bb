"""Recipe of the `hamlet_char_lm` preset: a character-level transformer on Hamlet.

Trains `keras_seq.applications.CausalLM` (decoder-only transformer) on the
first 80 % of the characters of `keras_seq.datasets.hamlet`, on random
windows of 255 characters read after the start id; keeps the epoch of
best validation loss (the next 10 % of the play), then measures bits per
character once on the test text (the last 10 %). The baselines, unigram
and bigram character models counted on the training text with add-k
smoothing (`k` chosen on validation; add-one also recorded), are measured
on the same test text. The selected model ships with its
`CausalLMPreprocessor` (a `character_tokenizer`; raw text in) as the
preset `keras_seq/presets/files/hamlet_char_lm/`, its digest
goes into `keras_seq/presets/shipped.json`, and the figures into
`recipes/hamlet_char_lm/results.json`.

    KERAS_BACKEND=jax python recipes/hamlet_char_lm/train.py

An interrupted run resumes from its last epoch (run the same command).
`--validation-only` stops before the test text is touched (for trying
settings); `--no-ship` measures but writes nothing into the package.

How a text is scored (`keras_seq.evaluation.held_out`): it is cut into consecutive
pieces of `PIECE` characters; each piece is read after the start id and
the up to `CONTEXT` characters before it in the same text (none for the
first piece), so every character is scored once, from at least its own
piece's preceding characters, and the figure is the mean of
`-log2 p(character)` over all of them.
"""

import argparse
import os
import sys
import time

import keras
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import tools  # noqa: E402

from keras_seq.applications import CausalLM  # noqa: E402
from keras_seq.datasets import hamlet  # noqa: E402
from keras_seq.evaluation import held_out  # noqa: E402
from keras_seq.evaluation import metrics  # noqa: E402
from keras_seq.preprocessing import CausalLMPreprocessor  # noqa: E402
from keras_seq.preprocessing import character_tokenizer  # noqa: E402

NAME = "hamlet_char_lm"
SEED = 20260508
# The model reads the start id and 255 characters.
SEQUENCE_LENGTH = 256
# The held-out figure, measured as the card, `keras-seq` and the tests do:
# pieces of held_out.PIECE characters, each after up to held_out.CONTEXT
# characters before it (the model reads them all and the start id).
FIGURE = held_out.get("hamlet")
assert held_out.CONTEXT + held_out.PIECE + 1 <= SEQUENCE_LENGTH
# What tests/presets/test_presets.py measures in the default run: the
# first SUBSET pieces of the test text.
SUBSET = 40
PROMPT = "HAMLET\n"


def probe_outputs(model, inputs):
    """The next-character probabilities of raw `inputs`, compared across backends."""
    logits = model.predict(list(inputs), verbose=0)
    return np.exp(metrics.log_softmax(logits)).astype("float32")


class RandomWindows(keras.utils.PyDataset):
    """Random windows of the training text, drawn afresh every epoch (seeded).

    Each example is what `CausalLMPreprocessor` makes of a 256-character
    window: the start id and the first 255 characters in, the 256
    characters out.
    """

    def __init__(self, ids, start_id, batch_size, steps, seed):
        super().__init__()
        self.ids = ids
        self.start_id = start_id
        self.batch_size = batch_size
        self.steps = steps
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        starts = self.starts[index]
        windows = self.ids[starts[:, None] + np.arange(SEQUENCE_LENGTH)]
        x = np.concatenate(
            [np.full((len(starts), 1), self.start_id, "int32"), windows[:, :-1]], 1
        )
        return x, windows

    def on_epoch_end(self):
        high = len(self.ids) - SEQUENCE_LENGTH + 1
        self.starts = self.rng.integers(0, high, size=(self.steps, self.batch_size))


def ngram_baselines(splits, tokenizer):
    """Unigram and bigram models counted on the training text, on the same ids.

    Add-k smoothing over the model's ids (padding, start and end left
    out), `k` chosen on validation bits per character; add-one recorded too.
    Returns `{name: {...}}` with validation and test bits per character.
    """
    start = time.perf_counter()
    vocabulary_size = tokenizer.vocabulary_size()
    ids = {
        split: np.asarray(tokenizer.tokenize(text)) for split, text in splits.items()
    }
    symbols = np.array([i for i in range(vocabulary_size) if i not in (0, 2, 3)])
    train = ids["train"]
    unigram_counts = np.bincount(train, minlength=vocabulary_size)
    bigram_counts = np.zeros((vocabulary_size, vocabulary_size))
    np.add.at(bigram_counts, (train[:-1], train[1:]), 1)

    def unigram_bits(k, text):
        counts = unigram_counts[symbols] + k
        p = np.zeros(vocabulary_size)
        p[symbols] = counts / counts.sum()
        return float(-np.log2(p[text]).mean())

    def bigram_bits(k, text):
        counts = np.zeros_like(bigram_counts)
        counts[:, symbols] = bigram_counts[:, symbols] + k
        p = counts / counts.sum(axis=1, keepdims=True)
        # The first character has no previous one in the text: unigram.
        first = unigram_bits(k, text[:1]) if len(text) else 0.0
        rest = -np.log2(p[text[:-1], text[1:]])
        return float((first + rest.sum()) / len(text))

    results = {}
    for name, bits in (("unigram", unigram_bits), ("bigram", bigram_bits)):
        choices = (1.0, 0.3, 0.1, 0.03, 0.01, 0.003)
        validation = {k: bits(k, ids["validation"]) for k in choices}
        best_k = min(validation, key=validation.get)
        results[name] = {
            "name": f"{name} character model counted on the training text, "
            f"add-k smoothing (k={best_k:g} chosen on validation)",
            "value": round(bits(best_k, ids["test"]), 4),
            "validation_bits_per_character": validation,
            "add_one_test_value": round(bits(1.0, ids["test"]), 4),
        }
    results["seconds"] = round(time.perf_counter() - start, 1)
    return results


def samples(model, seed):
    """A greedy and a top-k (k=5, seeded) continuation of PROMPT, 256 ids long."""
    import keras_hub

    return {
        "prompt": PROMPT,
        "greedy": model.generate(PROMPT, max_length=SEQUENCE_LENGTH),
        "top_k_5_seed": seed,
        "top_k_5": model.generate(
            PROMPT,
            max_length=SEQUENCE_LENGTH,
            sampler=keras_hub.samplers.TopKSampler(k=5, seed=seed),
        ),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--steps-per-epoch", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--num-layers", type=int, default=4)
    parser.add_argument("--num-heads", type=int, default=4)
    parser.add_argument("--hidden-dim", type=int, default=128)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--weight-decay", type=float, default=0.1)
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
    splits = hamlet.load_data()
    tokenizer = character_tokenizer(splits["train"])
    print(
        f"vocabulary: {tokenizer.vocabulary_size()} ids (code points; "
        f"{len(set(splits['train']))} distinct characters in the training text)",
        flush=True,
    )
    preprocessor = CausalLMPreprocessor(tokenizer, SEQUENCE_LENGTH)
    model = CausalLM(
        vocabulary_size=preprocessor.vocabulary_size,
        max_length=SEQUENCE_LENGTH,
        backbone="transformer",
        num_layers=args.num_layers,
        num_heads=args.num_heads,
        hidden_dim=args.hidden_dim,
        intermediate_dim=4 * args.hidden_dim,
        dropout=args.dropout,
        preprocessor=preprocessor,
    )
    print(f"parameters: {model.count_params():,}", flush=True)
    train_ids = np.asarray(tokenizer.tokenize(splits["train"]), "int32")
    train = RandomWindows(
        train_ids,
        preprocessor.start_token_id,
        args.batch_size,
        args.steps_per_epoch,
        SEED,
    )
    # Validation: the validation text in consecutive 256-character windows,
    # each read after the start id (the loss ignores the padding).
    text = splits["validation"]
    windows = [
        text[i : i + SEQUENCE_LENGTH] for i in range(0, len(text), SEQUENCE_LENGTH)
    ]
    schedule = tools.warmup_cosine(
        args.learning_rate, args.epochs * len(train), alpha=0.1
    )
    model.compile(
        optimizer=keras.optimizers.AdamW(
            schedule, weight_decay=args.weight_decay, clipnorm=1.0
        )
    )

    folder = tools.work_folder(NAME, settings)
    callbacks, best_path = tools.training_callbacks(folder, "val_loss", "min")
    model.fit(
        train,
        # Raw texts: Task.fit runs them through the model's preprocessor.
        validation_data=(windows,),
        validation_batch_size=len(windows),
        epochs=args.epochs,
        callbacks=callbacks,
        verbose=2,
    )
    training = tools.summary_of_history(folder, "val_loss", "min")
    print(f"selected on validation: {training}", flush=True)
    model.load_weights(best_path)
    validation_bits = FIGURE.measure(model, *FIGURE.examples("validation"))[
        FIGURE.metric
    ]
    print(f"validation bits per character: {validation_bits:.4f}", flush=True)
    if args.validation_only:
        return
    inputs, pieces = FIGURE.examples("test")
    bits = FIGURE.measure(model, inputs, pieces)[FIGURE.metric]
    characters = sum(map(len, pieces))
    print(f"test bits per character: {bits:.4f} on {characters} characters")
    baselines = ngram_baselines(splits, tokenizer)
    print(f"baselines: {baselines}", flush=True)
    generated = samples(model, SEED)
    print(f"samples: {generated}", flush=True)
    metric = {
        "name": "bits per character",
        "value": round(float(bits), 4),
        "split": "test",
        "examples": int(len(inputs)),
        "characters": int(characters),
        "validation_value": round(float(validation_bits), 4),
    }
    metadata = {
        "dataset": "hamlet",
        "description": "Character-level decoder-only transformer "
        f"({args.num_layers} layers, {args.hidden_dim}-d, "
        f"{SEQUENCE_LENGTH - 1} characters of context) trained on Hamlet; raw "
        "text in, next-character logits out; generate continues a prompt.",
        "metric": metric,
        "baseline": {
            "name": baselines["bigram"]["name"],
            "value": baselines["bigram"]["value"],
        },
        "training": {
            **training,
            "backend": keras.backend.backend(),
            "settings": settings,
            "command": tools.command_line(),
        },
    }
    results = {
        "metric": metric,
        "baseline": baselines["bigram"],
        "unigram_baseline": baselines["unigram"],
        "vocabulary_size": int(preprocessor.vocabulary_size),
        "parameters": int(model.count_params()),
        "samples": generated,
        "training": metadata["training"],
    }
    if args.no_ship:
        print(results)
        return
    tools.ship(model, NAME, metadata, results)


if __name__ == "__main__":
    main()
