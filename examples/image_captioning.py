"""One-to-many: caption an image of a handwritten number with its English words.

`keras_seq.applications.ImageCaptioner` encodes a 28x84 image of a number
from 0 to 999, written in real MNIST digits side by side
(`keras_seq.datasets.digit_captions`: 3,500 training and 1,000 test
images, each split drawn from its own MNIST digits), as 48 patches of 7x7
pixels, and decodes its caption one character at a time: a start token,
the characters of the number's words ("one hundred and forty two"), an
end token. It reads the data as they are: its `ImageCaptionerPreprocessor`
scales the uint8 images (an `ImagePreprocessor`) and turns the caption
strings into ids with a character tokenizer (KerasHub's
`UnicodeCodepointTokenizer`), adding the start and end ids. Training is
teacher-forced (the decoder reads the true caption shifted right); the
test score is the share of held-out images whose caption, generated
greedily with `model.generate(images)` (images in, caption strings out),
is exactly right. The model, with its preprocessor, is saved to
`--output`.

    KERAS_BACKEND=jax python examples/image_captioning.py
"""

import argparse

import keras
import numpy as np

from keras_seq.applications import ImageCaptioner
from keras_seq.datasets import digit_captions
from keras_seq.preprocessing import ImageCaptionerPreprocessor
from keras_seq.preprocessing import ImagePreprocessor
from keras_seq.preprocessing import character_tokenizer

SEED = 0
IMAGE_SHAPE = (digit_captions.HEIGHT, digit_captions.WIDTH, 1)
# The decoder reads the start id and a caption's characters; the longest
# caption the data set can hold is that of one of the numbers 0-999.
MAX_LENGTH = 1 + max(len(digit_captions.words(number)) for number in range(1000))


def build_captioner(captions, small=False):
    """An ImageCaptioner of uint8 images whose character tokenizer covers `captions`."""
    preprocessor = ImageCaptionerPreprocessor(
        ImagePreprocessor(IMAGE_SHAPE),  # uint8 pixels to [0, 1]
        # Ids are code points: all of ASCII, which holds the captions.
        character_tokenizer(captions),
        MAX_LENGTH,
    )
    return ImageCaptioner(
        input_shape=IMAGE_SHAPE,
        patch_size=7,
        vocabulary_size=preprocessor.vocabulary_size,
        max_length=MAX_LENGTH,
        num_layers=1 if small else 2,
        hidden_dim=64,
        intermediate_dim=128,
        # Dropout's random numbers double the JAX compile time of a quick run.
        dropout=0.0 if small else 0.1,
        preprocessor=preprocessor,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--output", default="digit_captioner.keras")
    parser.add_argument(
        "--quick", action="store_true", help="500 images, one epoch: a smoke test"
    )
    args = parser.parse_args(argv)
    print(f"backend: {keras.backend.backend()}")

    keras.utils.set_random_seed(SEED)
    (images, captions), (test_images, test_captions) = (
        digit_captions.load_data(split) for split in ("train", "test")
    )
    if args.quick:
        images, captions = images[:400], captions[:400]
        test_images, test_captions = test_images[:100], test_captions[:100]
        args.epochs = 1
    # Whole batches only: under JAX a smaller last batch would compile the
    # training step once more.
    train_size = len(images) // args.batch_size * args.batch_size
    images, captions = images[:train_size], captions[:train_size]

    model = build_captioner(captions, small=args.quick)
    model.compile()  # cross-entropy on logits that ignores padding, Adam
    # Teacher forcing: the preprocessor gives the decoder the caption
    # shifted right and the next id at every step as the target.
    model.fit(
        images, captions, epochs=args.epochs, batch_size=args.batch_size, verbose=2
    )
    model.save(args.output)

    generated = model.generate(test_images)  # uint8 images in, strings out
    exact = np.array(generated) == test_captions
    for index in range(3):
        print(f"{test_captions[index]!r}: {generated[index]!r}")
    print(
        "test exact-match caption accuracy: "
        f"{exact.mean():.3f} on {len(test_images)} images"
    )
    print(f"saved: {args.output}")


if __name__ == "__main__":
    main()
