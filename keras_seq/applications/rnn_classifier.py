import keras

from keras_seq.applications.from_data import FromData
from keras_seq.applications.model_parts import CELLS
from keras_seq.applications.model_parts import head
from keras_seq.applications.model_parts import sequence_inputs
from keras_seq.layers import RecurrentStack
from keras_seq.models.classifier_task import ClassifierTask
from keras_seq.presets.weights import load_weights
from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_head
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate


@keras.saving.register_keras_serializable(package="keras_seq")
class RNNClassifier(FromData, ClassifierTask):
    """A stack of Keras recurrent layers that classifies (or regresses) sequences.

    Inputs are either token ids `(batch, time)` (give `vocabulary_size`; id
    0 is padding, masked by the embedding) or numeric multivariate
    sequences `(batch, time, features)` (give `input_shape`; steps whose
    features all equal `mask_value` are padding). Sequences in a batch may
    differ in length: the recurrent layers skip padded steps, so the
    features are the state at each sequence's last real step.

    With `classes=1, classifier_activation=None` the model is a regressor
    (mean squared error by default). Compiled with defaults, it trains with
    Adam and the gradient norm clipped to 1.0.

    Args:
        classes: number of classes (outputs); ignored with `include_top=False`.
        cell: `"simple_rnn"`, `"lstm"` or `"gru"`.
        bidirectional: whether each layer also reads the sequence backwards
            (`keras.layers.Bidirectional`, features concatenated).
        vocabulary_size: number of token ids, padding included, for id inputs.
        input_shape: `(time, features)` of numeric inputs; `time` may be None.
        num_layers: number of stacked recurrent layers.
        hidden_dim: units of each recurrent layer (per direction); also the
            size of the token embedding.
        dropout: dropout rate after each recurrent layer.
        mask_value: numeric steps whose features all equal it are padding;
            None masks nothing.
        include_top: whether to end with the classification layer; without
            it the model returns `(batch, features)`.
        classifier_activation: activation of the top layer: `"softmax"`
            (probabilities), None (logits, or a regression output with
            `classes=1`), `"sigmoid"`.
        weights: None, a registered pretrained name, or a `.weights.h5` path.
        preprocessor: None (model inputs), or the `keras_seq.preprocessing`
            preprocessor of raw inputs, saved with the model.
        name: name of the model.
        dtype: dtype policy of every layer (e.g. `"mixed_bfloat16"`); None
            takes the global policy. Variables stay float32 under mixed
            policies, and the classifier's activation computes in float32.

    Example:

    >>> model = RNNClassifier(classes=3, cell="gru", vocabulary_size=100)
    >>> model.compile()
    >>> model.predict(np.array([[5, 9, 2, 0]]), verbose=0).shape
    (1, 3)
    >>> regressor = RNNClassifier(
    ...     classes=1, classifier_activation=None, input_shape=(None, 2)
    ... )
    """

    recurrent = True

    def __init__(
        self,
        classes,
        cell="lstm",
        bidirectional=False,
        vocabulary_size=None,
        input_shape=None,
        num_layers=1,
        hidden_dim=64,
        dropout=0.0,
        mask_value=0.0,
        include_top=True,
        classifier_activation="softmax",
        weights=None,
        preprocessor=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        check_choice("cell", cell, CELLS)
        check_positive_int("num_layers", num_layers)
        check_positive_int("hidden_dim", hidden_dim)
        check_rate("dropout", dropout)
        check_head(classes, include_top, classifier_activation)
        inputs, x = sequence_inputs(
            vocabulary_size, input_shape, mask_value, dtype=dtype
        )
        if vocabulary_size is not None:
            x = keras.layers.Embedding(
                vocabulary_size,
                hidden_dim,
                mask_zero=True,
                dtype=dtype,
                name="embedding",
            )(x)
        outputs = RecurrentStack(
            cell,
            num_layers,
            hidden_dim,
            dropout,
            bidirectional=bidirectional,
            return_sequences=False,
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
                "cell": cell,
                "bidirectional": bidirectional,
                "vocabulary_size": vocabulary_size,
                "input_shape": None if input_shape is None else tuple(input_shape),
                "num_layers": num_layers,
                "hidden_dim": hidden_dim,
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
