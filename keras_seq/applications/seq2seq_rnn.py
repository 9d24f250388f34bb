import keras

from keras_seq.layers.recurrent_stacks import RECURRENT_CELLS
from keras_seq.layers.recurrent_stacks import RecurrentDecoderStack
from keras_seq.layers.recurrent_stacks import RecurrentStack
from keras_seq.models.generative import GenerativeTask
from keras_seq.models.input_checks import check_rectangular
from keras_seq.presets.weights import load_weights
from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate
from keras_seq.utils.validation import check_token_ids
from keras_seq.utils.validation import check_vocabulary_size


@keras.saving.register_keras_serializable(package="keras_seq")
class Seq2SeqRNN(GenerativeTask):
    """A recurrent encoder-decoder (Sutskever et al., 2014).

    A stack of recurrent layers reads `source_ids`; the final states of its
    layers start the layers of the decoder stack, which reads `target_ids`
    (the target shifted right: a start token, then the target without its
    last token). The model returns logits
    `(batch, target_time, target_vocabulary_size)` of the next target token.
    `generate` runs the encoder once, then carries the decoder states
    forward one token at a time.

    `generate(source_ids, max_length=None, sampler=None, *,
    start_token_id, end_token_id=None)` translates (see
    `GenerativeTask.generate`): `source_ids` are `(batch, source_time)` int
    ids, right-padded with 0; it returns `(batch, max_length)` int32 NumPy
    target ids, each row `start_token_id` and then the generated tokens.

    Args:
        source_vocabulary_size, target_vocabulary_size: numbers of token
            ids, padding id 0 included.
        max_length: default length of `generate` (recurrent layers embed no
            positions, so sequences may be longer).
        cell: `"lstm"`, `"gru"` or `"simple_rnn"`.
        num_layers: number of encoder layers, and of decoder layers.
        hidden_dim: size of the embeddings and states.
        dropout: rate of the dropout after each recurrent layer.
        weights: None, a registered name, or a `.weights.h5` path to load.
        preprocessor: None (model inputs), or the `keras_seq.preprocessing`
            preprocessor of raw inputs, saved with the model.
        name: name of the model.
        dtype: dtype policy of every layer, e.g. `"mixed_bfloat16"`
            (default: the global policy); the logits are float32 always.

    Example:

    >>> model = Seq2SeqRNN(30, 20, max_length=10, cell="gru", hidden_dim=16)
    >>> model.compile()
    >>> source = np.random.randint(1, 30, size=(8, 10))
    >>> target = np.random.randint(3, 20, size=(8, 9))
    >>> decoder_inputs = np.concatenate([np.ones((8, 1), "int32"), target], 1)
    >>> _ = model.fit({"source_ids": source, "target_ids": decoder_inputs[:, :-1]},
    ...               target, epochs=1, verbose=0)
    >>> model.generate(source, start_token_id=1, end_token_id=2).shape
    (8, 10)
    """

    encoder_decoder = True

    def __init__(
        self,
        source_vocabulary_size,
        target_vocabulary_size,
        max_length,
        cell="lstm",
        num_layers=2,
        hidden_dim=64,
        dropout=0.0,
        weights=None,
        preprocessor=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        check_vocabulary_size("source_vocabulary_size", source_vocabulary_size)
        check_vocabulary_size("target_vocabulary_size", target_vocabulary_size)
        check_positive_int("max_length", max_length)
        check_choice("cell", cell, tuple(RECURRENT_CELLS))
        check_positive_int("num_layers", num_layers)
        check_positive_int("hidden_dim", hidden_dim)
        check_rate("dropout", dropout)
        source_embedding = keras.layers.Embedding(
            source_vocabulary_size,
            hidden_dim,
            mask_zero=True,
            dtype=dtype,
            name="encoder_embedding",
        )
        encoder_stack = RecurrentStack(
            cell,
            num_layers,
            hidden_dim,
            dropout,
            return_sequences=False,
            return_state=True,
            dtype=dtype,
            name="encoder",
        )
        decoder_stack = RecurrentDecoderStack(
            cell,
            target_vocabulary_size,
            num_layers,
            hidden_dim,
            dropout,
            dtype=dtype,
            name="decoder",
        )
        # Named list inputs: the model takes a list, or a dict by name.
        source_ids = keras.Input(shape=(None,), dtype="int32", name="source_ids")
        target_ids = keras.Input(shape=(None,), dtype="int32", name="target_ids")
        _, encoder_state = encoder_stack(source_embedding(source_ids))
        super().__init__(
            [source_ids, target_ids],
            decoder_stack(target_ids, initial_state=encoder_state),
            init_config={
                "source_vocabulary_size": source_vocabulary_size,
                "target_vocabulary_size": target_vocabulary_size,
                "max_length": max_length,
                "cell": cell,
                "num_layers": num_layers,
                "hidden_dim": hidden_dim,
                "dropout": dropout,
            },
            decoder_stack=decoder_stack,
            max_length=max_length,
            preprocessor=preprocessor,
            name=name,
            dtype=dtype,
            **kwargs,
        )
        self.source_embedding = source_embedding
        self.encoder_stack = encoder_stack
        load_weights(self, weights)

    def _check_source(self, inputs):
        vocabulary_size = self.init_config["source_vocabulary_size"]
        check_rectangular("source_ids", inputs)
        source = check_token_ids(
            "source_ids", inputs, vocabulary_size, right_padded=True
        )
        return {"source_ids": source.astype("int32")}

    def _encode(self, source):
        embedded = self.source_embedding(source["source_ids"])
        return {"state": self.encoder_stack(embedded)[1]}
