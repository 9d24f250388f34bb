"""The four ViViT models on `moving_digits`, trained with the same budget.

Trains `keras_seq.applications.ViViT` once per variant (models 1 to 4 of
Arnab et al., 2021) as `train.py` trains the preset: the same sizes, the
same augmented training clips, the same optimizer and schedule, and the
same number of epochs, keeping each variant's epoch of best validation
accuracy. It writes, per variant, that validation accuracy, the number of
parameters, the FLOPs of one clip's forward pass (XLA's count, a
multiply-add counted as two, under JAX only) and the training time, into
`variants.json` beside this file, and prints them as a table. The test split
is never read: this compares the variants, it selects nothing to ship.

    KERAS_BACKEND=jax python recipes/moving_digits_vivit/compare_variants.py

An interrupted run resumes (run the same command): finished variants are
kept in `variants.json`, the one in progress from its last epoch.
"""

import argparse
import json
import os
import sys

import keras
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import tools  # noqa: E402
from train import CLIP_SHAPE  # noqa: E402
from train import NAME  # noqa: E402
from train import SEED  # noqa: E402
from train import build_and_compile  # noqa: E402
from train import fit_on_validation  # noqa: E402

from keras_seq.applications.vivit import VARIANTS  # noqa: E402
from keras_seq.datasets import moving_digits  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "variants.json")


def flops_per_clip(model):
    """XLA's FLOPs of one clip's forward pass, or None off JAX."""
    if keras.backend.backend() != "jax":
        return None
    import jax

    def forward(trainable, non_trainable, clips):
        return model.stateless_call(trainable, non_trainable, clips)[0]

    clip = np.zeros((1, *CLIP_SHAPE), "float32")
    compiled = (
        jax.jit(forward)
        .lower(
            [v.value for v in model.trainable_variables],
            [v.value for v in model.non_trainable_variables],
            clip,
        )
        .compile()
    )
    cost = compiled.cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    return int(cost["flops"])


def train_variant(variant, args, splits):
    """Trains one variant; returns its figures (validation only)."""
    settings = {**vars(args), "variant": variant}
    keras.utils.set_random_seed(SEED)
    model, train = build_and_compile(args, variant, splits)
    folder = tools.work_folder(f"{NAME}_variants", settings)
    training, _ = fit_on_validation(model, train, splits, args, folder)
    return {
        "validation_accuracy": round(training["selected_val_accuracy"], 4),
        "selected_epoch": training["selected_epoch"],
        "parameters": model.count_params(),
        "flops_per_clip": flops_per_clip(model),
        "training_seconds": training["seconds"],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--tubelet-size", type=int, nargs=3, default=[4, 8, 8])
    parser.add_argument("--num-layers", type=int, default=4)
    parser.add_argument("--num-heads", type=int, default=4)
    parser.add_argument("--hidden-dim", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS))
    args = parser.parse_args(argv)
    variants = args.variants
    del args.variants
    print(f"backend: {keras.backend.backend()}; settings: {vars(args)}", flush=True)

    record = {"settings": vars(args), "backend": keras.backend.backend()}
    if os.path.isfile(RESULTS):
        with open(RESULTS) as handle:
            previous = json.load(handle)
        if {k: previous[k] for k in record} == record:
            record = previous
    record.setdefault("variants", {})
    splits = moving_digits.load_data()
    for variant in variants:
        if variant in record["variants"]:
            continue
        print(f"--- {variant}", flush=True)
        record["variants"][variant] = train_variant(variant, args, splits)
        with open(RESULTS, "w") as handle:
            json.dump(record, handle, indent=2, sort_keys=True)
            handle.write("\n")

    print("variant | validation accuracy | parameters | FLOPs per clip | seconds")
    for variant, figures in record["variants"].items():
        print(
            f"{variant} | {figures['validation_accuracy']:.4f} | "
            f"{figures['parameters']:,} | {figures['flops_per_clip']} | "
            f"{figures['training_seconds']}"
        )


if __name__ == "__main__":
    main()
