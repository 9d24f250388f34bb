"""What a model reads, and a sequence tagger's output at every real step.

Shared by `keras-seq predict` and the page of `keras-seq serve`, so both
answer alike.

Example:

>>> from keras_seq.applications import SequenceTagger
>>> model = SequenceTagger.from_preset("sunspots_lstm")
>>> input_kind(model.preprocessor)
'series'
>>> answer = tag(model, [np.arange(24, dtype="float32")[:, None]])[0]
>>> len(answer["outputs"]), "next" in answer
(24, True)
"""


def input_kind(preprocessor):
    """`"text"`, `"image"`, `"video"` or `"series"`: what the preprocessor reads.

    Args:
        preprocessor: an application's preprocessor.
    """
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


def label_name(labels, index):
    """The name of class `index` in `labels` (None or short: `class <index>`).

    Args:
        labels: the class names, or None.
        index: an int.
    """
    if labels and 0 <= index < len(labels):
        return labels[index]
    return f"class {index}"


def series_outputs(model, inputs):
    """A series tagger's outputs, its inputs padded to the width it was built for.

    The preprocessor pads a batch to its longest series (rounded up), but
    a model built for windows of a fixed length takes that length only
    (TensorFlow refuses less): the padding steps it adds are masked.

    Args:
        model: a `SequenceTagger` reading series, with its preprocessor.
        inputs: a list of `(steps, channels)` series.
    """
    import keras
    import numpy as np

    preprocessor = model.preprocessor
    values = np.asarray(preprocessor(inputs))
    width = model.input_shape[1] if len(model.input_shape) > 2 else None
    if width is not None and values.shape[1] < width:
        pad_value = 0.0 if preprocessor.mask_value is None else preprocessor.mask_value
        padding = [(0, 0), (0, width - values.shape[1])] + [(0, 0)] * (values.ndim - 2)
        values = np.pad(values, padding, constant_values=pad_value)
    return keras.ops.convert_to_numpy(model(values, training=False))


def tag(model, inputs, labels=None):
    """One output per real step of each input (padding steps dropped).

    Args:
        model: a `SequenceTagger` with its preprocessor.
        inputs: raw inputs (texts, or series).
        labels: the class names, or None.

    Returns:
        One dict per input: `{"labels": [...]}` for a classifying tagger;
        `{"outputs": [...], "next": last}` for a one-value tagger (step
        `t` forecasts step `t + 1`, so the last output is the step after).
    """
    import numpy as np

    if input_kind(model.preprocessor) == "series":
        outputs = series_outputs(model, inputs)
    else:
        outputs = model.predict(inputs, verbose=0)
    results = []
    for row, given in zip(outputs, inputs):
        steps = min(len(given), len(row)) if np.ndim(given) >= 1 else len(row)
        row = row[:steps]
        if row.shape[-1] == 1:
            values = [float(value) for value in row[:, 0]]
            result = {"outputs": values}
            if values:
                result["next"] = values[-1]
            results.append(result)
        else:
            names = [label_name(labels, int(i)) for i in row.argmax(-1)]
            results.append({"labels": names})
    return results
