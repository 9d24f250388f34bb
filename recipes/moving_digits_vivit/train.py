"""Recipe of the `moving_digits_vivit` preset: a ViViT on `moving_digits` clips.

Trains `keras_seq.applications.ViViT` (spatiotemporal attention over
tubelets) to name both the digit and its direction of motion (40 classes,
`digit * 4 + direction`) of the 3,500 training clips, each epoch on a
freshly augmented copy of them, keeps the epoch of best validation
accuracy (500 clips), then measures accuracy once on the 1,000 test clips.
The augmentations are exact on these clips, which live on a torus: a clip
rolled by any number of rows and columns is another clip of the same label,
and a clip played backwards is the same digit moving the opposite way.

The baseline is a per-frame classifier: a logistic regression (scikit-learn)
on the 2-D Fourier magnitudes of single frames (which a roll on the torus
leaves unchanged, so it sees the digit wherever it is), its `C` chosen on
the same validation split, each clip's frame probabilities averaged, and
measured on the same test split. A single frame cannot show the direction,
so it shows what the motion adds. The selected model ships with its
`VideoPreprocessor` (uint8 frames in) as the preset
`keras_seq/presets/files/moving_digits_vivit/`, its digest goes into
`keras_seq/presets/shipped.json`, and the figures into
`recipes/moving_digits_vivit/results.json`.

    KERAS_BACKEND=jax python recipes/moving_digits_vivit/train.py

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
from keras_seq.applications import ViViT  # noqa: E402
from keras_seq.applications.vivit import TUBELET_INITS  # noqa: E402
from keras_seq.datasets import moving_digits  # noqa: E402
from keras_seq.evaluation import held_out  # noqa: E402
from keras_seq.preprocessing import VideoPreprocessor  # noqa: E402

NAME = "moving_digits_vivit"
SEED = 20260503
# The held-out figure, measured as the card, `keras-seq` and the tests do.
FIGURE = held_out.get("moving_digits")
# What tests/presets/test_presets.py measures in the default run: the
# first SUBSET test clips.
SUBSET = 200
CLIP_SHAPE = (moving_digits.FRAMES, moving_digits.SIZE, moving_digits.SIZE, 1)


def probe_outputs(model, clips):
    """The class probabilities of raw `clips`, compared across backends."""
    return model.predict(clips, verbose=0)


def roll_and_reverse(clips, labels, rng):
    """Each clip rolled on the torus at random, half of them played backwards.

    Both are exact for these clips: rolling moves the start, and a reversed
    clip is the digit moving the opposite way (`DIRECTIONS` pairs right with
    left and down with up, so the label's last bit flips).
    """
    count, frames, size = len(clips), clips.shape[1], clips.shape[2]
    shifts = rng.integers(size, size=(count, 2))
    grid = np.arange(size)
    rows = (grid - shifts[:, :1]) % size  # (count, size)
    cols = (grid - shifts[:, 1:]) % size
    rolled = clips[
        np.arange(count)[:, None, None, None],
        np.arange(frames)[None, :, None, None],
        rows[:, None, :, None],
        cols[:, None, None, :],
    ]
    backwards = rng.random(count) < 0.5
    rolled[backwards] = rolled[backwards, ::-1]
    return rolled, np.where(backwards, labels ^ 1, labels)


class AugmentedClips(keras.utils.PyDataset):
    """The training clips, rolled, reversed and reshuffled afresh every epoch."""

    def __init__(self, clips, labels, preprocessor, batch_size, seed):
        super().__init__()
        self.clips = clips
        self.labels = labels
        self.preprocessor = preprocessor
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def __len__(self):
        return len(self.clips) // self.batch_size

    def __getitem__(self, index):
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        clips, labels = roll_and_reverse(self.clips[rows], self.labels[rows], self.rng)
        return self.preprocessor(clips), labels

    def on_epoch_end(self):
        self.order = self.rng.permutation(len(self.clips))


def frame_features(clips):
    """Fourier magnitudes of each clip's frames, `(clips, frames, features)`.

    The magnitude of a 2-D DFT does not change when the frame is rolled on
    the torus, so a linear model on it recognises a digit anywhere.
    """
    frames = clips[..., 0].astype("float32") / 255.0
    magnitudes = np.abs(np.fft.rfft2(frames))  # (clips, frames, 32, 17)
    return np.log1p(magnitudes).reshape(*frames.shape[:2], -1)


def per_frame_baseline(splits):
    """A per-frame logistic regression, frame probabilities averaged per clip."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    start = time.perf_counter()
    features = {}
    for split, (clips, labels) in splits.items():
        features[split] = (frame_features(clips), labels)

    def fit(c):
        # The frames of a clip are rolls of one canvas, so their magnitudes
        # agree to float rounding: one frame per clip trains the same model
        # as all sixteen, sixteen times cheaper.
        x, y = features["train"]
        model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=300))
        return model.fit(x[:, 0], y)

    def predict(model, split):
        x, y = features[split]
        probabilities = model.predict_proba(x.reshape(-1, x.shape[-1]))
        probabilities = probabilities.reshape(*x.shape[:2], -1).mean(axis=1)
        predicted = model.classes_[probabilities.argmax(axis=-1)]
        return float(np.mean(predicted == y)), float(np.mean(predicted // 4 == y // 4))

    scores = {}
    for c in (0.01, 0.1, 1.0):
        scores[c] = predict(fit(c), "validation")
    best_c = max(scores, key=lambda c: (scores[c][0], -c))  # ties: the smoother
    accuracy, digit_accuracy = predict(fit(best_c), "test")
    return {
        "name": "per-frame logistic regression on 2-D Fourier magnitudes "
        f"(scikit-learn, C={best_c:g} chosen on validation), frame "
        "probabilities averaged per clip",
        "value": round(accuracy, 4),
        "digit_accuracy": round(digit_accuracy, 4),
        "validation_accuracy": {c: s[0] for c, s in scores.items()},
        "validation_digit_accuracy": {c: s[1] for c, s in scores.items()},
        "seconds": round(time.perf_counter() - start, 1),
    }


def build_and_compile(args, variant, splits):
    """The recipe's ViViT of `variant`, compiled, and its augmented training clips."""
    preprocessor = VideoPreprocessor(CLIP_SHAPE)
    common = {
        "classes": len(moving_digits.LABELS),
        "variant": variant,
        "dropout": args.dropout,
        "preprocessor": preprocessor,
    }
    frames, *patch_size = args.tubelet_size
    if getattr(args, "from_preset", None):
        # Training goes on from a trained ViViT: its sizes, weights and
        # preprocessor (a longer schedule, as a warm restart).
        model = ViViT.from_preset(args.from_preset)
        preprocessor = model.preprocessor
    elif getattr(args, "from_vit", None):
        # The ViT's sizes and weights, its patch projection resampled to
        # the clips' half-size digits, the tubelets by `tubelet_init`.
        model = ViViT.from_vit(
            ViT.from_preset(args.from_vit),
            frames=CLIP_SHAPE[0],
            tubelet_frames=frames,
            tubelet_init=args.tubelet_init,
            frame_shape=CLIP_SHAPE[1:],
            patch_size=patch_size,
            **common,
        )
    else:
        model = ViViT(
            input_shape=CLIP_SHAPE,
            tubelet_size=tuple(args.tubelet_size),
            num_layers=args.num_layers,
            num_heads=args.num_heads,
            hidden_dim=args.hidden_dim,
            intermediate_dim=2 * args.hidden_dim,
            **common,
        )
    train = AugmentedClips(*splits["train"], preprocessor, args.batch_size, SEED)
    schedule = tools.warmup_cosine(args.learning_rate, args.epochs * len(train))
    model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=0.05))
    return model, train


