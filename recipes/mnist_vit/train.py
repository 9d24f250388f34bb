"""Recipe of the `mnist_vit` preset: a ViT on `keras_seq.datasets.mnist`.

Trains `keras_seq.applications.ViT` (7x7 patches, 6 encoder layers) on the
3,500 training digits, each epoch on a freshly augmented copy of them
(small random rotations, zooms and shifts), and keeps the epoch of best
validation accuracy (500 digits); then fine-tunes `--soup` runs from it,
each on its own augmentations and kept at its epoch best on validation,
and averages them (a model soup, `tools.fine_tuned_soup`); then
measures accuracy once on the 1,000 test digits. The baseline, an RBF
SVM (scikit-learn `SVC`) on the same pixels, has its `C` chosen on the
same validation split and is measured on the same test split. The soup
ships with its `ImagePreprocessor` (uint8 pixels in) as the preset
`keras_seq/presets/files/mnist_vit/`, its digest goes into
`keras_seq/presets/shipped.json`, and the figures into
`recipes/mnist_vit/results.json`.

    KERAS_BACKEND=jax python recipes/mnist_vit/train.py

An interrupted run resumes from its last epoch (run the same command).
`--validation-only` stops before the test split is touched (for trying
settings); `--no-ship` measures but writes nothing into the package.
"""

import argparse
import os
import sys
import time

import keras
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import tools  # noqa: E402

from keras_seq.applications import ViT  # noqa: E402
from keras_seq.datasets import mnist  # noqa: E402
from keras_seq.evaluation import held_out  # noqa: E402
from keras_seq.preprocessing import ImagePreprocessor  # noqa: E402

NAME = "mnist_vit"
SEED = 20260501
# The held-out figure, measured as the card, `keras-seq` and the tests do.
FIGURE = held_out.get("mnist")
# What tests/presets/test_presets.py measures in the default run: the
# first SUBSET test digits.
SUBSET = 300


def probe_outputs(model, images):
    """The class probabilities of raw `images`, compared across backends."""
    return model.predict(images, verbose=0)


class AugmentedDigits(keras.utils.PyDataset):
    """The training digits, augmented afresh and reshuffled every epoch.

    The whole set is augmented in one call of Keras' random image layers
    (one vectorized pass is far cheaper than one per batch), seeded.
    """

    def __init__(self, images, labels, preprocessor, batch_size, seed):
        super().__init__()
        self.images = preprocessor(images)  # float32 in [0, 1]
        self.labels = labels
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.augment = keras.Sequential(
            [
                keras.layers.RandomRotation(0.04, fill_mode="constant", seed=seed),
                keras.layers.RandomZoom(0.1, fill_mode="constant", seed=seed + 1),
                keras.layers.RandomTranslation(
                    0.1, 0.1, fill_mode="constant", seed=seed + 2
                ),
            ]
        )
        self.on_epoch_end()

    def __len__(self):
        return len(self.images) // self.batch_size

    def __getitem__(self, index):
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        return self.epoch_images[rows], self.labels[rows]

    def on_epoch_end(self):
        augmented = self.augment(self.images, training=True)
        self.epoch_images = np.clip(keras.ops.convert_to_numpy(augmented), 0, 1)
        self.order = self.rng.permutation(len(self.images))


