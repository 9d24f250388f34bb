import keras
import numpy as np

from keras_seq.applications.model_parts import CELLS
from keras_seq.applications.model_parts import head
from keras_seq.applications.model_parts import sequence_inputs
from keras_seq.layers import PositionalEmbedding
from keras_seq.layers import RecurrentStack
from keras_seq.layers import TokenAndPositionEmbedding
from keras_seq.layers import TransformerEncoderStack
from keras_seq.models.classifier_task import ClassifierTask
from keras_seq.presets.weights import load_weights
from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_head
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate
from keras_seq.utils.validation import check_transformer_sizes

BACKBONES = ("transformer", *CELLS)


@keras.saving.register_keras_serializable(package="keras_seq")
class SequenceTagger(ClassifierTask):
    """Predicts one label (or value) per time step of a sequence.

    Part-of-speech or named-entity tagging on token ids, per-step
    classification of numeric signals, or, with `classes=1,
    classifier_activation=None`, per-step regression and forecasting.
    Inputs are token ids `(batch, time)` (give `vocabulary_size`; id 0 is
    padding) or numeric sequences `(batch, time, features)` (give
    `input_shape`; steps whose features all equal `mask_value` are padding).
    The output `(batch, time, classes)` carries the padding mask, so the
    default loss and metrics ignore padded steps: labels there may be
    anything.

    The backbone is a pre-norm transformer stack or a stack of Keras
    recurrent layers. Either reads both ways with `bidirectional=True`
    (every step sees the whole sequence), or forward only (causal: step
    `t` sees no later step, as forecasting needs): the transformer then
    masks attention to later steps, the recurrent layers run one way.

    Args:
        classes: number of classes (outputs) per step; ignored with
            `include_top=False`.
        backbone: `"transformer"`, `"lstm"`, `"gru"` or `"simple_rnn"`.
        bidirectional: whether step `t` also sees the steps after it. None
            (the default) means True for `"transformer"` and False for the
            recurrent backbones.
        vocabulary_size: number of token ids, padding included, for id inputs.
        input_shape: `(time, features)` of numeric inputs; `time` may be None.
        max_length: the longest sequence (transformer only: the size of the
            learned position table); defaults to `input_shape[0]`.
        num_layers: number of transformer or recurrent layers.
        num_heads: attention heads per transformer layer; must divide
            `hidden_dim`.
        hidden_dim: size of each step's features (recurrent units per
            direction); also the embedding size.
        intermediate_dim: hidden size of each transformer feed-forward network.
        dropout: dropout rate inside the backbone.
        mask_value: numeric steps whose features all equal it are padding;
            None masks nothing.
        include_top: whether to end with the per-step classification
            layer; without it the model returns `(batch, time, features)`.
        classifier_activation: `"softmax"` (probabilities), None (logits, or
            a regression output with `classes=1`), `"sigmoid"`.
        weights: None, a registered pretrained name, or a `.weights.h5` path.
        preprocessor: None (model inputs), or the `keras_seq.preprocessing`
            preprocessor of raw inputs, saved with the model.
        name: name of the model.
        dtype: dtype policy of every layer (e.g. `"mixed_bfloat16"`); None
            takes the global policy. Variables stay float32 under mixed
            policies, and the classifier's activation computes in float32.

    Example:

    >>> tagger = SequenceTagger(classes=5, vocabulary_size=100, max_length=16)
    >>> tagger.compile()
    >>> tagger.predict(np.array([[4, 8, 15, 16, 0, 0]]), verbose=0).shape
    (1, 6, 5)
    >>> forecaster = SequenceTagger(
    ...     classes=1,
    ...     classifier_activation=None,
    ...     backbone="lstm",
    ...     input_shape=(None, 3),
    ... )
    """

    def __init__(
        self,
        classes,
        backbone="transformer",
        bidirectional=None,
        vocabulary_size=None,
        input_shape=None,
        max_length=None,
        num_layers=2,
        num_heads=2,
        hidden_dim=64,
        intermediate_dim=128,
        dropout=0.1,
        mask_value=0.0,
        include_top=True,
        classifier_activation="softmax",
        weights=None,
        preprocessor=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        check_choice("backbone", backbone, BACKBONES)
        transformer = backbone == "transformer"
        if bidirectional is None:
            bidirectional = transformer
        if transformer:
            check_transformer_sizes(num_layers, num_heads, hidden_dim, intermediate_dim)
        else:
            check_positive_int("num_layers", num_layers)
            check_positive_int("hidden_dim", hidden_dim)
        check_rate("dropout", dropout)
        check_head(classes, include_top, classifier_activation)
        inputs, x = sequence_inputs(
            vocabulary_size, input_shape, mask_value, dtype=dtype
        )
        if transformer:
            if max_length is None and input_shape is not None:
                max_length = input_shape[0]
            if max_length is None:
                raise ValueError(
                    "`max_length` is required with backbone='transformer' (the size "
                    "of its learned position table) unless `input_shape` fixes the "
                    f"length. Received: max_length=None, input_shape={input_shape!r}"
                )
            check_positive_int("max_length", max_length)
            if vocabulary_size is not None:
                x = TokenAndPositionEmbedding(
                    vocabulary_size,
                    max_length,
                    hidden_dim,
                    dtype=dtype,
                    name="embedding",
                )(x)
            else:
                x = keras.layers.Dense(hidden_dim, dtype=dtype, name="projection")(x)
                x = PositionalEmbedding(
                    max_length, dtype=dtype, name="position_embedding"
                )(x)
            x = keras.layers.Dropout(dropout, dtype=dtype, name="embedding_dropout")(x)
            outputs = TransformerEncoderStack(
                num_layers,
                num_heads,
                intermediate_dim,
                dropout,
                causal=not bidirectional,
                dtype=dtype,
                name="encoder",
            )(x)
        else:
            if vocabulary_size is not None:
                x = keras.layers.Embedding(
                    vocabulary_size,
                    hidden_dim,
                    mask_zero=True,
                    dtype=dtype,
                    name="embedding",
                )(x)
            outputs = RecurrentStack(
                backbone,
                num_layers,
                hidden_dim,
                dropout,
                bidirectional=bidirectional,
                dtype=dtype,
                name="rnn",
            )(x)
        outputs = head(
            outputs, include_top, classes, classifier_activation, dtype=dtype
        )
        super().__init__(
            inputs,
            outputs,
            init_config={
                "classes": classes,
                "backbone": backbone,
                "bidirectional": bidirectional,
                "vocabulary_size": vocabulary_size,
                "input_shape": None if input_shape is None else tuple(input_shape),
                "max_length": max_length,
                "num_layers": num_layers,
                "num_heads": num_heads,
                "hidden_dim": hidden_dim,
                "intermediate_dim": intermediate_dim,
                "dropout": dropout,
                "mask_value": mask_value,
                "include_top": include_top,
                "classifier_activation": classifier_activation,
            },
            preprocessor=preprocessor,
            name=name,
            dtype=dtype,
            **kwargs,
        )
        load_weights(self, weights)

    def _length_limits(self):
        if self.recurrent:
            return {}  # Recurrent layers read any length.
        return {self.inputs[0].name: ("max_length", self.init_config["max_length"])}

    @property
    def recurrent(self):
        return self.init_config["backbone"] != "transformer"

    def rescale_outputs(self, scale, shift=0.0):
        """Makes a regression output `z` into `z * scale + shift`, in the weights.

        A forecaster trained on standardized targets `(y - mean) / std`
        forecasts in the targets' own units after
        `rescale_outputs(std, mean)`: the last dense layer `z = h W + b`
        becomes `h (W * scale) + (b * scale + shift)`, so nothing is added
        to the model and a saved model keeps the new units.

        Args:
            scale: a float, or one per output.
            shift: a float, or one per output.
        """
        if (
            not self.init_config["include_top"]
            or self.init_config["classifier_activation"] is not None
        ):
            raise ValueError(
                "`rescale_outputs` applies to a regression output: a "
                "SequenceTagger with `include_top=True` and "
                "`classifier_activation=None`. Received: include_top="
                f"{self.init_config['include_top']}, classifier_activation="
                f"{self.init_config['classifier_activation']!r}"
            )
        layer = self.get_layer("classifier")
        kernel, bias = layer.get_weights()
        scale = np.asarray(scale, kernel.dtype)
        layer.set_weights(
            [kernel * scale, bias * scale + np.asarray(shift, bias.dtype)]
        )