def fit_on_validation(model, train, splits, args, folder):
    """Fits resumably in `folder`, keeping the epoch of best validation accuracy.

    Returns the history's summary and the path of the best epoch's weights.
    """
    callbacks, best_path = tools.training_callbacks(folder, "val_accuracy", "max")
    # Validation (and test) batches of 100 divide the splits: under JAX a
    # smaller last batch would compile the step function again.
    model.fit(
        train,
        # Raw uint8 clips: Task.fit runs them through the model's
        # preprocessor (a scaled copy would be scaled twice).
        validation_data=splits["validation"],
        validation_batch_size=100,
        epochs=args.epochs,
        callbacks=callbacks,
        verbose=2,
    )
    summary = tools.summary_of_history(folder, "val_accuracy", "max")
    return summary, best_path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=45)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--tubelet-size", type=int, nargs=3, default=[4, 8, 8])
    parser.add_argument("--variant", default="spatiotemporal")
    parser.add_argument("--num-layers", type=int, default=4)
    parser.add_argument("--num-heads", type=int, default=4)
    parser.add_argument("--hidden-dim", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument(
        "--from-vit",
        help="a ViT preset (mnist_vit) to start from; its sizes replace "
        "--num-layers, --num-heads and --hidden-dim",
    )
    parser.add_argument(
        "--tubelet-init", choices=TUBELET_INITS, default="central_frame"
    )
    parser.add_argument(
        "--from-preset",
        help="a ViViT preset (moving_digits_vivit) whose training goes on: "
        "its sizes, weights and preprocessor replace the model settings",
    )
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
    splits = moving_digits.load_data()
    model, train = build_and_compile(args, args.variant, splits)

    folder = tools.work_folder(NAME, settings)
    training, best_path = fit_on_validation(model, train, splits, args, folder)
    print(f"selected on validation: {training}", flush=True)
    if args.validation_only:
        return
    model.load_weights(best_path)
    x_test, y_test = FIGURE.examples("test")
    # Raw uint8 clips in: the preset's preprocessor scales them.
    scores = FIGURE.measure(model, x_test, y_test)
    accuracy = scores["accuracy"]
    digit_accuracy = scores["digit accuracy"]
    direction_accuracy = scores["direction accuracy"]
    print(
        f"test accuracy: {accuracy:.4f} on {len(x_test)} clips (digit "
        f"{digit_accuracy:.4f}, direction {direction_accuracy:.4f})",
        flush=True,
    )
    baseline = per_frame_baseline(splits)
    print(f"baseline: {baseline}", flush=True)
    metric = {
        "name": "accuracy",
        "value": round(float(accuracy), 4),
        "split": "test",
        "examples": int(len(x_test)),
        "digit_accuracy": round(digit_accuracy, 4),
        "direction_accuracy": round(direction_accuracy, 4),
    }
    config = model.get_config()
    tubelet = "x".join(map(str, config["tubelet_size"]))
    # Where the weights started, in the order build_and_compile reads them.
    start = ""
    if args.from_preset:
        start = f", trained on from the {args.from_preset} preset"
    elif args.from_vit:
        start = f", started from {args.from_vit}"
    metadata = {
        "dataset": "moving_digits",
        "description": f"ViViT ({config['variant']}, {tubelet} tubelets, "
        f"{config['num_layers']} layers, {config['hidden_dim']}-d{start}) "
        "naming the digit and "
        "the direction of 16-frame 32x32 moving-digit clips; uint8 clips in, "
        "40 class probabilities out (digit * 4 + direction).",
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
