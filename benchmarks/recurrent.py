"""Recurrent classifier training: `RNNClassifier` against plain `keras.layers`.

`keras_seq.applications.RNNClassifier(cell="lstm", vocabulary_size=...)`
on token ids `(batch, time)` against the same model written with
`keras.layers` only: `Embedding(mask_zero=True)`, `LSTM`, `Dense(softmax)`,
the same sizes (vocabulary 1000, 128 steps, hidden 128, batch 32, one
layer, 2 classes), Adam, sparse categorical cross-entropy. Training times
`model.fit` over `--steps` batches per call, per step; inference times
`model.predict_on_batch` of one batch. The ids have no padding; both
models pass the embedding's padding mask to the same `keras.layers.LSTM`.
Both models are built first, then timed in turns within each repeat
(`timing.measure_interleaved`). keras-seq should add no overhead: the
speed-up against the plain model should be 1.0.

    KERAS_BACKEND=tensorflow python benchmarks/recurrent.py [--quick]
"""

import keras
import numpy as np
import timing

from keras_seq.applications import RNNClassifier

BENCHMARK = "recurrent"
FULL = dict(vocabulary=1000, time=128, hidden=128, batch=32, classes=2)
QUICK = dict(vocabulary=50, time=12, hidden=8, batch=4, classes=2)
PEERS = ["keras.layers(Embedding+LSTM+Dense)"]


def plain_model(sizes):
    inputs = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(sizes["vocabulary"], sizes["hidden"], mask_zero=True)(
        inputs
    )
    x = keras.layers.LSTM(sizes["hidden"])(x)
    outputs = keras.layers.Dense(sizes["classes"], activation="softmax")(x)
    return keras.Model(inputs, outputs)


def keras_seq_model(sizes):
    return RNNClassifier(
        classes=sizes["classes"],
        cell="lstm",
        vocabulary_size=sizes["vocabulary"],
        hidden_dim=sizes["hidden"],
    )


def main(argv=None):
    parser = timing.parser(__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None, help="batches per fit call")
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    steps = args.steps or (2 if args.quick else 10)
    repeats = timing.repeats_of(args)
    timing.set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(
        1, sizes["vocabulary"], size=(steps * sizes["batch"], sizes["time"])
    )
    x = x.astype("int32")
    y = rng.integers(0, sizes["classes"], size=len(x)).astype("int32")
    batch = sizes["batch"]

    models = {}
    for name, make in (
        ("keras_seq.RNNClassifier(lstm)", keras_seq_model),
        (PEERS[0], plain_model),
    ):
        models[name] = make(sizes)
        models[name].compile(
            optimizer=keras.optimizers.Adam(1e-3),
            loss="sparse_categorical_crossentropy",
            metrics=[],  # the same work for both: no accuracy metric
        )
    # Both models built first, then timed in turns: a drift of the machine
    # reaches both alike.
    training = timing.measure_interleaved(
        {
            name: timing.fit_one_epoch(model, x, y, batch)
            for name, model in models.items()
        },
        repeats,
    )
    inference = timing.measure_interleaved(
        {
            name: lambda model=model: model.predict_on_batch(x[:batch])
            for name, model in models.items()
        },
        repeats,
    )
    results = {}
    for name, model in models.items():
        per_step = timing.per_step(training[name], steps)
        results[name] = {
            "train": per_step,
            "predict": inference[name],
            "parameters": model.count_params(),
        }
    for mode in ("train", "predict"):
        records = [
            {
                "benchmark": BENCHMARK,
                "name": name,
                "mode": mode,
                "sizes": dict(sizes, steps_per_call=steps),
                **result[mode],
                "parameters": result["parameters"],
                "tokens_per_s": batch * sizes["time"] / result[mode]["median_s"],
                "examples_per_s": batch / result[mode]["median_s"],
                "quick": args.quick,
            }
            for name, result in results.items()
        ]
        for record in timing.add_speedups(records, PEERS):
            timing.emit(record, args.output)


if __name__ == "__main__":
    main()
