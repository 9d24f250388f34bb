"""Query, key and value projections: three einsums against one fused einsum.

At the encoder benchmark's sizes (batch 32, 128 steps, dim 256, 4
heads), times `model.fit` (Adam, mean squared error, 10 steps per call,
ms per step) and `predict_on_batch` of two models that differ only in
the projections: three `EinsumDense` layers `btd,dnh->btnh`, or one
`btd,dknh->btknh` whose kernel holds all three (`k` = 3), split after.
Both combine the three projections the same way. Timed in turns
(`timing.measure_interleaved`).

    KERAS_BACKEND=jax .venv/bin/python benchmarks/probes/fused_qkv.py
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parents[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import timing  # noqa: E402

BATCH, TIME, DIM, HEADS, STEPS = 32, 128, 256, 4, 10
PROJECTED = (TIME, HEADS, DIM // HEADS)


def combine(query, key, value):
    return query * key + value


def separate(inputs):
    query, key, value = (
        keras.layers.EinsumDense("btd,dnh->btnh", PROJECTED, bias_axes="nh")(inputs)
        for _ in range(3)
    )
    return combine(query, key, value)


def fused(inputs):
    stacked = keras.layers.EinsumDense(
        "btd,dknh->btknh", (TIME, 3, *PROJECTED[1:]), bias_axes="knh"
    )(inputs)
    return combine(stacked[:, :, 0], stacked[:, :, 1], stacked[:, :, 2])


def main():
    timing.set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((STEPS * BATCH, TIME, DIM)).astype("float32")
    y = rng.random((STEPS * BATCH, *PROJECTED)).astype("float32")
    models = {}
    for name, projections in (("three einsums", separate), ("fused", fused)):
        inputs = keras.Input((TIME, DIM))
        models[name] = keras.Model(inputs, projections(inputs))
        models[name].compile(optimizer="adam", loss="mse")
    training = timing.measure_interleaved(
        {
            name: lambda model=model: model.fit(
                x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False
            )
            for name, model in models.items()
        },
        repeats=7,
    )
    inference = timing.measure_interleaved(
        {
            name: lambda model=model: model.predict_on_batch(x[:BATCH])
            for name, model in models.items()
        },
        repeats=11,
    )
    for name in models:
        print(
            f"{keras.backend.backend()} {name}: "
            f"training {1000 * training[name]['median_s'] / STEPS:.2f} ms per step, "
            f"inference {1000 * inference[name]['median_s']:.2f} ms"
        )


if __name__ == "__main__":
    main()
