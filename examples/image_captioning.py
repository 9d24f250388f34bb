"""One-to-many: caption an image of a handwritten number with its English words.

`keras_seq.applications.ImageCaptioner` encodes a 28x84 image of a number
from 0 to 999, written in real MNIST digits side by side
(`keras_seq.datasets.digit_captions`: 3,500 training and 1,000 test
images, each split drawn from its own MNIST digits), as 48 patches of 7x7
pixels, and decodes its caption one character at a time: a start token,
the characters of the number's words ("one hundred and forty two"), an
end token. Training is teacher-forced (the decoder reads the true caption
shifted right); the test score is the share of held-out images whose
caption, generated greedily with `model.generate`, is exactly right.

    KERAS_BACKEND=jax python examples/image_captioning.py
"""

import argparse

import keras
import numpy as np

from keras_seq.applications import ImageCaptioner
from keras_seq.datasets import digit_captions

SEED = 0
# Every caption the data set can hold: the words of 0-999.
CAPTIONS = [digit_captions.words(number) for number in range(1000)]
# Id 0 is padding (the loss ignores it), then the start and end tokens, then
# one id per character (letters and the space) of the captions.
PAD, START, END = 0, 1, 2
LETTERS = sorted(set("".join(CAPTIONS)))
LETTER_IDS = {letter: index for index, letter in enumerate(LETTERS, start=3)}
MAX_LENGTH = 2 + max(map(len, CAPTIONS))  # start, the longest caption, end


def encode(caption):
    """`caption` as ids: start, its characters, end, padding to MAX_LENGTH."""
    ids = [START, *(LETTER_IDS[letter] for letter in caption), END]
    return ids + [PAD] * (MAX_LENGTH - len(ids))


def decode(ids):
    """Caption ids back to text; the start, end and padding ids are dropped."""
    return "".join(LETTERS[i - 3] for i in ids if i not in (PAD, START, END))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--quick", action="store_true", help="500 images, one epoch: a smoke test"
    )
    args = parser.parse_args(argv)
    print(f"backend: {keras.backend.backend()}")

    keras.utils.set_random_seed(SEED)
    (images, texts), (test_images, test_texts) = (
        digit_captions.load_data(split) for split in ("train", "test")
    )
    if args.quick:
        images, texts = images[:400], texts[:400]
        test_images, test_texts = test_images[:100], test_texts[:100]
        args.epochs = 1
    # Whole batches only: under JAX a smaller last batch would compile the
    # training step a second time.
    train_size = len(images) // args.batch_size * args.batch_size
    images = (images[:train_size] / 255.0).astype("float32")
    captions = np.array([encode(text) for text in texts[:train_size]], "int32")
    test_images = (test_images / 255.0).astype("float32")
    test_captions = np.array([encode(text) for text in test_texts], "int32")

    model = ImageCaptioner(
        input_shape=(digit_captions.HEIGHT, digit_captions.WIDTH, 1),
        patch_size=7,
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
        {"images": images, "token_ids": captions[:, :-1]},
        captions[:, 1:],
        epochs=args.epochs,
        batch_size=args.batch_size,
        verbose=2,
    )

    generated = model.generate(test_images, start_token_id=START, end_token_id=END)
    exact = np.all(generated == test_captions, axis=1)
    for index in range(3):
        print(f"{test_texts[index]!r}: {decode(generated[index])!r}")
    print(
        "test exact-match caption accuracy: "
        f"{exact.mean():.3f} on {len(test_images)} images"
    )


if __name__ == "__main__":
    main()
