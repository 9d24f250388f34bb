"""Stacks of Keras recurrent layers, and decoding that carries their states.

Both stacks are Keras layers: they sit in a task model's functional graph,
serialize with it, honour its dtype policy and pass padding masks on. The
decoder stack also runs generation one token at a time, carrying the
states of its layers (`init_cache`, `prefill`, `call_with_cache`).
"""

import keras
from keras import ops

from keras_seq.backend.tensorflow.collective_keys import separate_collective_keys
from keras_seq.layers.masking import attached_mask
from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate

RECURRENT_CELLS = {
    "simple_rnn": keras.layers.SimpleRNN,
    "lstm": keras.layers.LSTM,
    "gru": keras.layers.GRU,
}


@keras.saving.register_keras_serializable(package="keras_seq")
class RecurrentStack(keras.layers.Layer):
    """`num_layers` stacked Keras recurrent layers, dropout after each.

    Reads `(batch, time, features)` sequences (embed token ids before it);
    padded steps (the mask attached to the input, or passed) are skipped:
    each layer carries its state through them. With
    `return_sequences=False` only the last layer drops the time axis, and
    its output is the one at each row's last real step.

    With `return_state=True` the call also returns the final states of all
    layers as one tensor `(batch, num_layers, num_states, hidden_dim)`
    (`num_states` is 2 for an LSTM, `h` and `c`, else 1), which is what
    `initial_state` takes: an encoder hands its states to a decoder, and a
    sampler carries (and beam search reorders) them.

    Args:
        cell: `"lstm"`, `"gru"` or `"simple_rnn"`.
        num_layers: number of recurrent layers.
        hidden_dim: units of each layer (of each direction).
        dropout: rate of the dropout after each layer.
        bidirectional: whether each layer also reads the sequence backwards
            (its outputs are the two directions concatenated). Takes no
            `initial_state` and returns no states.
        return_sequences: whether the last layer returns every step, or
            only the last.
        return_state: whether the call also returns the stacked states.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: `(batch, time, features)`.
        initial_state: `(batch, num_layers, num_states, hidden_dim)` states
            to start from (default: zeros).
        mask: `(batch, time)` booleans, True = real step (default: the
            mask attached to `inputs`).
        training: whether dropout is active.

    Example:

    >>> x = keras.layers.Embedding(20, 8, mask_zero=True)(np.array([[3, 4, 0]]))
    >>> stack = RecurrentStack("lstm", 2, 16, return_state=True)
    >>> sequence, state = stack(x)
    >>> tuple(sequence.shape), tuple(state.shape)
    ((1, 3, 16), (1, 2, 2, 16))
    """

    def __init__(
        self,
        cell,
        num_layers,
        hidden_dim,
        dropout=0.0,
        bidirectional=False,
        return_sequences=True,
        return_state=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_choice("cell", cell, tuple(RECURRENT_CELLS))
        num_layers = check_positive_int("num_layers", num_layers)
        hidden_dim = check_positive_int("hidden_dim", hidden_dim)
        dropout = check_rate("dropout", dropout)
        if bidirectional and return_state:
            raise ValueError(
                "A bidirectional `RecurrentStack` returns no states: pass "
                "`return_state=False`, or `bidirectional=False`. Received: "
                "bidirectional=True, return_state=True"
            )
        self.cell = cell
        self.num_layers = num_layers
        self.hidden_dim = hidden_dim
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.num_states = 2 if cell == "lstm" else 1
        self.recurrent_layers = [
            self._recurrent_layer(index) for index in range(num_layers)
        ]
        self.dropout_layers = [
            keras.layers.Dropout(
                dropout, dtype=self.dtype_policy, name=f"dropout_{index}"
            )
            for index in range(num_layers if dropout else 0)
        ]
        self.supports_masking = True

    def _recurrent_layer(self, index):
        layer = RECURRENT_CELLS[self.cell](
            self.hidden_dim,
            return_sequences=self.return_sequences or index < self.num_layers - 1,
            return_state=self.return_state,
            dtype=self.dtype_policy,
            name=f"{self.cell}_{index}",
        )
        if self.bidirectional:
            layer = keras.layers.Bidirectional(
                layer, dtype=self.dtype_policy, name=f"bidirectional_{index}"
            )
        return layer

    def build(self, inputs_shape, initial_state_shape=None):
        separate_collective_keys()
        shape = tuple(inputs_shape)
        width = self.hidden_dim * (2 if self.bidirectional else 1)
        for index, layer in enumerate(self.recurrent_layers):
            layer.build(shape)
            shape = shape[:-1] + (width,)
            if self.dropout_layers:
                self.dropout_layers[index].build(shape)

    def call(self, inputs, initial_state=None, mask=None, training=None):
        if initial_state is not None and self.bidirectional:
            raise ValueError(
                "A bidirectional `RecurrentStack` takes no `initial_state`: "
                "pass None. Received: initial_state of shape "
                f"{tuple(initial_state.shape)}"
            )
        if mask is None:
            mask = attached_mask(inputs)
        x, states = inputs, []
        for index, layer in enumerate(self.recurrent_layers):
            layer_state = None
            if initial_state is not None:
                layer_state = [
                    initial_state[:, index, state] for state in range(self.num_states)
                ]
            x = layer(x, mask=mask, initial_state=layer_state, training=training)
            if self.return_state:
                x, *layer_states = x
                states.append(ops.stack(layer_states, axis=1))
            if self.dropout_layers:
                x = self.dropout_layers[index](x, training=training)
        if self.return_state:
            return x, ops.stack(states, axis=1)
        return x

    def zero_state(self, batch_size):
        """Zeros of the shape of `initial_state`, in the compute dtype."""
        shape = (batch_size, self.num_layers, self.num_states, self.hidden_dim)
        return ops.zeros(shape, dtype=self.compute_dtype)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            mask = attached_mask(inputs)
        outputs_mask = mask if self.return_sequences else None
        return [outputs_mask, None] if self.return_state else outputs_mask

    def compute_output_shape(self, inputs_shape, initial_state_shape=None):
        width = self.hidden_dim * (2 if self.bidirectional else 1)
        batch, time = inputs_shape[0], inputs_shape[1]
        shape = (batch, time, width) if self.return_sequences else (batch, width)
        if not self.return_state:
            return shape
        return shape, (batch, self.num_layers, self.num_states, self.hidden_dim)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "cell": self.cell,
                "num_layers": self.num_layers,
                "hidden_dim": self.hidden_dim,
                "dropout": self.dropout,
                "bidirectional": self.bidirectional,
                "return_sequences": self.return_sequences,
                "return_state": self.return_state,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="keras_seq")
