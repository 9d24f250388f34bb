"""The base of the preprocessors: one batch of raw inputs to NumPy model inputs.

A preprocessor is a Keras layer, so that a model holding one as an
attribute (`model.preprocessor = p`) saves it in its `.keras` file, with
its tokenizer's vocabulary as assets. Unlike a model layer it computes
nothing with the backend: it takes Python and NumPy inputs (strings,
lists of arrays) as they are, as KerasHub's preprocessing layers do, and
returns NumPy arrays, the same on TensorFlow, JAX and PyTorch. Tokenizers
run eagerly on their Python path (inside a `tf.function` KerasHub's
`BytePairTokenizer` takes its TensorFlow path, which splits words where
the Python path does not, and so tokenizes differently), so a
preprocessor is called eagerly, batch by batch, never inside `tf.data`
or a compiled function; it raises a RuntimeError there.

The helpers below are what the text preprocessors share: checking a text
batch, tokenizing it to lists of ids, adding start and end ids, fitting
the lengths, and turning generated ids back into text.
"""

import functools
import sys

import keras
import numpy as np

from keras_seq.preprocessing.padding import pad_rows
from keras_seq.preprocessing.padding import padded_length
from keras_seq.preprocessing.tokenizers import special_token_ids


@keras.saving.register_keras_serializable(package="keras_seq")
class Preprocessor(keras.layers.Layer):
    """Base class of keras-seq preprocessors: raw inputs in, NumPy model inputs out.

    Subclasses implement `call(x, y=None, sample_weight=None)`: it turns
    one batch of raw inputs `x` into what the model takes, and returns it,
    or `(x, y)` / `(x, y, sample_weight)` (`keras.utils.pack_x_y_sample_weight`)
    when there are targets. The inputs are not converted to backend tensors
    (strings could not be), and the outputs are NumPy arrays.

    Args:
        **kwargs: `keras.layers.Layer` arguments (`name`, `dtype`).

    Example:

    >>> class Doubler(Preprocessor):
    ...     def call(self, x, y=None, sample_weight=None):
    ...         x = 2 * np.asarray(x, "float32")
    ...         return keras.utils.pack_x_y_sample_weight(x, y, sample_weight)
    >>> Doubler()([1, 2])
    array([2., 4.], dtype=float32)
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "call" in cls.__dict__:
            cls.call = _own_messages(cls.__dict__["call"])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Raw inputs (strings, lists of arrays) reach `call` as they are.
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True
        # Nothing to build: no weights, and tokenizer assets load after
        # construction when a saved model is restored.
        self.built = True

    def __call__(self, *args, **kwargs):
        tf = sys.modules.get("tensorflow")
        if tf is not None and hasattr(tf, "executing_eagerly"):
            if not tf.executing_eagerly():
                raise RuntimeError(
                    f"{type(self).__name__} runs eagerly on NumPy: call it on "
                    "each batch in Python, not inside `tf.data` or a "
                    "`tf.function`."
                )
        return super().__call__(*args, **kwargs)

    def call(self, x, y=None, sample_weight=None):
        raise NotImplementedError(
            f"{type(self).__name__} must implement `call(x, y, sample_weight)`."
        )

    def get_build_config(self):
        return None


def _own_messages(call):
    """`call`, whose ValueErrors and TypeErrors keep their own message.

    Keras appends every argument of a failing `call` to the message (a
    whole batch of images or texts); these messages already name the
    argument and the value at fault.
    """

    @functools.wraps(call)
    def wrapped(*args, **kwargs):
        try:
            return call(*args, **kwargs)
        except (ValueError, TypeError) as error:
            error._keras_call_info_injected = True
            raise

    return wrapped


def pack_outputs(x, y=None, sample_weight=None):
    """`x`, or `(x, y[, sample_weight])` with the targets as NumPy arrays.

    Raises a ValueError unless `y` and `sample_weight` hold one row for
    each example of `x` (an array, or a dict of arrays).
    """
    examples = len(next(iter(x.values())) if isinstance(x, dict) else x)
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None and len(value) != examples:
            raise ValueError(
                f"`x` and `{name}` must hold as many examples. Received: "
                f"{examples} in x and {len(value)} in {name}"
            )
    if y is not None:
        y = np.asarray(y)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight)
    return keras.utils.pack_x_y_sample_weight(x, y, sample_weight)


def check_bool(name, value):
    """Returns `value` if it is a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"`{name}` must be True or False. Received: {name}={value!r}")
    return bool(value)


