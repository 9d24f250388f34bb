"""The Megatron layout of keras-seq's weights, as a `keras.distribution.LayoutMap`.

Tensor (model) parallelism splits each transformer layer's two matrix
pairs so that one all-reduce per pair joins the devices' partial results
(Shoeybi et al., 2019, "Megatron-LM"):

- attention: the query, key and value kernels `(dim, heads, head_dim)`
  split along their heads (output features), the output kernel
  `(heads, head_dim, dim)` along its heads (input features): each device
  attends with its own heads;
- feed-forward: the first kernel `(dim, intermediate)` split along its
  output features, the second `(intermediate, dim)` along its input
  features;
- token embeddings `(vocabulary, dim)` split along the hidden axis.

Everything else is replicated: biases, layer norms, position tables,
class tokens, patch projections, recurrent layers (whose step needs the
whole state) and the classifier or logits heads. The regular expressions
match the paths keras-seq's applications give their weights
(`encoder/layer_0/self_attention/query/kernel`, ...); the tests build
every application and check that each kernel named above is matched, so
a renamed layer fails a test rather than staying silently replicated.
"""

import keras

# Regular expression of the weight path -> (rank of the weight, its axis
# split along the model axis); the other axes are replicated. `LayoutMap`
# matches each pattern against the whole path, and a path may match at most
# one pattern.
_LAYER = r"(.+/)?layer_\d+/"
MEGATRON_RULES = {
    # (dim, heads, head_dim): each device holds some heads.
    _LAYER + r"(self|cross)_attention/(query|key|value)/kernel": (3, 1),
    # (heads, head_dim, dim): the same heads, on the input side.
    _LAYER + r"(self|cross)_attention/output/kernel": (3, 0),
    # (dim, intermediate), then (intermediate, dim).
    _LAYER + r"intermediate/kernel": (2, 1),
    _LAYER + r"feedforward_output/kernel": (2, 0),
    # (vocabulary, dim) of a TokenAndPositionEmbedding, or of the plain
    # Embedding of a recurrent model ("embedding", "encoder_embedding",
    # "decoder/embedding").
    r"(.+/)?token_embedding/embeddings": (2, 1),
    r"((.+/)?embedding|encoder_embedding)/embeddings": (2, 1),
}


def _builders():
    from keras_seq import applications

    return {
        name: getattr(applications, name)
        for name in applications.__all__
        if isinstance(getattr(applications, name), type)
        and issubclass(getattr(applications, name), keras.Model)
    }


def _snake_case(name):
    return "".join(
        ("_" + character.lower()) if character.isupper() and index else character
        for index, character in enumerate(name)
    ).lower()


def resolve_builder(model):
    """The application class of `model`: a builder, its name, or an instance.

    Names are the class's (`"TextClassifier"`) or the command line's
    (`"text_classifier"`).
    """
    builders = _builders()
    if isinstance(model, str):
        wanted = model.replace("-", "_").lower()
        for name, builder in builders.items():
            if wanted in (name.lower(), _snake_case(name)):
                return builder
    else:
        cls = model if isinstance(model, type) else type(model)
        for builder in builders.values():
            if issubclass(cls, builder):
                return builder
    raise ValueError(
        "`model` must be an application of keras_seq.applications (the "
        "builder, its name or a model it built): one of "
        f"{', '.join(sorted(builders))}. Received: model={model!r}"
    )


def layout_map(model, device_mesh, model_axis="model"):
    """The Megatron layout of an application's weights over `device_mesh`.

    Pass it to `keras.distribution.ModelParallel` and build (or load) the
    model inside that distribution's scope: each weight is created split
    as the layout says. The mesh's other axis (the first, by Keras'
    convention) splits the batch.

    Args:
        model: the application: its builder (`TextClassifier`), the
            builder's name (`"TextClassifier"` or `"text_classifier"`), or
            a model it built.
        device_mesh: a `keras.distribution.DeviceMesh`, e.g. of shape
            `(2, 4)` with axes `("batch", "model")`.
        model_axis: the mesh axis the weights are split along. Its size
            must divide the number of heads, the intermediate size and
            the hidden size.

    Returns:
        A `keras.distribution.LayoutMap`.

    Example:

        mesh = keras.distribution.DeviceMesh(
            (2, 4), ("batch", "model"), keras.distribution.list_devices()
        )
        layouts = keras_seq.distribution.layout_map("TextClassifier", mesh)
        with keras.distribution.ModelParallel(layout_map=layouts).scope():
            model = TextClassifier(vocabulary_size=8000, max_length=64, classes=2)

    >>> mesh = keras.distribution.DeviceMesh((1,), ("model",), ["cpu:0"])
    >>> layouts = layout_map("TextClassifier", mesh)
    >>> layouts["encoder/layer_0/self_attention/query/kernel"].axes
    (None, 'model', None)
    >>> layouts["encoder/layer_0/feedforward_output/kernel"].axes
    ('model', None)
    >>> print(layouts["classifier/kernel"])  # not in the map: replicated
    None
    """
    resolve_builder(model)
    if not isinstance(device_mesh, keras.distribution.DeviceMesh):
        raise ValueError(
            "`device_mesh` must be a keras.distribution.DeviceMesh. Received: "
            f"device_mesh of type {type(device_mesh).__name__}"
        )
    if model_axis not in device_mesh.axis_names:
        raise ValueError(
            f"`model_axis` must be an axis of the mesh, one of "
            f"{list(device_mesh.axis_names)}. Received: model_axis={model_axis!r}"
        )
    layouts = keras.distribution.LayoutMap(device_mesh)
    for pattern, (rank, axis) in MEGATRON_RULES.items():
        axes = [None] * rank
        axes[axis] = model_axis
        layouts[pattern] = tuple(axes)
    return layouts
