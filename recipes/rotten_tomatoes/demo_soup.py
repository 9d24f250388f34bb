"""A soup of short fine-tunings of `make demo`'s model (validation only).

Idea 2 of issue 36.5 (Wortsman et al., 2022, "Model soups"): the demo's
model (`demo_settings.demo_model`) is built once at `--seed`; `--runs`
copies of those same starting weights are each trained for one epoch
(the demo's kept epoch) as `keras-seq train` trains (`compile()`'s
defaults, batches of 64), each with its own batch order and dropout
(seed `--seed * 100 + i`), and their weights are averaged into one model.
Prints one JSON line: each run's validation accuracy and the soup's. The
test split is never read.

    KERAS_BACKEND=jax python recipes/rotten_tomatoes/demo_soup.py --seed 0
"""

import argparse
import json
import pathlib
import sys
import time

import keras
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from demo_settings import demo_model  # noqa: E402
from demo_settings import reviews  # noqa: E402

from keras_seq.cli import setups  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    setup = setups.get(setups.DEFAULT)
    (x, y), (x_val, y_val) = reviews(setup)
    keras.utils.set_random_seed(args.seed)
    model = demo_model({})
    start_weights = model.get_weights()
    start = time.perf_counter()
    runs, kept = [], []
    for i in range(args.runs):
        keras.utils.set_random_seed(args.seed * 100 + i)
        model.set_weights(start_weights)
        model.compile()  # a fresh optimizer for each run
        model.fit(x, y, batch_size=setup.batch_size, epochs=1, verbose=0)
        runs.append(round(model.evaluate(x_val, y_val, verbose=0)[1], 4))
        kept.append(model.get_weights())
    model.set_weights([np.mean(parts, axis=0) for parts in zip(*kept)])
    loss, accuracy = model.evaluate(x_val, y_val, verbose=0)[:2]
    result = {
        "seed": args.seed,
        "runs": runs,
        "soup_validation_accuracy": round(accuracy, 4),
        "soup_validation_loss": round(loss, 4),
        "seconds": round(time.perf_counter() - start),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