def serialize_tokenizer(tokenizer):
    """The config of a nested tokenizer (its vocabulary is saved as assets)."""
    return keras.layers.serialize(tokenizer)


def deserialize_layer(config):
    """A nested layer (a tokenizer) from its config; a layer or None as it is."""
    if not isinstance(config, dict):
        return config
    if config.get("registered_name") == "keras_seq>ByteLevelTokenizer":
        # Defined on first use (it subclasses a KerasHub class).
        from keras_seq.preprocessing.byte_level_tokenizer import (
            byte_level_tokenizer_class,
        )

        byte_level_tokenizer_class()
    return keras.layers.deserialize(config)


def check_tokenizer(name, tokenizer):
    """Returns `tokenizer` if it is a KerasHub tokenizer (anything with `tokenize`)."""
    if not (
        isinstance(tokenizer, keras.layers.Layer)
        and callable(getattr(tokenizer, "tokenize", None))
        and callable(getattr(tokenizer, "detokenize", None))
    ):
        raise TypeError(
            f"`{name}` must be a KerasHub tokenizer (a layer with `tokenize` and "
            f"`detokenize`). Received: {name} of type {type(tokenizer).__name__}"
        )
    # Used through `tokenize` and `detokenize`, never called as a layer, a
    # tokenizer is never marked built by Keras; and a model with an unbuilt
    # sublayer builds itself again, and compiles again, on every `predict`.
    tokenizer.built = True
    return tokenizer


def text_batch(name, x):
    """`x` (a str, or a non-empty batch of str) as a list of str.

    A single str is a batch of one. NumPy string arrays, `bytes` (UTF-8)
    and eager TensorFlow string tensors are accepted.
    """
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    if isinstance(x, np.ndarray):
        if x.ndim > 1:
            raise ValueError(
                f"`{name}` must be a str or a 1-D batch of str. Received: "
                f"{name} of shape {x.shape}"
            )
        x = x.tolist()
    if isinstance(x, (str, bytes)):
        x = [x]
    if not isinstance(x, (list, tuple)):
        raise TypeError(
            f"`{name}` must be a str or a batch (list, tuple or array) of str. "
            f"Received: {name} of type {type(x).__name__}"
        )
    if not x:
        raise ValueError(
            f"`{name}` must be a non-empty batch of str. Received: {name}={x!r}"
        )
    texts = []
    for index, text in enumerate(x):
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if not isinstance(text, str):
            raise TypeError(
                f"`{name}` must hold only str. Received: {name}[{index}]={text!r} "
                f"of type {type(text).__name__}"
            )
        texts.append(text)
    return texts


def tokenize(tokenizer, texts):
    """The ids of each text, as lists of Python ints."""
    rows = tokenizer.tokenize(texts)
    if hasattr(rows, "to_list"):  # a tf.RaggedTensor
        rows = rows.to_list()
    return [np.asarray(row, dtype="int64").tolist() for row in rows]


def check_no_special_ids(name, texts, rows, token_ids, padding_id=0):
    """Raises if a text tokenizes to `padding_id` or to one of `token_ids`.

    The padding id inside a text would be masked as padding, and start
    and end ids must mean only where a text starts and ends.
    """
    reserved = {padding_id, *token_ids}
    for index, row in enumerate(rows):
        if reserved.intersection(row):
            raise ValueError(
                f"`{name}[{index}]` holds a character or token that the tokenizer "
                f"reserves for padding, start or end (ids {sorted(reserved)}). "
                f"Received: {name}[{index}]={texts[index]!r}"
            )


