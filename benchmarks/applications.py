"""Applications: training examples/s and prediction latency at default sizes.

`TextClassifier`, `ViT` and `ViViT` with their builders' default layer
sizes (2 layers, 2 heads, dim 64, feed-forward 128, dropout 0.1) on the
inputs of the data sets they are trained on here: TextClassifier on 64
token ids from an 8,000-word vocabulary (the `keras-seq train` setup), 2
classes; ViT on 28x28x1 images in 7x7 patches (MNIST), 10 classes; ViViT
on 16x32x32x1 clips in 4x8x8 tubelets (moving digits), 4 classes. Random
inputs and labels, each model's own `compile()` defaults (Adam,
cross-entropy, accuracy). Measured:

- `train`: `model.fit` over `--steps` batches of 32 per call, per step,
  as examples/s;
- `predict_batch`: `model.predict_on_batch` of 32 examples;
- `latency`: `model.predict_on_batch` of one example.

There is no peer: these are the figures a user of each application sees.

    KERAS_BACKEND=jax python benchmarks/applications.py [--quick]
"""

import keras
import numpy as np
import timing

from keras_seq.applications import TextClassifier
from keras_seq.applications import ViT
from keras_seq.applications import ViViT

BENCHMARK = "applications"


def specs(quick):
    """(name, builder, its arguments, input maker) of each application."""
    if quick:
        small = dict(num_layers=1, hidden_dim=16, intermediate_dim=32)
        text = dict(vocabulary_size=50, max_length=8, classes=2, **small)
        image = dict(input_shape=(8, 8, 1), patch_size=4, classes=10, **small)
        video = dict(
            input_shape=(4, 8, 8, 1), tubelet_size=(2, 4, 4), classes=4, **small
        )
    else:
        text = dict(vocabulary_size=8000, max_length=64, classes=2)
        image = dict(input_shape=(28, 28, 1), patch_size=7, classes=10)
        video = dict(input_shape=(16, 32, 32, 1), tubelet_size=(4, 8, 8), classes=4)

    def ids(rng, n, arguments):
        shape = (n, arguments["max_length"])
        return rng.integers(1, arguments["vocabulary_size"], size=shape).astype("int32")

    def pixels(rng, n, arguments):
        return rng.random((n, *arguments["input_shape"])).astype("float32")

    return [
        ("keras_seq.TextClassifier", TextClassifier, text, ids),
        ("keras_seq.ViT", ViT, image, pixels),
        ("keras_seq.ViViT", ViViT, video, pixels),
    ]


def main(argv=None):
    parser = timing.parser(__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None, help="batches per fit call")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="time only this application (e.g. ViT; repeatable)",
    )
    args = parser.parse_args(argv)
    batch = 4 if args.quick else 32
    steps = args.steps or (2 if args.quick else 10)
    repeats = timing.repeats_of(args)
    timing.set_seed(0)
    rng = np.random.default_rng(0)
    for name, builder, arguments, make_inputs in specs(args.quick):
        if args.only and builder.__name__ not in args.only and name not in args.only:
            continue
        model = builder(**arguments)
        model.compile()
        x = make_inputs(rng, steps * batch, arguments)
        y = rng.integers(0, arguments["classes"], size=len(x)).astype("int32")
        sizes = {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in arguments.items()
        }
        sizes.update(batch=batch, steps_per_call=steps)
        training = timing.per_step(
            timing.measure(timing.fit_one_epoch(model, x, y, batch), repeats), steps
        )
        measured = {
            "train": (training, batch),
            "predict_batch": (
                timing.measure(
                    lambda model=model, x=x: model.predict_on_batch(x[:batch]), repeats
                ),
                batch,
            ),
            "latency": (
                timing.measure(
                    lambda model=model, x=x: model.predict_on_batch(x[:1]), repeats
                ),
                1,
            ),
        }
        for mode, (result, examples) in measured.items():
            timing.emit(
                {
                    "benchmark": BENCHMARK,
                    "name": name,
                    "mode": mode,
                    "sizes": dict(sizes, examples=examples),
                    **result,
                    "parameters": model.count_params(),
                    "examples_per_s": examples / result["median_s"],
                    "quick": args.quick,
                },
                args.output,
            )
        keras.backend.clear_session()


if __name__ == "__main__":
    main()
