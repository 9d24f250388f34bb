"""Each bundled data set's held-out figure: one definition for every caller.

A `HeldOutFigure` says how a model is scored on a split of one data set:
the raw examples, the metric (its name as the model cards give it) and
the reference baselines computed from the data alone. The recipes of the
shipped presets (`recipes/*/train.py`), `keras-seq train`,
`keras-seq evaluate`, `keras-seq list` (through the presets' metadata) and
the tests of the model cards all measure through `measure`, so a figure
printed anywhere is the figure of the card.

The examples come from `keras_seq.datasets.examples.load_examples`, the
one reader of the data sets, which `keras-seq train` reads too. A model
here is any trained application with its preprocessor (raw inputs in):
this module calls its `predict` or `generate` and imports no model code,
nor Keras.

Example:

>>> from keras_seq.applications import ViT
>>> from keras_seq.evaluation import held_out
>>> figure = held_out.get("mnist")
>>> figure.metric, figure.higher_is_better
('accuracy', True)
>>> images, labels = figure.examples("test", count=100)
>>> scores = figure.measure(ViT.from_preset("mnist_vit"), images, labels)
>>> bool(scores["accuracy"] > 0.9)
True
"""

import collections
import dataclasses
import functools
from collections.abc import Callable

import numpy as np

from keras_seq.datasets.examples import get as _dataset
from keras_seq.datasets.examples import load_examples
from keras_seq.evaluation import metrics

# Classifiers and forecasters predict in batches of this many examples;
# generators decode this many inputs at a time (one compiled shape each).
BATCH_SIZE = 100
# Bits per character: the text is cut into pieces of PIECE characters,
# each read after the start id and the up to CONTEXT characters before it,
# so every character is scored once, with at least its piece's context
# (a model of 256 positions reads a whole piece and its context).
PIECE = 64
CONTEXT = 191


@dataclasses.dataclass(frozen=True)
class HeldOutFigure:
    """How models of one data set are scored on a split.

    Attributes:
        dataset: the `keras_seq.datasets` module's name.
        metric: the figure's name, as the model cards and `keras-seq` print it.
        higher_is_better: whether the figure is a score (or an error).
        read: `(split) -> (inputs, targets)`, raw, the whole split.
        score: `(model, inputs, targets) -> {name: value}`, the figure
            first under `metric`, then the secondary figures.
        reference: `(train, test) -> [(name, value)]`, baselines of the
            data alone in the figure's units (`train`, `test`: `(inputs,
            targets)`).
    """

    dataset: str
    metric: str
    higher_is_better: bool
    read: Callable
    score: Callable
    reference: Callable

    def examples(self, split="test", count=None):
        """The raw `(inputs, targets)` of `split`, its first `count` with `count`."""
        inputs, targets = self.read(split)
        return inputs[:count], targets[:count]

    def measure(self, model, inputs, targets):
        """`{name: value}` of `model` on raw `inputs`: the figure, then the others."""
        if len(inputs) == 0:
            raise ValueError(
                f"No examples to score on the {self.dataset} data set: `inputs` "
                "is empty."
            )
        return self.score(model, inputs, targets)

    def baselines(self, train, test):
        """`[(name, value)]` of the data set's baselines on `test`."""
        return self.reference(train, test)


# Classifiers: the most probable class against the label.


def _predicted_classes(model, inputs):
    probabilities = model.predict(inputs, batch_size=BATCH_SIZE, verbose=0)
    return np.asarray(probabilities).argmax(axis=-1)


def _accuracy(model, inputs, labels):
    return {"accuracy": metrics.accuracy(_predicted_classes(model, inputs), labels)}


def _digit_and_direction_accuracy(model, inputs, labels):
    # moving_digits: label = digit * len(DIRECTIONS) + direction.
    directions = len(_dataset("moving_digits").DIRECTIONS)
    predicted = _predicted_classes(model, inputs)
    return {
        "accuracy": metrics.accuracy(predicted, labels),
        "digit accuracy": metrics.accuracy(
            predicted // directions, labels // directions
        ),
        "direction accuracy": metrics.accuracy(
            predicted % directions, labels % directions
        ),
    }


def _majority_class(train, test):
    majority = np.bincount(np.asarray(train[1])).argmax()
    predicted = np.full(len(test[1]), majority)
    return [("majority class", metrics.accuracy(predicted, test[1]))]


def _arrays(name):
    return functools.partial(load_examples, name)


