"""`keras-seq predict`: what a trained model says about raw inputs.

Classifiers print their likeliest labels with probabilities; a tagger
its output at every real step of each input (a forecaster's last one,
the forecast of the step after the series, first; a series longer than
the model reads is cut to its last steps, with a note on stderr); a
language model the likeliest next tokens; a translator or captioner
what it generates. `--json` prints the same as one JSON document on
stdout.

`--data PATH` predicts every row of a user's table (or every file of a
class folder), in order: the rows' own columns, then `prediction` (the
label name, the generated text) and, for a classifier, `probability`,
written to `--output FILE` (.csv or .jsonl) or printed as CSV. A
forecaster (`sequence_tagger` trained on a series table) reads a series
table: each row's `prediction` is the forecast of the target's next step
(the next row's value) from the window of steps ending at that row
(`keras_seq.cli.own_series`).

Example:

    keras-seq predict rotten_tomatoes "a gripping film" --json
    keras-seq predict runs/reviews --data new.csv --output predictions.csv
"""

import json

from keras_seq.cli import models
from keras_seq.cli import own_data
from keras_seq.cli import own_series
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
from keras_seq.cli.errors import one_line
from keras_seq.cli.files import read_array
from keras_seq.cli.files import read_image
from keras_seq.cli.files import read_texts
from keras_seq.serving.predictions import input_kind
from keras_seq.serving.predictions import tag
from keras_seq.serving.tokens import token_text

_PLURALS = {"video": "videos", "series": "series"}


def read_inputs(preprocessor, arguments):
    """The raw inputs the model's preprocessor reads, from command-line arguments.

    Returns:
        `(inputs, names)`: the raw inputs (a list of str, or of arrays) and
        a display name for each.
    """
    kind = input_kind(preprocessor)
    if kind == "text":
        texts = read_texts(arguments)
        return texts, texts
    if kind == "image":
        image_preprocessor = getattr(preprocessor, "image_preprocessor", preprocessor)
        shape = image_preprocessor.image_shape
        return [read_image(path, shape) for path in arguments], list(arguments)
    from keras_seq.data import videos

    arrays = []
    for path in arguments:
        if kind == "video" and videos.is_video(path):
            arrays.append(own_data.loaded_or_refused(videos.read_video, path))
            continue
        if not path.lower().endswith(".npy"):
            given = "as .npy or video files" if kind == "video" else "as .npy files"
            raise UsageError(
                f"{path!r}: this model reads {_PLURALS[kind]}, given {given}"
            )
        arrays.append(read_array(path))
    return arrays, list(arguments)


def preprocess_check(preprocessor, inputs, source=None):
    """Runs the preprocessor once, turning its ValueErrors into usage errors.

    `source`: the file the inputs came from, named first in the error.
    """
    try:
        return preprocessor(inputs)
    except (ValueError, TypeError) as error:
        where = f"{source}: " if source else ""
        raise UsageError(where + one_line(error)) from None


def _probabilities(loaded, row, top):
    import numpy as np

    order = np.argsort(-row)[:top]
    return [
        {"label": loaded.label(int(index)), "probability": float(row[index])}
        for index in order
    ]


def _classify(loaded, inputs, top):
    outputs = loaded.model.predict(inputs, verbose=0)
    return [{"predictions": _probabilities(loaded, row, top)} for row in outputs]


def _fit_series(preprocessor, inputs, names):
    """Series longer than the model reads: their last steps, and a note.

    A series preprocessor keeps the first `sequence_length` steps of a
    longer series; the steps that matter to a tagger's last output (the
    forecast of the step after the series) are the last ones.
    """
    import numpy as np

    limit = getattr(preprocessor, "sequence_length", None)
    fitted = []
    for series, name in zip(inputs, names):
        series = np.asarray(series)
        if limit is not None and series.ndim >= 1 and len(series) > limit:
            say(
                f"{name}: {len(series)} steps; this model reads at most {limit}: "
                f"using its last {limit} (steps {len(series) - limit + 1} to "
                f"{len(series)})"
            )
            series = series[-limit:]
        fitted.append(series)
    return fitted


def _tag(loaded, inputs):
    """One output per real step of each input (padding steps dropped)."""
    return tag(loaded.model, inputs, loaded.labels)


def _next_tokens(loaded, inputs, top):
    import keras
    import numpy as np

    preprocessor = loaded.model.preprocessor
    ids = preprocessor.generate_preprocess(inputs)
    logits = keras.ops.convert_to_numpy(loaded.model(ids, training=False))
    padding = getattr(loaded.model, "padding_id", 0)
    last = np.count_nonzero(ids != padding, axis=1) - 1
    rows = logits[np.arange(len(ids)), last].astype("float64")
    rows = np.exp(rows - rows.max(-1, keepdims=True))
    rows /= rows.sum(-1, keepdims=True)
    results = []
    for row in rows:
        order = np.argsort(-row)[:top]
        results.append(
            {
                "next_tokens": [
                    {
                        "token": token_text(preprocessor.tokenizer, int(index)),
                        "probability": float(row[index]),
                    }
                    for index in order
                ]
            }
        )
    return results


