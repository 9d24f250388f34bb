"""`keras-seq predict`: what a trained model says about raw inputs.

Classifiers print their likeliest labels with probabilities; a tagger
its per-step outputs; a language model the likeliest next tokens; a
translator or captioner what it generates. `--json` prints the same as
one JSON document on stdout.
"""

import json

from keras_seq.cli import models
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
from keras_seq.cli.errors import one_line
from keras_seq.cli.files import read_array
from keras_seq.cli.files import read_image
from keras_seq.cli.files import read_texts


def input_kind(preprocessor):
    """`"text"`, `"image"`, `"video"` or `"series"`: what the preprocessor reads."""
    from keras_seq import preprocessing

    if isinstance(preprocessor, preprocessing.ImageCaptionerPreprocessor):
        return "image"
    if isinstance(preprocessor, preprocessing.ImagePreprocessor):
        return "image"
    if isinstance(preprocessor, preprocessing.VideoPreprocessor):
        return "video"
    if isinstance(preprocessor, preprocessing.SeriesPreprocessor):
        return "series"
    return "text"


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
    arrays = []
    for path in arguments:
        if not path.lower().endswith(".npy"):
            raise UsageError(f"{path!r}: this model reads {kind}s, given as .npy files")
        arrays.append(read_array(path))
    return arrays, list(arguments)


def preprocess_check(preprocessor, inputs):
    """Runs the preprocessor once, turning its ValueErrors into usage errors."""
    try:
        return preprocessor(inputs)
    except (ValueError, TypeError) as error:
        raise UsageError(one_line(error)) from None


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


def _tag(loaded, inputs):
    outputs = loaded.model.predict(inputs, verbose=0)
    results = []
    for row in outputs:
        if row.shape[-1] == 1:
            results.append({"outputs": [float(value) for value in row[:, 0]]})
        else:
            results.append({"labels": [loaded.label(int(i)) for i in row.argmax(-1)]})
    return results


def _next_tokens(loaded, inputs, top):
    import keras
    import numpy as np

    preprocessor = loaded.model.preprocessor
    ids = preprocessor.generate_preprocess(inputs)
    logits = keras.ops.convert_to_numpy(loaded.model(ids, training=False))
    last = np.count_nonzero(ids, axis=1) - 1
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


def token_text(tokenizer, token_id):
    """The text of one token id (special tokens by their names)."""
    from keras_seq.preprocessing import special_token_ids

    if token_id == 0:
        return "<pad>"
    special = dict(zip(special_token_ids(tokenizer), ("<start>", "<end>")))
    if token_id in special:
        return special[token_id]
    text = tokenizer.detokenize([[token_id]])
    text = text[0] if isinstance(text, (list, tuple)) else text
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return str(getattr(text, "numpy", lambda: text)())


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
        elif "outputs" in result:
            text = " ".join(f"{value:.2f}" for value in result["outputs"])
        else:
            text = " ".join(result["labels"])
        print(f"{shown}: {text}")


def run(args):
    loaded = models.load(args.model)
    import keras

    say(f"backend: {keras.backend.backend()}")
    preprocessor = models.require_preprocessor(loaded, "predict")
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
