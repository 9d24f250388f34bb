"""A SavedModel that takes raw strings: the tokenizer's TensorFlow ops, then the model.

KerasHub's tokenizers are TensorFlow ops, but their lookup tables and
caches are attributes that `tf.saved_model.save` does not track, so a
function that calls one fails to save with "references an 'untracked'
resource" (keras-hub issues #2015 and #1629). Here every table and
variable found under the tokenizer is attached to the exported module,
which tracks them. The model itself is Keras' own export (`serve`),
reloaded and called from the string signature, so this works under every
backend Keras exports from.
"""

import tensorflow as tf

_MAX_DEPTH = 6

# Texts whose tokens must come out the same in a TensorFlow graph as eagerly.
_PROBES = [
    "a gripping, funny and moving film",
    "Dull -- flat; far too LONG!!  It's 2 hours (and 10 minutes).",
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9",
    "",
]


def graph_matches_eager(tokenizer):
    """Whether `tokenizer` gives the same ids inside a `tf.function` as eagerly.

    KerasHub 0.32's BytePairTokenizer tokenizes eagerly through Hugging
    Face `tokenizers` (whose pre-tokenizer does not split words) and in a
    graph with TensorFlow ops (which split them): the two disagree, so a
    SavedModel could not reproduce the model's inputs.
    """

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def in_graph(texts):
        ids = tokenizer.tokenize(texts)
        return (
            ids
            if isinstance(ids, tf.RaggedTensor)
            else tf.RaggedTensor.from_tensor(ids)
        )

    eager = tokenizer.tokenize(_PROBES)
    eager = eager.to_list() if hasattr(eager, "to_list") else eager
    eager = [[int(i) for i in row] for row in eager]
    graph = [[int(i) for i in row] for row in in_graph(tf.constant(_PROBES)).to_list()]
    return eager == graph


def _resources(value, found, seen, depth=0):
    """Collects the TensorFlow tables and variables reachable from `value`."""
    if id(value) in seen or depth > _MAX_DEPTH:
        return
    seen.add(id(value))
    if isinstance(value, (tf.Variable, tf.saved_model.experimental.TrackableResource)):
        found.append(value)
        return
    if isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, (list, tuple)):
        children = list(value)
    elif hasattr(value, "__dict__") and type(value).__module__.split(".")[0] in (
        "keras_hub",
        "keras",
        "tensorflow",
        "tensorflow_text",
    ):
        children = list(vars(value).values())
    else:
        return
    for child in children:
        _resources(child, found, seen, depth + 1)


class TextServing(tf.Module):
    """Strings `(batch,)` to the model's outputs, and ids to the same.

    Args:
        ids_model: the reloaded SavedModel of the model (its `serve`).
        tokenizer: the KerasHub tokenizer of the model's preprocessor.
        sequence_length: the most ids a text keeps (longer texts are cut,
            as the preprocessor cuts them).
    """

    def __init__(self, ids_model, tokenizer, sequence_length):
        super().__init__(name="text_serving")
        self.ids_model = ids_model
        found = []
        _resources(tokenizer, found, set())
        self.tokenizer_resources = found
        self._tokenizer = tokenizer
        self._sequence_length = sequence_length

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="texts")])
    def serve_text(self, texts):
        ids = self._tokenizer.tokenize(texts)
        if not isinstance(ids, tf.RaggedTensor):
            ids = tf.RaggedTensor.from_tensor(ids, padding=0)
        ids = tf.cast(ids[:, : self._sequence_length], tf.int32)
        ids = ids.to_tensor(default_value=0)
        # An empty text (or a batch of them) is one step of padding.
        ids = tf.pad(ids, [[0, 0], [0, tf.maximum(0, 1 - tf.shape(ids)[1])]])
        return self.ids_model.serve(ids)

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32, name="ids")])
    def serve(self, ids):
        return self.ids_model.serve(ids)


def save(ids_path, path, tokenizer, sequence_length):
    """Writes the string-taking SavedModel at `path` from the ids one at `ids_path`."""
    module = TextServing(tf.saved_model.load(ids_path), tokenizer, sequence_length)
    tf.saved_model.save(
        module,
        path,
        signatures={
            "serving_default": module.serve_text,
            "serve_text": module.serve_text,
            "serve": module.serve,
        },
        # JAX's export (jax2tf) records gradients that cannot be saved
        # again; serving needs none.
        options=tf.saved_model.SaveOptions(experimental_custom_gradients=False),
    )