def _print(results, names):
    for name, result in zip(names, results):
        shown = repr(name) if len(name) < 70 else repr(name[:67] + "...")
        if "predictions" in result:
            text = ", ".join(
                f"{item['label']} {item['probability']:.2f}"
                for item in result["predictions"]
            )
        elif "next_tokens" in result:
            text = "next: " + ", ".join(
                f"{item['token']!r} {item['probability']:.2f}"
                for item in result["next_tokens"]
            )
        elif "generated" in result:
            text = repr(result["generated"])
        elif "next" in result:
            steps = len(result["outputs"])
            every = " ".join(f"{value:.2f}" for value in result["outputs"])
            text = (
                f"next: {result['next']:.2f} (the last step's output); each of "
                f"the {steps} steps read: {every}"
            )
        elif "outputs" in result:
            text = " ".join(f"{value:.2f}" for value in result["outputs"])
        else:
            text = " ".join(result["labels"])
        print(f"{shown}: {text}")


def _check_arguments(args):
    if bool(args.inputs) == (args.data is not None):
        raise UsageError(
            "give INPUTs or --data PATH (a table or class folder), one of the two"
        )
    if args.data is None and (args.output or args.input_column):
        raise UsageError("--output and --input-column go with --data PATH")
    if args.output and not args.output.lower().endswith((".csv", ".jsonl")):
        raise UsageError(f"--output {args.output}: give a .csv or .jsonl file")


def _predict_rows(loaded, args):
    """One prediction a row of the user's file, beside the row's own columns.

    The file is read (or refused, in one line) before anything is said.
    """
    import numpy as np

    from keras_seq.models import GenerativeTask

    model = loaded.model
    if own_series.is_forecaster(loaded):
        series, _ = own_series.read(loaded, args.data, args.input_column)
        columns = own_data.rows(args.data)
        _say_backend()
        forecasts = own_series.forecasts(model, series)
        columns["prediction"] = [round(float(value), 6) for value in forecasts]
        return _written(columns, len(series), args.output)
    if loaded.builder == "SequenceTagger" or (
        isinstance(model, GenerativeTask) and not model.encoder_decoder
    ):
        raise UsageError(
            f"predict --data writes a classifier's labels, a translator's or "
            f"captioner's texts or a forecaster's numbers; this {loaded.builder} "
            "writes none of these (give INPUTs)"
        )
    split, _ = own_data.read_file(loaded, args.data, args.input_column, targets=False)
    columns = own_data.rows(args.data)
    generative = isinstance(model, GenerativeTask)
    preprocessor = model.preprocessor
    check = preprocessor.generate_preprocess if generative else preprocessor
    preprocess_check(check, split.x[:1], args.data)
    _say_backend()
    if generative:
        columns["prediction"] = [
            text
            for start in range(0, len(split.x), 100)
            for text in model.generate(split.x[start : start + 100])
        ]
    else:
        probabilities = np.asarray(model.predict(split.x, verbose=0))
        columns["prediction"] = [
            loaded.label(int(index)) for index in probabilities.argmax(-1)
        ]
        columns["probability"] = [round(float(p), 6) for p in probabilities.max(-1)]
    return _written(columns, len(split.x), args.output)


def _say_backend():
    import keras

    say(f"backend: {keras.backend.backend()}")


def _written(columns, count, output):
    """Writes the rows and their predictions to `output` (None: prints them)."""
    own_data.write_rows(columns, output)
    if output:
        print(f"{count:,} predictions: {output}")
    return 0


def run(args):
    _check_arguments(args)
    loaded = models.load(args.model)
    preprocessor = models.require_preprocessor(loaded, "predict")
    if args.data is not None:
        return _predict_rows(loaded, args)
    _say_backend()
    inputs, names = read_inputs(preprocessor, args.inputs)
    builder = loaded.builder
    model = loaded.model
    from keras_seq.models import GenerativeTask

    if isinstance(model, GenerativeTask) and not model.encoder_decoder:
        preprocess_check(preprocessor.generate_preprocess, inputs)
        results = _next_tokens(loaded, inputs, args.top)
    elif isinstance(model, GenerativeTask):
        preprocess_check(preprocessor.generate_preprocess, inputs)
        results = [{"generated": text} for text in model.generate(inputs)]
    else:
        if builder == "SequenceTagger" and input_kind(preprocessor) == "series":
            inputs = _fit_series(preprocessor, inputs, names)
        preprocess_check(preprocessor, inputs)
        if builder == "SequenceTagger":
            results = _tag(loaded, inputs)
        else:
            results = _classify(loaded, inputs, args.top)
    if args.json:
        documents = [{"input": name, **result} for name, result in zip(names, results)]
        print(json.dumps({"model": loaded.source, "results": documents}, indent=2))
    else:
        _print(results, names)
    return 0
