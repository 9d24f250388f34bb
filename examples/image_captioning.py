"""One-to-many: caption a handwritten digit with its English name, letter by letter.

`keras_seq.applications.ImageCaptioner` encodes an 8x8 digit from
scikit-learn's `load_digits` (1,797 real handwritten digits) as 16 patches
of 2x2 pixels and decodes a caption one character at a time: a start
token, the letters of the digit's name ("seven"), an end token. Training
is teacher-forced (the decoder reads the true caption shifted right); the
test score is the share of held-out images whose caption,
generated greedily with `model.generate`, is exactly right.

    KERAS_BACKEND=jax python examples/image_captioning.py
"""

import argparse

import keras
import numpy as np
from sklearn.datasets import load_digits

from keras_seq.applications import ImageCaptioner

SEED = 0
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# Id 0 is padding (the loss ignores it), then the start and end tokens, then
# one id per letter used by the ten words.
PAD, START, END = 0, 1, 2
LETTERS = sorted(set("".join(WORDS)))
LETTER_IDS = {letter: index for index, letter in enumerate(LETTERS, start=3)}
MAX_LENGTH = 2 + max(map(len, WORDS))  # start, the longest word, end


def encode(word):
    """`word` as caption ids: start, its letters, end, padding to MAX_LENGTH."""
    ids = [START, *(LETTER_IDS[letter] for letter in word), END]
    return ids + [PAD] * (MAX_LENGTH - len(ids))


def decode(ids):
    """Caption ids back to text; the start, end and padding ids are dropped."""
    return "".join(LETTERS[i - 3] for i in ids if i not in (PAD, START, END))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--quick", action="store_true", help="500 digits, one epoch: a smoke test"
    )
    args = parser.parse_args(argv)
    print(f"backend: {keras.backend.backend()}")

    keras.utils.set_random_seed(SEED)
    digits = load_digits()
    images = (digits.images / 16.0)[..., None].astype("float32")  # pixels 0-16
    captions = np.array([encode(WORDS[label]) for label in digits.target], "int32")
    order = np.random.default_rng(SEED).permutation(len(images))
    if args.quick:
        order, args.epochs = order[:500], 1
    # About 80% for training, in whole batches: under JAX a smaller last
    # batch would compile the training step a second time.
    train_size = len(order) * 4 // 5 // args.batch_size * args.batch_size
    train, test = np.split(order, [train_size])

    model = ImageCaptioner(
        input_shape=(8, 8, 1),
        patch_size=2,
        vocabulary_size=3 + len(LETTERS),
        max_length=MAX_LENGTH,
        num_layers=1 if args.quick else 2,
        hidden_dim=64,
        intermediate_dim=128,
        # Dropout's random numbers double the JAX compile time of a quick run.
        dropout=0.0 if args.quick else 0.1,
    )
    model.compile()  # cross-entropy on logits that ignores padding, Adam
    # Teacher forcing: the decoder reads the caption shifted right and is
    # trained to emit the next id at every step.
    model.fit(
        {"images": images[train], "token_ids": captions[train, :-1]},
        captions[train, 1:],
        epochs=args.epochs,
        batch_size=args.batch_size,
        verbose=2,
    )

    generated = model.generate(images[test], start_token_id=START, end_token_id=END)
    exact = np.all(generated == captions[test], axis=1)
    for index in range(3):
        print(f"digit {digits.target[test[index]]}: {decode(generated[index])!r}")
    print(
        f"test exact-match caption accuracy: {exact.mean():.3f} on {len(test)} digits"
    )


if __name__ == "__main__":
    main()
