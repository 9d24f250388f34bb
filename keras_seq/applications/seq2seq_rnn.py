import keras

from keras_seq.applications.weights import load_weights
from keras_seq.models.generative import GenerativeTask
from keras_seq.models.recurrent_stacks import RECURRENT_CELLS
from keras_seq.models.recurrent_stacks import RecurrentDecoderStack
from keras_seq.models.recurrent_stacks import RecurrentStack
from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate
from keras_seq.utils.validation import check_token_ids


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

    Args:
        source_vocabulary_size, target_vocabulary_size: numbers of token
            ids, padding id 0 included.
        max_length: default length of `generate` (recurrent layers embed no
            positions, so sequences may be longer).
        cell: `"lstm"`, `"gru"` or `"simple_rnn"`.
        num_layers: number of encoder layers, and of decoder layers.
        hidden_dim: size of the embeddings and states.
        dropout: dropout rate of each recurrent layer's inputs.
        weights: None, a registered name, or a `.weights.h5` path to load.
        name: name of the model.

    Example:

    >>> model = Seq2SeqRNN(30, 20, max_length=10, cell="gru", hidden_dim=16)
    >>> model.compile()
    >>> source = np.random.randint(1, 30, size=(8, 10))
    >>> target = np.random.randint(3, 20, size=(8, 9))
    >>> decoder_inputs = np.concatenate([np.ones((8, 1), "int32"), target], 1)
    >>> model.fit({"source_ids": source, "target_ids": decoder_inputs[:, :-1]},
    ...           target, epochs=1)
    >>> model.generate(source, start_token_id=1, end_token_id=2).shape
    (8, 10)
    """

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
        name=None,
        **kwargs,
    ):
        check_positive_int("source_vocabulary_size", source_vocabulary_size)
        check_positive_int("target_vocabulary_size", target_vocabulary_size)
        check_positive_int("max_length", max_length)
        check_choice("cell", cell, tuple(RECURRENT_CELLS))
        check_positive_int("num_layers", num_layers)
        check_positive_int("hidden_dim", hidden_dim)
        check_rate("dropout", dropout)
        encoder_stack = RecurrentStack(
            cell,
            source_vocabulary_size,
            num_layers,
            hidden_dim,
            dropout,
            name="encoder",
        )
        decoder_stack = RecurrentDecoderStack(
            cell, target_vocabulary_size, num_layers, hidden_dim, dropout
        )
        # Named list inputs: the model takes a list, or a dict by name.
        source_ids = keras.Input(shape=(None,), dtype="int32", name="source_ids")
        target_ids = keras.Input(shape=(None,), dtype="int32", name="target_ids")
        _, encoder_state = encoder_stack(source_ids)
        super().__init__(
            [source_ids, target_ids],
            decoder_stack(target_ids, encoder_state),
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
            name=name,
            **kwargs,
        )
        self.encoder_stack = encoder_stack
        load_weights(self, weights)

    def generate(
        self,
        source_ids,
        max_length=None,
        sampler="greedy",
        *,
        start_token_id,
        end_token_id=None,
    ):
        """Translates each source sequence; the encoder runs once.

        Args:
            source_ids: `(batch, source_time)` int ids, right-padded with 0.
            max_length: length of the returned sequences, at least 2
                (default: the model's `max_length`).
            sampler: `"greedy"`, `"top_k"`, `"top_p"`, `"beam"` or a
                `keras_hub.samplers.Sampler`.
            start_token_id: the id every target sequence starts with.
            end_token_id: id that ends a sequence; the tokens after it are 0.

        Returns:
            `(batch, max_length)` int32 NumPy target ids, each row
            `start_token_id` and then the generated tokens.
        """
        vocabulary_size = self.init_config["source_vocabulary_size"]
        source = check_token_ids(
            "source_ids", source_ids, vocabulary_size, right_padded=True
        )
        prompt = self._start_prompt(len(source), start_token_id)

        def encode():
            return {"state": self.encoder_stack(source)[1]}

        return self._generate(prompt, max_length, sampler, end_token_id, encode)