def _listed(name):
    def read(split):
        inputs, labels = load_examples(name, split)
        return list(inputs), labels

    return read


# Sunspots: the one-step forecast of the year after each 24-year window.


def _next_years(split):
    windows, targets = load_examples("sunspots", split)
    return windows, targets[:, -1, 0]


def _forecast_error(model, windows, years):
    forecasts = model.predict(windows, batch_size=len(windows), verbose=0)
    return {
        "mean absolute error (one-step forecast, sunspot number)": (
            metrics.mean_absolute_error(np.asarray(forecasts)[:, -1, 0], years)
        )
    }


def _persistence(train, test):
    windows, years = test
    error = metrics.mean_absolute_error(windows[:, -1, 0], years)
    return [("persistence (next year = this year)", error)]


def _next_step_error(model, windows, steps):
    forecasts = model.predict(windows, batch_size=BATCH_SIZE, verbose=0)
    error = metrics.mean_absolute_error(np.asarray(forecasts)[:, -1], steps)
    return {"mean absolute error (one-step forecast)": error}


def _last_step_persistence(train, test):
    windows, steps = test  # the target is each window's first channel
    error = metrics.mean_absolute_error(windows[:, -1, :1], steps)
    return [("persistence (next step = this step)", error)]


# Hamlet: bits per character, each piece read after its context.


def _pieces(split):
    return _text_pieces(load_examples("hamlet", split)[0])


def _text_pieces(text):
    starts = range(0, len(text), PIECE)
    inputs = [text[max(0, start - CONTEXT) : start + PIECE] for start in starts]
    return inputs, [text[start : start + PIECE] for start in starts]


def _bits_per_character(model, inputs, pieces):
    # `inputs[i]` ends with `pieces[i]`; position t reads the start id
    # (t = 0) or character t - 1 of the input, and scores character t.
    tokenizer = model.preprocessor.tokenizer
    # A model of fewer positions reads as much of each piece's context as
    # it can (the start id and `sequence_length - 1` characters).
    length = getattr(model.preprocessor, "sequence_length", None)
    if length is not None:
        inputs = [text[-(length - 1) :] for text in inputs]
    logits = model.predict(list(inputs), batch_size=32, verbose=0)
    bits, count = 0.0, 0
    for row, text, piece in zip(logits, inputs, pieces):
        ids = np.asarray(tokenizer.tokenize(text))
        stop = len(ids)
        start = stop - len(np.asarray(tokenizer.tokenize(piece)))
        bits += metrics.bits(metrics.log_softmax(row[start:stop]), ids[start:stop])
        count += stop - start
    return {"bits per character": bits / count}


def _character_frequencies(train, test):
    counts = collections.Counter("".join(train[1]))
    total, symbols = sum(counts.values()), len(counts) + 1
    text = "".join(test[1])
    # Add-one smoothing: a character unseen in training still has a probability.
    probabilities = [(counts.get(char, 0) + 1) / (total + symbols) for char in text]
    return [
        ("character frequencies (add-one)", -float(np.mean(np.log2(probabilities))))
    ]


# English -> French names: greedy translations against the French names,
# scored on the names French writes differently (copying gets none right).

TRANSLATION_METRIC = (
    "character accuracy on the names French writes differently "
    "(greedy generate; 1 - edits / reference characters)"
)


def _names(split):
    names = _dataset("en_fr_names")
    english, french = names.differing(*load_examples("en_fr_names", split))
    return list(english), list(french)


def _in_chunks(generate, inputs):
    outputs = []
    for start in range(0, len(inputs), BATCH_SIZE):
        outputs += list(generate(inputs[start : start + BATCH_SIZE]))
    return outputs


def _translation_scores(translations, french, metric=TRANSLATION_METRIC):
    return {
        metric: metrics.character_accuracy(translations, french),
        "exact match": metrics.exact_match(translations, french),
    }


def _translations(model, english, french, metric=TRANSLATION_METRIC):
    def translate(names):
        return model.generate(list(names), sampler="greedy")

    return _translation_scores(_in_chunks(translate, list(english)), french, metric)


def _copying(train, test):
    return _named("copy the English name", _translation_scores(*test))


# Digit captions: greedy captions against the number's words.


def _caption_scores(captions, references):
    return {
        "exact caption rate": metrics.exact_match(captions, references),
        "word accuracy": metrics.word_accuracy(captions, references),
    }


def _captions(model, images, references):
    def caption(batch):
        return model.generate(batch, sampler="greedy")

    return _caption_scores(_in_chunks(caption, images), list(references))


