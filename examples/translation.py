"""Delayed many-to-many: English names of countries and languages, in French.

The pairs are the French translations that ship with `pycountry` in its
gettext catalogues (`keras_seq.datasets.en_fr_names`, in its fixed split:
this script trains on the training names and tests on the test names):
names of countries ("Republic of Austria" ->
"République d'Autriche"), currencies ("Algerian Dinar" -> "Dinar
algérien") and languages ("South Bolivian Quechua" -> "Quechua bolivien
méridional"). A `keras_seq.applications.Seq2SeqTransformer` (or, with
`--model rnn`, a `Seq2SeqRNN` LSTM encoder-decoder) reads the English
characters and writes the French ones. It trains with `model.fit` by
teacher forcing (the decoder reads the true previous character) and is
tested on held-out names with `model.generate` (the decoder reads its own
previous character). Most names of languages are the same in both
languages, so the baseline to beat is copying the English name. Runs on
any backend:

    KERAS_BACKEND=jax python examples/translation.py
    KERAS_BACKEND=jax python examples/translation.py --model rnn
    KERAS_BACKEND=torch python examples/translation.py --quick
"""

import argparse
import time

import keras
import numpy as np

from keras_seq.applications import Seq2SeqRNN
from keras_seq.applications import Seq2SeqTransformer
from keras_seq.datasets import en_fr_names

# Longer names (2% of them) would pad every batch further: leave them out.
MAX_CHARACTERS = 32
# Target ids: 0 pads, 1 starts and 2 ends a name, characters take 3, 4, ...
START, END = 1, 2


def load_pairs(split):
    """`(domain, english, french)` of the split's names of at most MAX_CHARACTERS."""
    english, french = en_fr_names.load_data(split)
    pairs = zip(en_fr_names.load_domains(split), english, french)
    return [pair for pair in pairs if max(map(len, pair[1:])) <= MAX_CHARACTERS]


def encode(names, vocabulary, offset):
    """Right-padded `(len(names), longest)` ids; `vocabulary[i]` is `offset + i`."""
    ids = np.zeros((len(names), max(map(len, names))), "int32")
    for row, name in enumerate(names):
        ids[row, : len(name)] = [vocabulary.index(char) + offset for char in name]
    return ids


def decode(ids, vocabulary):
    """The characters of generated target ids, up to the end token."""
    chars = []
    for i in ids[1:]:  # ids[0] is START
        if i in (0, END):
            break
        chars.append(vocabulary[i - 3])
    return "".join(chars)


def edit_distance(a, b):
    """Levenshtein distance: the fewest insertions, deletions and substitutions."""
    row = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, char_b in enumerate(b, start=1):
            previous, row[j] = (
                row[j],
                min(row[j] + 1, row[j - 1] + 1, previous + (char_a != char_b)),
            )
    return row[-1]


def scores(predictions, references):
    """Exact-match rate, and character accuracy: 1 - edits / reference chars."""
    exact = np.mean([p == r for p, r in zip(predictions, references)])
    edits = sum(edit_distance(p, r) for p, r in zip(predictions, references))
    return exact, 1 - edits / sum(map(len, references))


def teacher_forcing(names, vocabulary):
    """Decoder inputs `START + name` and labels `name + END`, right-padded."""
    ids = np.pad(encode(names, vocabulary, 3), ((0, 0), (1, 1)))
    ids[:, 0] = START
    ids[np.arange(len(names)), [len(name) + 1 for name in names]] = END
    decoder_inputs = np.where(ids == END, 0, ids)[:, :-1]
    return decoder_inputs, ids[:, 1:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", choices=("transformer", "rnn"), default="transformer"
    )
    parser.add_argument("--epochs", type=int, help="default: 10, or 2 with --quick")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a tiny model on a few hundred names, for smoke tests",
    )
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(0)
    # A fixed split: the same names are held out on every run and backend.
    train, test = load_pairs("train"), load_pairs("test")
    pairs = [*train, *load_pairs("validation"), *test]
    if args.quick:
        train, test = train[:500], test[:50]
    print(f"{len(train)} training names, {len(test)} test names")

    # The alphabets of all the names: characters, not answers, so no leak.
    source_vocabulary = sorted({char for _, english, _ in pairs for char in english})
    target_vocabulary = sorted({char for _, _, french in pairs for char in french})
    source_ids = encode([english for _, english, _ in train], source_vocabulary, 1)
    decoder_inputs, labels = teacher_forcing(
        [french for _, _, french in train], target_vocabulary
    )

    sizes = {
        "source_vocabulary_size": len(source_vocabulary) + 1,
        "target_vocabulary_size": len(target_vocabulary) + 3,
        "num_layers": 1 if args.quick else 2,
        "hidden_dim": 32 if args.quick else 128,
    }
    if args.model == "transformer":
        model = Seq2SeqTransformer(
            max_length=MAX_CHARACTERS,
            target_max_length=MAX_CHARACTERS + 2,  # START, the name, END
            num_heads=4,
            intermediate_dim=64 if args.quick else 256,
            **sizes,
        )
    else:
        model = Seq2SeqRNN(max_length=MAX_CHARACTERS + 2, cell="lstm", **sizes)
    model.compile()  # cross-entropy on logits that ignores id 0, Adam
    start = time.perf_counter()
    model.fit(
        {"source_ids": source_ids, "target_ids": decoder_inputs},
        labels,
        batch_size=args.batch_size,
        epochs=args.epochs or (2 if args.quick else 10),
        verbose=2,
    )
    print(f"trained in {time.perf_counter() - start:.0f} s")

    english = [pair[1] for pair in test]
    references = [pair[2] for pair in test]
    generated = model.generate(
        encode(english, source_vocabulary, 1), start_token_id=START, end_token_id=END
    )
    predictions = [decode(row, target_vocabulary) for row in generated]

    print(f"\n{'English':<32} {'French':<32} generated")
    countries = [i for i, pair in enumerate(test) if pair[0] == "country"]
    for i in countries[:12]:
        print(f"{english[i]:<32} {references[i]:<32} {predictions[i]}")

    print(f"\nbackend: {keras.backend.backend()}")
    for domain in ("country", "currency", "language"):
        rows = [i for i, pair in enumerate(test) if pair[0] == domain]
        if rows:
            exact, _ = scores(
                [predictions[i] for i in rows], [references[i] for i in rows]
            )
            copied, _ = scores(
                [english[i] for i in rows], [references[i] for i in rows]
            )
            print(
                f"{domain:<8} {len(rows):>4} names: exact match {exact:.3f} "
                f"(copying the English {copied:.3f})"
            )
    exact, accuracy = scores(predictions, references)
    copied_exact, copied_accuracy = scores(english, references)
    print(f"test exact match: {exact:.3f} (copying the English {copied_exact:.3f})")
    print(
        f"test character accuracy: {accuracy:.3f} "
        f"(copying the English {copied_accuracy:.3f})"
    )


if __name__ == "__main__":
    main()
