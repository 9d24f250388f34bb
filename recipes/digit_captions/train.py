"""Recipe of the `digit_captions` preset: an ImageCaptioner that reads numbers aloud.

Trains `keras_seq.applications.ImageCaptioner` (7x7 patches, a transformer
encoder and decoder) on `keras_seq.datasets.digit_captions`: 28x84 images
of a 1- to 3-digit number, captioned in English words ("one hundred and
five"). Each epoch sees 3,500 freshly composed training images: the
training images are cut into their 28x28 digit slots (the layout and each
slot's digit follow from the caption), and new numbers are drawn and laid
out from those slots as the data set draws and lays out its own, each
digit shifted by up to 2 pixels (seeded).
The epoch of best validation exact-caption rate (greedy `generate`, 500
images) is kept; the exact-caption rate (and per-word accuracy) is then
measured once on the 1,000 test images. The baseline reads the same
layout by hand: the number of digits from the extent of the ink, and each
digit slot classified by an RBF SVM (scikit-learn `SVC`, `C` chosen on
validation) trained on the training images' slots; it is measured on the
same test split. The selected model ships with its
`ImageCaptionerPreprocessor` (uint8 images in, captions out; a byte-pair
vocabulary learned on the training captions) as the preset
`keras_seq/presets/files/digit_captions/`, its digest goes into
`keras_seq/presets/shipped.json`, and the figures into
`recipes/digit_captions/results.json`.

    KERAS_BACKEND=jax python recipes/digit_captions/train.py

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

from keras_seq.applications import ImageCaptioner  # noqa: E402
from keras_seq.datasets import digit_captions  # noqa: E402
from keras_seq.evaluation import held_out  # noqa: E402
from keras_seq.evaluation import metrics  # noqa: E402
from keras_seq.preprocessing import ImageCaptionerPreprocessor  # noqa: E402
from keras_seq.preprocessing import ImagePreprocessor  # noqa: E402
from keras_seq.preprocessing import train_byte_pair_tokenizer  # noqa: E402

NAME = "digit_captions"
SEED = 20260509
SHAPE = (digit_captions.HEIGHT, digit_captions.WIDTH, 1)
# Start id, at most 6 caption tokens ("seven" "hundred and" "seventy" "seven"
# at most, some numbers in more pieces), end id.
SEQUENCE_LENGTH = 8
# Byte-pair vocabulary: the 259 special and byte tokens, then about 50
# merges, which make the words (and " hundred and ") single tokens.
VOCABULARY_SIZE = 310
# Each composed training digit is shifted by up to this many pixels.
SHIFT = 2
# Generation in chunks of this many images: one compiled shape.
CHUNK = 100
# The held-out figure, measured as the card, `keras-seq` and the tests do.
FIGURE = held_out.get("digit_captions")
# What tests/presets/test_presets.py measures in the default run: the
# first SUBSET test images.
SUBSET = 200
NUMBERS = {digit_captions.words(number): number for number in range(1000)}


def captions_of(model, images):
    """The greedy captions `model` generates for raw `images`, in chunks."""
    captions = []
    for start in range(0, len(images), CHUNK):
        captions += list(
            model.generate(images[start : start + CHUNK], sampler="greedy")
        )
    return captions


def caption_scores(generated, references):
    """`(exact caption rate, per-word accuracy)` of generated captions."""
    references = list(references)
    return (
        metrics.exact_match(generated, references),
        metrics.word_accuracy(generated, references),
    )


def probe_outputs(model, images):
    """Logits of raw `images` teacher-forced with fixed captions, for comparison.

    Image `i` is read with the caption of the number `(37 * i + 5) % 1000`
    (fixed, so the probe does not depend on what the model generates).
    """
    captions = [digit_captions.words((37 * i + 5) % 1000) for i in range(len(images))]
    x, _ = model.preprocessor(images, captions)
    return keras.ops.convert_to_numpy(model(x, training=False)).astype("float32")


def layout(number):
    """The digits of `number` and the left column of each, as the data set lays them."""
    text = str(number)
    left = (digit_captions.WIDTH - 28 * len(text)) // 2
    return [(int(char), left + 28 * i) for i, char in enumerate(text)]


def digit_slots(images, captions):
    """The 28x28 digit slots of captioned images and their digits."""
    slots, digits = [], []
    for image, caption in zip(images, captions):
        for digit, left in layout(NUMBERS[caption]):
            slots.append(image[:, left : left + 28])
            digits.append(digit)
    return np.stack(slots), np.array(digits)


class ComposedNumbers(keras.utils.PyDataset):
    """Freshly composed training images every epoch, from the training slots.

    The number of digits is 1, 2 or 3 with equal chances, then the number
    is uniform among those with that many digits, as in the data set; each
    digit's image is drawn at random from the training slots of that digit
    and shifted by up to `SHIFT` pixels up or down, left or right.
    """

    def __init__(self, slots, digits, preprocessor, size, batch_size, seed):
        super().__init__()
        self.pools = [slots[digits == d] for d in range(10)]
        self.preprocessor = preprocessor
        self.size = size
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def __len__(self):
        return self.size // self.batch_size

    def __getitem__(self, index):
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return {key: value[rows] for key, value in self.x.items()}, self.y[rows]

    def on_epoch_end(self):
        rng = self.rng
        lengths = rng.integers(1, 4, size=self.size)
        numbers = [
            int(rng.integers(10 ** (k - 1) if k > 1 else 0, 10**k)) for k in lengths
        ]
        images = np.zeros((self.size, *SHAPE), "uint8")
        for image, number in zip(images, numbers):
            for digit, left in layout(number):
                pool = self.pools[digit]
                slot = pool[rng.integers(len(pool))]
                # Shifted by up to SHIFT pixels either way, inside its slot.
                dy, dx = rng.integers(-SHIFT, SHIFT + 1, size=2)
                slot = np.roll(slot, (dy, dx), axis=(0, 1))
                if dy > 0:
                    slot[:dy] = 0
                elif dy < 0:
                    slot[dy:] = 0
                if dx > 0:
                    slot[:, :dx] = 0
                elif dx < 0:
                    slot[:, dx:] = 0
                image[:, left : left + 28] = slot
        captions = [digit_captions.words(number) for number in numbers]
        self.x, self.y = self.preprocessor(images, captions)


class ValidationCaptions(keras.callbacks.Callback):
    """Adds the validation exact-caption rate and word accuracy to the logs."""

    def __init__(self, images, captions):
        super().__init__()
        self.images = images
        self.captions = list(captions)

    def on_epoch_end(self, epoch, logs=None):
        exact, words = caption_scores(
            captions_of(self.model, self.images), self.captions
        )
        if logs is not None:
            logs["val_exact"] = exact
            logs["val_word_accuracy"] = words
        print(
            f"epoch {epoch + 1}: val_exact {exact:.4f}, val_word_accuracy {words:.4f}"
        )


def slot_count(image):
    """The number of digits, read from the columns that hold ink."""
    columns = np.flatnonzero(image.max(axis=(0, 2)) > 0)
    if not len(columns):
        return 1
    left, right = columns[0], columns[-1]
    if left < 14 or right > 69:
        return 3
    if left < 28 or right > 55:
        return 2
    return 1


def svm_baseline(splits):
    """Exact caption rate of the layout + per-slot RBF SVM reader; `C` on validation."""
    from sklearn.svm import SVC

    start = time.perf_counter()
    slots, digits = digit_slots(*splits["train"])
    features = slots.reshape(len(slots), -1) / 255.0

    def read(svm, images):
        captions = []
        for image in images:
            count = slot_count(image)
            left = (digit_captions.WIDTH - 28 * count) // 2
            pieces = [
                image[:, left + 28 * i : left + 28 * (i + 1)] for i in range(count)
            ]
            x = np.stack(pieces).reshape(count, -1) / 255.0
            number = int("".join(str(d) for d in svm.predict(x)))
            captions.append(digit_captions.words(number))
        return captions

    scores = {}
    for c in (1.0, 3.0, 10.0):
        svm = SVC(kernel="rbf", C=c, gamma="scale").fit(features, digits)
        images, captions = splits["validation"]
        scores[c] = caption_scores(read(svm, images), list(captions))[0]
    best_c = max(scores, key=lambda c: (scores[c], -c))  # ties: the smoother
    svm = SVC(kernel="rbf", C=best_c, gamma="scale").fit(features, digits)
    images, captions = splits["test"]
    exact, words = caption_scores(read(svm, images), list(captions))
    return {
        "name": "layout by hand (digit count from the ink's extent) + RBF SVM "
        f"per 28x28 digit slot (scikit-learn SVC, gamma='scale', C={best_c:g} "
        "chosen on validation), trained on the training images' slots",
        "value": round(exact, 4),
        "word_accuracy": round(words, 4),
        "validation_exact": scores,
        "seconds": round(time.perf_counter() - start, 1),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=80)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--patch-size", type=int, default=7)
    parser.add_argument("--num-layers", type=int, default=2)
    parser.add_argument("--num-heads", type=int, default=4)
    parser.add_argument("--hidden-dim", type=int, default=96)
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
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
    splits = digit_captions.load_data()
    train_images, train_captions = splits["train"]
    tokenizer = train_byte_pair_tokenizer(list(train_captions), VOCABULARY_SIZE)
    preprocessor = ImageCaptionerPreprocessor(
        ImagePreprocessor(SHAPE), tokenizer, SEQUENCE_LENGTH
    )
    lengths = [len(ids) for ids in tokenizer.tokenize(list(train_captions))]
    print(
        f"vocabulary: {tokenizer.vocabulary_size()} ids; caption tokens: at most "
        f"{max(lengths)}, {np.mean(lengths):.2f} on average",
        flush=True,
    )
    model = ImageCaptioner(
        SHAPE,
        args.patch_size,
        vocabulary_size=tokenizer.vocabulary_size(),
        max_length=SEQUENCE_LENGTH,
        num_layers=args.num_layers,
        num_heads=args.num_heads,
        hidden_dim=args.hidden_dim,
        intermediate_dim=2 * args.hidden_dim,
        dropout=args.dropout,
        preprocessor=preprocessor,
    )
    print(f"parameters: {model.count_params():,}", flush=True)
    slots, digits = digit_slots(train_images, train_captions)
    train = ComposedNumbers(
        slots, digits, preprocessor, len(train_images), args.batch_size, SEED
    )
    schedule = tools.warmup_cosine(args.learning_rate, args.epochs * len(train))
    model.compile(
        optimizer=keras.optimizers.AdamW(schedule, weight_decay=0.05, clipnorm=1.0)
    )

    folder = tools.work_folder(NAME, settings)
    callbacks, best_path = tools.training_callbacks(folder, "val_exact", "max")
    x_val, y_val = splits["validation"]
    # First: the history and the best weights read what it adds.
    callbacks.insert(0, ValidationCaptions(x_val, y_val))
    model.fit(
        train,
        validation_data=preprocessor(x_val, list(y_val)),
        validation_batch_size=100,
        epochs=args.epochs,
        callbacks=callbacks,
        verbose=2,
    )
    training = tools.summary_of_history(folder, "val_exact", "max")
    print(f"selected on validation: {training}", flush=True)
    if args.validation_only:
        return
    model.load_weights(best_path)
    x_test, y_test = FIGURE.examples("test")
    scores = FIGURE.measure(model, x_test, y_test)
    exact, words = scores[FIGURE.metric], scores["word accuracy"]
    generated = captions_of(model, x_test)  # for the list of errors
    print(f"test exact caption rate: {exact:.4f}, word accuracy {words:.4f}")
    wrong = [(r, g) for g, r in zip(generated, y_test) if g != r]
    print(f"test errors (reference, generated): {wrong}", flush=True)
    baseline = svm_baseline(splits)
    print(f"baseline: {baseline}", flush=True)
    metric = {
        "name": "exact caption rate",
        "value": round(float(exact), 4),
        "split": "test",
        "examples": int(len(x_test)),
        "word_accuracy": round(float(words), 4),
    }
    metadata = {
        "dataset": "digit_captions",
        "description": f"ImageCaptioner ({args.patch_size}x{args.patch_size} "
        f"patches, {args.num_layers} encoder and decoder layers, "
        f"{args.hidden_dim}-d) that writes the number in a 28x84 image of "
        "handwritten digits in English words; uint8 images in, captions out.",
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
        "vocabulary_size": int(tokenizer.vocabulary_size()),
        "parameters": int(model.count_params()),
        "test_errors": [{"reference": r, "generated": g} for r, g in wrong],
        "training": metadata["training"],
    }
    if args.no_ship:
        print(results)
        return
    tools.ship(model, NAME, metadata, results)


if __name__ == "__main__":
    main()
