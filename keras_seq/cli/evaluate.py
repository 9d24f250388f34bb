"""`keras-seq evaluate`: a trained model's held-out figure, with the baselines.

The test split of the model's data set (recorded by `keras-seq train` or
in the preset's metadata; `--data` chooses another that fits), read raw
through the model's preprocessor. The figure is its data set's
`keras_seq.evaluation.held_out` figure: the one `keras-seq train` prints,
the presets' cards report and `keras-seq list` shows. Beside it, the
baselines computed from the data and those the model cards of the shipped
presets of the same data set quote.

`--data PATH` scores a user's labelled table or class folder whole, by
the figure of the model's kind (`keras_seq.evaluation.held_out.for_data`),
its labels coded with the model's own list; a forecaster's series table
by the error of its one-step forecasts (`keras_seq.cli.own_series`).
"""

import dataclasses
import importlib

from keras_seq.cli import models
from keras_seq.cli import own_data
from keras_seq.cli import own_series
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
from keras_seq.cli.errors import one_line


@dataclasses.dataclass
class Measured:
    """A model's held-out figure: the figure, its scores, examples and baselines."""

    figure: object
    scores: dict
    examples: int
    baselines: list

    @property
    def value(self):
        return self.scores[self.figure.metric]

    def lines(self):
        """The figure, the other scores and the baselines, as printed."""
        (first, value), *others = self.scores.items()
        lines = [f"test {first}: {value:.4f} on {self.examples:,} examples"]
        lines += [f"  {name}: {value:.4f}" for name, value in others]
        lines += [f"  baseline, {name}: {value:.4f}" for name, value in self.baselines]
        return lines


def figure_of(dataset):
    """The held-out figure of `dataset`; a UsageError naming those that have one."""
    from keras_seq.evaluation import held_out

    if dataset not in held_out.FIGURES:
        raise UsageError(
            f"{dataset!r} is not a bundled data set; choose one of: "
            f"{', '.join(held_out.FIGURES)}"
        )
    return held_out.get(dataset)


def _cards(dataset):
    """The shipped presets of `dataset` whose cards give a test figure."""
    from keras_seq.applications import list_presets

    return [
        info
        for info in list_presets()
        if info.dataset == dataset and info.split == "test"
    ]


def _quoted_baselines(cards):
    """`[(name, value)]` the cards quote, each once, naming the cards."""
    quoted = {}
    for info in cards:
        if info.baseline:
            key = (info.baseline, info.baseline_value)
            quoted.setdefault(key, []).append(info.name)
    return [
        (f"{name} (card of {', '.join(names)})", value)
        for (name, value), names in quoted.items()
    ]


def measure(model, dataset, limit=None, figure=None):
    """The held-out figure of `model` on `dataset`'s test split: a `Measured`.

    With `limit`, on the first `limit` examples of each split (a smoke run);
    without, the baselines the presets' cards of `dataset` quote are added
    (those computed from the data come first). `figure`: the figure of a
    user's data (`held_out.for_data`), instead of a bundled data set's.
    """
    figure = figure or figure_of(dataset)
    test = figure.examples("test", limit)
    scores = figure.measure(model, *test)
    baselines = figure.baselines(figure.examples("train", limit), test)
    if limit is None:
        cards = _cards(dataset)
        quoted = {(info.baseline, info.baseline_value) for info in cards}
        # A baseline a card quotes too (persistence) is named once, the card's.
        baselines = [
            (name, value)
            for name, value in baselines
            if (name, round(value, 4)) not in quoted
        ]
        baselines += _quoted_baselines(cards)
    return Measured(figure, scores, len(test[1]), baselines)


def _check_fits(loaded, dataset):
    """A UsageError if `--data dataset` is not a data set `loaded` can be scored on."""
    figure = figure_of(dataset)
    if loaded.dataset is not None and dataset != loaded.dataset:
        own = figure_of(loaded.dataset)
        if own.metric != figure.metric:
            raise UsageError(
                f"data set {dataset!r} does not fit {loaded.source}: the model "
                f"was trained on {loaded.dataset} ({own.metric}), {dataset} is "
                f"scored by {figure.metric}"
            )
    inputs, _ = figure.examples("test", 1)
    try:
        loaded.model.preprocessor(inputs)
    except (ValueError, TypeError) as error:
        raise UsageError(
            f"data set {dataset!r} does not fit {loaded.source}: {one_line(error)}"
        ) from None
    names = getattr(
        importlib.import_module(f"keras_seq.datasets.{dataset}"), "LABELS", None
    )
    classes = getattr(loaded.model, "init_config", {}).get("classes")
    if classes is not None and names is not None and classes != len(names):
        raise UsageError(
            f"data set {dataset!r} does not fit {loaded.source}: it has "
            f"{len(names)} classes, the model {classes}"
        )


def _run_on_file(loaded, args):
    """Scores the model on the user's labelled file, whole."""
    import dataclasses

    models.require_preprocessor(loaded, "evaluate")
    columns = (args.input_column, args.target_column)
    if own_series.is_forecaster(loaded):
        whole = own_series.evaluation_data(loaded, args.data, *columns)
    else:
        split, data = own_data.read_file(loaded, args.data, *columns)
        whole = dataclasses.replace(data, validation=split, test=split)
    try:
        figure = own_data.figure(whole, loaded.builder)
    except ValueError as error:
        raise UsageError(one_line(error).replace("`", "")) from None
    import keras

    say(f"backend: {keras.backend.backend()}")
    measured = measure(loaded.model, args.data, args.limit, figure)
    print(f"{loaded.builder} from {loaded.source} on {args.data}")
    print("\n".join(measured.lines()))
    return 0


def run(args):
    if not own_data.is_path(args.data) and (args.input_column or args.target_column):
        raise UsageError("--input-column and --target-column go with --data PATH")
    loaded = models.load(args.model)
    if own_data.is_path(args.data):
        return _run_on_file(loaded, args)
    from keras_seq.evaluation import held_out

    dataset = args.data or loaded.dataset
    if dataset is None:
        raise UsageError(
            f"which data set? {loaded.source} does not record one: pass --data "
            f"({', '.join(held_out.FIGURES)})"
        )
    models.require_preprocessor(loaded, "evaluate")
    if args.data is not None:
        _check_fits(loaded, args.data)
    import keras

    say(f"backend: {keras.backend.backend()}")
    measured = measure(loaded.model, dataset, args.limit)
    print(f"{loaded.builder} from {loaded.source} on the {dataset} test split")
    print("\n".join(measured.lines()))
    if args.limit is None:
        for card in _cards(dataset):
            if card.name == loaded.source:
                print(f"  the {card.name} card: {card.value:.4f}")
    return 0