def fit_rows(name, rows, texts, limit, truncate, start_id=None, end_id=None):
    """Adds the start and end ids to each row and fits it into `limit` ids.

    A longer row is cut at `limit` (losing its end id: the text does not
    end there) with `truncate`, or raises a ValueError without it.
    """
    packed = []
    special = start_id is not None or end_id is not None
    included = " (start and end ids included)" if special else ""
    for index, row in enumerate(rows):
        row = ([] if start_id is None else [start_id]) + row
        row = row + ([] if end_id is None else [end_id])
        if len(row) > limit:
            if not truncate:
                raise ValueError(
                    f"`{name}[{index}]` is {len(row)} ids long{included}, more "
                    f"than the {limit} that fit, and "
                    f"`truncate=False`. Pass truncate=True to cut it, or a longer "
                    f"sequence length. Received: {name}[{index}]={texts[index]!r}"
                )
            row = row[:limit]
        packed.append(row)
    return packed


def pad_ids(rows, sequence_length, padding_id=0):
    """Right-pads id rows with `padding_id` to the bucketed width of the longest row."""
    longest = max(len(row) for row in rows)
    return pad_rows(rows, padded_length(longest, sequence_length), padding_id)


def token_id_rows(name, token_ids):
    """Generated ids (an int `(batch, time)` array or list of lists) as lists."""
    if hasattr(token_ids, "numpy") and not isinstance(token_ids, np.ndarray):
        token_ids = token_ids.numpy()
    if (
        isinstance(token_ids, (list, tuple))
        and token_ids
        and not np.isscalar(token_ids[0])
    ):
        rows = [np.asarray(row) for row in token_ids]
    else:
        array = np.asarray(keras.ops.convert_to_numpy(token_ids))
        rows = list(array) if array.ndim == 2 else None
    if (
        not rows
        or any(row.ndim != 1 for row in rows)
        or not all(
            np.issubdtype(row.dtype, np.integer) or row.size == 0 for row in rows
        )
    ):
        raise ValueError(
            f"`{name}` must be a non-empty (batch, time) batch of int token ids. "
            f"Received: {name}={token_ids!r}"
        )
    return [row.astype("int64").tolist() for row in rows]


def strip_generated(rows, start_id, end_id, padding_id=0):
    """Each row without its leading start id, cut at its end id or first padding."""
    stripped = []
    for row in rows:
        if row and row[0] == start_id:
            row = row[1:]
        for stop, token in enumerate(row):
            if token in (padding_id, end_id):
                row = row[:stop]
                break
        stripped.append(row)
    return stripped


def detokenize(tokenizer, rows):
    """The text of each row of ids, a list of str."""
    texts = tokenizer.detokenize([list(row) for row in rows])
    if hasattr(texts, "numpy"):
        texts = texts.numpy().tolist()
    return [t.decode("utf-8") if isinstance(t, bytes) else str(t) for t in texts]


def shifted_ids(name, tokenizer, texts, sequence_length, truncate, padding_id=0):
    """Texts to decoder inputs and next-id targets, each `(batch, time)` int32.

    Each text becomes the start id, its ids and the end id, at most
    `sequence_length + 1` ids; its inputs are all of them but the last, its
    targets all but the first, right-padded with `padding_id` to the
    bucketed width: an input is padding exactly where its target is.
    """
    start_id, end_id = special_token_ids(tokenizer)
    rows = tokenize(tokenizer, texts)
    check_no_special_ids(name, texts, rows, (start_id, end_id), padding_id)
    # One id more than the decoder reads: inputs and targets are shifted.
    rows = fit_rows(name, rows, texts, sequence_length + 1, truncate, start_id, end_id)
    width = padded_length(max(map(len, rows)) - 1, sequence_length)
    # Shifted row by row: an input is real exactly where its target is.
    inputs = pad_rows([row[:-1] for row in rows], width, padding_id)
    return inputs, pad_rows([row[1:] for row in rows], width, padding_id)


def generated_texts(tokenizer, token_ids, padding_id=0):
    """Generated ids `(batch, time)` to text, cut at the end id or the first padding."""
    rows = token_id_rows("token_ids", token_ids)
    start_id, end_id = special_token_ids(tokenizer)
    return detokenize(tokenizer, strip_generated(rows, start_id, end_id, padding_id))
