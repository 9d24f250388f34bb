"""`keras-seq evaluate`: a trained model's held-out score, with the baselines.

The test split of the model's data set (recorded by `keras-seq train` or
in the preset's metadata; `--data` chooses another that fits), read raw
through the model's preprocessor; the figure is the one `train` prints
(`keras_seq.cli.setups`), beside the reference baselines and every
metric the model was compiled with.
"""

from keras_seq.cli import models
from keras_seq.cli import setups
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError


def run(args):
    loaded = models.load(args.model)
    import keras

    say(f"backend: {keras.backend.backend()}")
    setup = loaded.setup
    if setup is None:
        raise UsageError(
            f"{loaded.source} is a {loaded.builder}, which `keras-seq` has no data "
            f"set for; the applications it evaluates: {', '.join(setups.SETUPS)}"
        )
    dataset = args.data or loaded.dataset
    if dataset is None:
        raise UsageError(
            f"which data set? {loaded.source} does not record one: pass --data "
            f"({', '.join(setup.datasets)})"
        )
    dataset = setups.check_dataset(setup, dataset)
    models.require_preprocessor(loaded, "evaluate")
    model = loaded.model
    if not getattr(model, "compiled", False):
        model.compile()
    batch_size = args.batch_size or setup.batch_size
    train = setups.load_split(setup, dataset, "train", args.limit)
    x_test, y_test = setups.load_split(setup, dataset, "test", args.limit)
    score = setup.score(model, x_test, y_test, batch_size)
    baselines = setup.baselines(dataset, train, (x_test, y_test))
    print(f"{loaded.builder} from {loaded.source} on the {dataset} test split")
    print(f"test {score.name}: {score.value:.3f} on {len(x_test):,} examples")
    for name, value in baselines:
        print(f"  baseline, {name}: {value:.3f}")
    y_model = y_test if setup.targets is None else setup.targets(model, y_test)
    metrics = model.evaluate(
        x_test, y_model, batch_size=batch_size, verbose=0, return_dict=True
    )
    print(
        "compiled metrics: "
        + ", ".join(f"{name} {value:.4f}" for name, value in sorted(metrics.items()))
    )
    return 0