def fine_tuned_soup(model, splits, settings, args):
    """`tools.fine_tuned_soup` of `args.soup` runs from `model`.

    Each run trains `args.soup_epochs` epochs on its own augmentations,
    its learning rate cosine-decayed from `args.soup_learning_rate` to 0.
    """
    preprocessor = model.preprocessor

    def training_data(run):
        seed = SEED + 1 + run
        return AugmentedDigits(*splits["train"], preprocessor, args.batch_size, seed)

    steps = args.soup_epochs * (len(splits["train"][0]) // args.batch_size)
    return tools.fine_tuned_soup(
        model,
        lambda: keras.optimizers.AdamW(
            keras.optimizers.schedules.CosineDecay(args.soup_learning_rate, steps),
            weight_decay=0.05,
        ),
        NAME,
        settings,
        training_data,
        splits["validation"],
        args.soup,
        args.soup_epochs,
    )


def svm_baseline(splits):
    """Test accuracy of an RBF SVM, its `C` chosen on validation; and the time."""
    from sklearn.svm import SVC

    start = time.perf_counter()
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = (
        (images.reshape(len(images), -1) / 255.0, labels)
        for images, labels in (splits[s] for s in ("train", "validation", "test"))
    )
    scores = {}
    for c in (1.0, 3.0, 10.0, 30.0):
        svm = SVC(kernel="rbf", C=c, gamma="scale").fit(x_train, y_train)
        scores[c] = svm.score(x_val, y_val)
    best_c = max(scores, key=lambda c: (scores[c], -c))  # ties: the smoother
    svm = SVC(kernel="rbf", C=best_c, gamma="scale").fit(x_train, y_train)
    return {
        "name": f"RBF SVM (scikit-learn SVC, gamma='scale', C={best_c:g} "
        "chosen on validation)",
        "value": round(float(svm.score(x_test, y_test)), 4),
        "validation_accuracy": scores,
        "seconds": round(time.perf_counter() - start, 1),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--patch-size", type=int, default=7)
    parser.add_argument("--num-layers", type=int, default=6)
    parser.add_argument("--num-heads", type=int, default=4)
    parser.add_argument("--hidden-dim", type=int, default=96)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--soup", type=int, default=8)
    parser.add_argument("--soup-epochs", type=int, default=10)
    parser.add_argument("--soup-learning-rate", type=float, default=2e-4)
    parser.add_argument("--validation-only", action="store_true")
    parser.add_argument("--no-ship", action="store_true")
    args = parser.parse_args(argv)
    settings = {
        key: value
        for key, value in vars(args).items()
        if key not in ("validation_only", "no_ship")
    }
    print(f"backend: {keras.backend.backend()}; settings: {settings}", flush=True)

    keras.utils.set_random_seed(SEED)
    splits = mnist.load_data()
    preprocessor = ImagePreprocessor((28, 28, 1))
    model = ViT(
        input_shape=(28, 28, 1),
        patch_size=args.patch_size,
        classes=10,
        num_layers=args.num_layers,
        num_heads=args.num_heads,
        hidden_dim=args.hidden_dim,
        intermediate_dim=2 * args.hidden_dim,
        dropout=args.dropout,
        preprocessor=preprocessor,
    )
    train = AugmentedDigits(*splits["train"], preprocessor, args.batch_size, SEED)
    schedule = tools.warmup_cosine(args.learning_rate, args.epochs * len(train))
    model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=0.05))

    # The first run's folder does not depend on the soup's settings, so
    # trying other soups reuses it.
    folder = tools.work_folder(
        NAME, {k: v for k, v in settings.items() if not k.startswith("soup")}
    )
    callbacks, best_path = tools.training_callbacks(folder, "val_accuracy", "max")
    # Validation (and test) batches of 100 divide the splits: under JAX a
    # smaller last batch would compile the step function again.
    x_val, y_val = splits["validation"]
    model.fit(
        train,
        # Raw images: Task.fit runs them through the model's preprocessor.
        validation_data=(x_val, y_val),
        validation_batch_size=100,
        epochs=args.epochs,
        callbacks=callbacks,
        verbose=2,
    )
    first_run = tools.summary_of_history(folder, "val_accuracy", "max")
    print(f"selected on validation: {first_run}", flush=True)
    model.load_weights(best_path)
    training = {"first_run": first_run}
    if args.soup:
        training.update(fine_tuned_soup(model, splits, settings, args))
    if args.validation_only:
        return
    x_test, y_test = FIGURE.examples("test")
    # Raw uint8 digits in: the preset's preprocessor scales them.
    accuracy = FIGURE.measure(model, x_test, y_test)["accuracy"]
    print(f"test accuracy: {accuracy:.4f} on {len(x_test)} digits", flush=True)
    baseline = svm_baseline(splits)
    print(f"baseline: {baseline}", flush=True)
    metric = {
        "name": "accuracy",
        "value": round(float(accuracy), 4),
        "split": "test",
        "examples": int(len(x_test)),
    }
    metadata = {
        "dataset": "mnist",
        "description": "ViT (7x7 patches, 6 layers, 96-d) classifying 28x28 "
        "MNIST digits; uint8 images in, 10 class probabilities out.",
        "metric": metric,
        "baseline": {"name": baseline["name"], "value": baseline["value"]},
        "training": {
            **training,
            "backend": keras.backend.backend(),
            "settings": settings,
            "command": tools.command_line(),
        },
    }
    results = {
        "metric": metric,
        "baseline": baseline,
        "training": metadata["training"],
    }
    if args.no_ship:
        print(results)
        return
    tools.ship(model, NAME, metadata, results)


if __name__ == "__main__":
    main()
