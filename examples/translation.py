"""Delayed many-to-many: English names of countries and languages, in French.

The pairs are the names of languages, territories and currencies in
English and French that ship offline: CLDR's (through Babel), then the
translations in `pycountry`'s gettext catalogues
(`keras_seq.datasets.en_fr_names`, in its fixed split: this script trains
on the training names and tests on the test names): "Germany" ->
"Allemagne", "Algerian Dinar" -> "Dinar algérien", "Japanese" ->
"Japonais". A `keras_seq.applications.Seq2SeqTransformer` (or, with
`--model rnn`, a `Seq2SeqRNN` LSTM encoder-decoder) reads the English
characters and writes the French ones. It reads the names as they are:
its `Seq2SeqPreprocessor` holds a character tokenizer (KerasHub's
`UnicodeCodepointTokenizer`, one id per character, shared by both
languages) and adds the end id to each source and the start and end ids
to each target. It trains with `model.fit` on the English and French
strings by teacher forcing (the decoder reads the true previous
character) and is tested on held-out names with `model.generate`, which
takes English strings and returns French ones (the decoder reads its own
previous character). The baseline to beat is copying the English name
(a name in ten is written alike in both languages). The
model, with its preprocessor, is saved to `--output`. Runs on any backend:

    KERAS_BACKEND=jax python examples/translation.py
    KERAS_BACKEND=jax python examples/translation.py --model rnn
    KERAS_BACKEND=torch python examples/translation.py --quick
"""

import argparse
import time

import keras

from keras_seq.applications import Seq2SeqRNN
from keras_seq.applications import Seq2SeqTransformer
from keras_seq.datasets import en_fr_names
from keras_seq.evaluation import metrics
from keras_seq.preprocessing import Seq2SeqPreprocessor
from keras_seq.preprocessing import character_tokenizer

# Ids the model reads: a source's characters and its end id; the decoder's
# start id and a target's characters (its targets: the characters and the
# end id). 32 is one of the preprocessor's padding buckets, and nearly every
# batch holds a name of 16 characters or more: nearly all batches are 32
# ids wide, one shape to compile (and on TensorFlow, where Keras fixes the
# batch shapes from the first two batches, a batch of another width would
# fail).
SOURCE_LENGTH = TARGET_LENGTH = 32
# Longer names (2% of them) would be cut: leave them out.
MAX_CHARACTERS = SOURCE_LENGTH - 1


def load_pairs(split):
    """`(domain, english, french)` of the split's names of at most MAX_CHARACTERS."""
    english, french = en_fr_names.load_data(split)
    pairs = zip(en_fr_names.load_domains(split), english, french)
    return [pair for pair in pairs if max(map(len, pair[1:])) <= MAX_CHARACTERS]


def scores(predictions, references):
    """Exact-match rate, and character accuracy: 1 - edits / reference chars."""
    return (
        metrics.exact_match(predictions, references),
        metrics.character_accuracy(predictions, references),
    )


def build_translator(kind, small=False):
    """A Seq2SeqTransformer or Seq2SeqRNN that reads and writes strings."""
    # One id per character, its code point: the default vocabulary covers
    # Latin-1 and Latin Extended-A, every letter of English and French (a
    # rarer character, in 2 of the test names, gets its last id).
    tokenizer = character_tokenizer()
    preprocessor = Seq2SeqPreprocessor(tokenizer, None, SOURCE_LENGTH, TARGET_LENGTH)
    sizes = {
        "source_vocabulary_size": preprocessor.source_vocabulary_size,
        "target_vocabulary_size": preprocessor.target_vocabulary_size,
        "num_layers": 1 if small else 2,
        "hidden_dim": 32 if small else 128,
        "preprocessor": preprocessor,
    }
    if kind == "transformer":
        return Seq2SeqTransformer(
            max_length=SOURCE_LENGTH,
            target_max_length=TARGET_LENGTH,
            num_heads=4,
            intermediate_dim=64 if small else 256,
            **sizes,
        )
    return Seq2SeqRNN(max_length=TARGET_LENGTH, cell="lstm", **sizes)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", choices=("transformer", "rnn"), default="transformer"
    )
    parser.add_argument("--epochs", type=int, help="default: 10, or 2 with --quick")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--output", default="en_fr_translator.keras")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a tiny model on a few hundred names, for smoke tests",
    )
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(0)
    # A fixed split: the same names are held out on every run and backend.
    train, test = load_pairs("train"), load_pairs("test")
    if args.quick:
        train, test = train[:500], test[:50]
    print(f"{len(train)} training names, {len(test)} test names")

    model = build_translator(args.model, small=args.quick)
    model.compile()  # cross-entropy on logits that ignores id 0, Adam
    start = time.perf_counter()
    model.fit(
        [english for _, english, _ in train],
        [french for _, _, french in train],
        batch_size=args.batch_size,
        epochs=args.epochs or (2 if args.quick else 10),
        verbose=2,
    )
    print(f"trained in {time.perf_counter() - start:.0f} s")
    model.save(args.output)

    english = [pair[1] for pair in test]
    references = [pair[2] for pair in test]
    predictions = model.generate(english)  # English strings in, French out

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
    print(f"saved: {args.output}")


if __name__ == "__main__":
    main()