class RecurrentDecoderStack(keras.layers.Layer):
    """Token embedding, a `RecurrentStack` and a logits head.

    Called on token ids (optionally from `initial_state`, an encoder's
    final states) it returns float32 logits `(batch, time,
    vocabulary_size)` whatever the dtype policy, with the padding mask of
    the ids. For generation the cache is the stacked states: `prefill`
    reads the prompt once, and each `call_with_cache` advances the states
    by one token, so the prefix is never re-run.

    Args:
        cell: `"lstm"`, `"gru"` or `"simple_rnn"`.
        vocabulary_size: number of token ids; id 0 is padding and masked.
        num_layers, hidden_dim: sizes of the stack.
        dropout: rate of the dropout after each recurrent layer.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Call arguments:
        token_ids: `(batch, time)` int ids, 0 = padding.
        initial_state: `(batch, num_layers, num_states, hidden_dim)`.
        training: whether dropout is active.

    Example:

    >>> decoder = RecurrentDecoderStack("gru", 20, 2, 16)
    >>> tuple(decoder(np.array([[3, 4, 0]])).shape)
    (1, 3, 20)
    """

    # Recurrent models embed no positions: any length can be generated.
    max_length = None

    def __init__(
        self, cell, vocabulary_size, num_layers, hidden_dim, dropout=0.0, **kwargs
    ):
        super().__init__(**kwargs)
        vocabulary_size = check_positive_int("vocabulary_size", vocabulary_size)
        self.cell = cell
        self.vocabulary_size = vocabulary_size
        self.num_layers = num_layers
        self.hidden_dim = hidden_dim
        self.dropout = dropout
        self.recurrent = RecurrentStack(
            cell,
            num_layers,
            hidden_dim,
            dropout,
            return_state=True,
            dtype=self.dtype_policy,
            name="recurrent",
        )
        self.embedding = keras.layers.Embedding(
            vocabulary_size,
            hidden_dim,
            mask_zero=True,
            dtype=self.dtype_policy,
            name="embedding",
        )
        self.head = keras.layers.Dense(
            vocabulary_size, dtype=self.dtype_policy, name="logits"
        )
        self.supports_masking = True

    def build(self, token_ids_shape, initial_state_shape=None):
        self.embedding.build(token_ids_shape)
        hidden_shape = tuple(token_ids_shape) + (self.hidden_dim,)
        self.recurrent.build(hidden_shape)
        self.head.build(hidden_shape)

    def call(self, token_ids, initial_state=None, training=None):
        x = self.embedding(token_ids)
        sequence, _ = self.recurrent(
            x,
            initial_state=initial_state,
            mask=ops.not_equal(token_ids, 0),
            training=training,
        )
        return self._logits(sequence)

    def _logits(self, x):
        # The head runs in the compute dtype; the logits leave in float32.
        return ops.cast(self.head(x), "float32")

    def init_cache(self, batch_size, max_length, context=None):
        """Returns the states generation starts from.

        Args:
            batch_size: number of sequences.
            max_length: unused: the states do not grow.
            context: for an encoder-decoder model, a dict whose `state` is
                the encoder's final states (default: zeros).
        """
        state = (context or {}).get("state")
        return self.recurrent.zero_state(batch_size) if state is None else state

    def prefill(self, prompt_ids, length, state):
        """Returns the states after reading the first `length` tokens of `prompt_ids`.

        Args:
            prompt_ids: `(batch, prompt_time)` ids.
            length: how many leading tokens to read (a scalar int tensor).
            state: from `init_cache`.
        """

        def read():
            positions = ops.arange(ops.shape(prompt_ids)[1])
            mask = ops.broadcast_to(positions < length, ops.shape(prompt_ids))
            x = self.embedding(prompt_ids)
            return self.recurrent(x, initial_state=state, mask=mask)[1]

        # Nothing to read skips the pass: a fully masked row is not valid
        # input to every backend's cuDNN kernel.
        return ops.cond(length > 0, read, lambda: state)

    def call_with_cache(self, token_ids, state, index):
        """Reads `token_ids`; `index` is unused: the states know the position.

        Returns:
            `(logits, state)`: the float32 `(batch, vocabulary_size)` logits
            after the last token read, and the updated states.
        """
        sequence, state = self.recurrent(self.embedding(token_ids), initial_state=state)
        return self._logits(sequence[:, -1, :]), state

    def compute_mask(self, token_ids, mask=None):
        return ops.not_equal(token_ids, 0)

    def compute_output_shape(self, token_ids_shape, initial_state_shape=None):
        return tuple(token_ids_shape) + (self.vocabulary_size,)

    def compute_output_spec(self, token_ids, initial_state=None, **kwargs):
        shape = self.compute_output_shape(token_ids.shape)
        return keras.KerasTensor(shape, dtype="float32")

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "cell": self.cell,
                "vocabulary_size": self.vocabulary_size,
                "num_layers": self.num_layers,
                "hidden_dim": self.hidden_dim,
                "dropout": self.dropout,
            }
        )
        return config