def _commonest_caption(train, test):
    commonest = collections.Counter(list(train[1])).most_common(1)[0][0]
    scores = _caption_scores([commonest] * len(test[1]), list(test[1]))
    return _named("the commonest caption", scores)


def _named(baseline, scores):
    """A baseline's scores: the figure under its name, the others after it."""
    (_, figure), *others = scores.items()
    return [(baseline, figure)] + [
        (f"{baseline}, {name.split(' (')[0]}", value) for name, value in others
    ]


def _classification(dataset, read=None, score=_accuracy):
    return HeldOutFigure(
        dataset, "accuracy", True, read or _arrays(dataset), score, _majority_class
    )


FIGURES = {
    figure.dataset: figure
    for figure in (
        _classification("rotten_tomatoes", _listed("rotten_tomatoes")),
        _classification("japanese_vowels", _listed("japanese_vowels")),
        _classification("mnist"),
        _classification("digits"),
        _classification("moving_digits", score=_digit_and_direction_accuracy),
        HeldOutFigure(
            "sunspots",
            "mean absolute error (one-step forecast, sunspot number)",
            False,
            _next_years,
            _forecast_error,
            _persistence,
        ),
        HeldOutFigure(
            "hamlet",
            "bits per character",
            False,
            _pieces,
            _bits_per_character,
            _character_frequencies,
        ),
        HeldOutFigure(
            "en_fr_names",
            TRANSLATION_METRIC,
            True,
            _names,
            _translations,
            _copying,
        ),
        HeldOutFigure(
            "digit_captions",
            "exact caption rate",
            True,
            _arrays("digit_captions"),
            _captions,
            _commonest_caption,
        ),
    )
}


def get(dataset):
    """The `HeldOutFigure` of the bundled data set `dataset`."""
    if dataset not in FIGURES:
        raise ValueError(
            "`dataset` must be one of the bundled data sets "
            f"({', '.join(sorted(FIGURES))}). Received: dataset={dataset!r}"
        )
    return FIGURES[dataset]


# A user's own data (`keras_seq.data`): the figure of the model's kind.

CLASSIFIERS = ("TextClassifier", "RNNClassifier", "ViT", "ViViT")
USER_TRANSLATION_METRIC = (
    "character accuracy (greedy generate; 1 - edits / reference characters)"
)


def for_data(data, builder):
    """The figure of a model of `builder` on a user's `keras_seq.data.Data`.

    Classifiers are scored by accuracy (against the training part's
    majority class), translators by character accuracy (against copying
    the source), captioners by the exact caption rate (against the
    commonest caption), language models by bits per character (against
    the training part's character frequencies), forecasters by the mean
    absolute error of the next step (against persistence).

    Args:
        data: a `keras_seq.data.Data` (its `train` and `test` parts).
        builder: the application's class name (`"TextClassifier"`).

    Raises:
        ValueError: no figure is defined for `builder` on a user's data.
    """
    parts = {"train": data.train, "validation": data.validation, "test": data.test}

    def read(split):
        return parts[split]

    source = data.source
    if builder in CLASSIFIERS:
        return _classification(source, read)
    if builder in ("Seq2SeqTransformer", "Seq2SeqRNN"):
        metric = USER_TRANSLATION_METRIC
        return HeldOutFigure(
            source,
            metric,
            True,
            read,
            functools.partial(_translations, metric=metric),
            lambda train, test: _named(
                "copy the input", _translation_scores(*test, metric)
            ),
        )
    if builder == "ImageCaptioner":
        return HeldOutFigure(
            source, "exact caption rate", True, read, _captions, _commonest_caption
        )
    if builder == "SequenceTagger":  # a series table's windows
        return HeldOutFigure(
            source,
            "mean absolute error (one-step forecast)",
            False,
            lambda split: (parts[split].x, parts[split].y[:, -1]),
            _next_step_error,
            _last_step_persistence,
        )
    if builder == "CausalLM":  # a corpus: each part one text
        return HeldOutFigure(
            source,
            "bits per character",
            False,
            lambda split: _text_pieces(parts[split].x),
            _bits_per_character,
            _character_frequencies,
        )
    raise ValueError(
        f"`builder` must be one whose figure on a user's data is defined "
        f"({', '.join(CLASSIFIERS)}, Seq2SeqTransformer, Seq2SeqRNN, "
        f"ImageCaptioner, CausalLM, SequenceTagger). Received: builder={builder!r}"
    )
