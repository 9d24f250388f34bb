"""Stacks of Keras recurrent layers, and decoding that carries their states.

Like the transformer stacks, these are plain objects that own Keras
layers: the same layers build a task model's functional graph and run
its generation.
"""

import keras
from keras import ops

RECURRENT_CELLS = {
    "simple_rnn": keras.layers.SimpleRNN,
    "lstm": keras.layers.LSTM,
    "gru": keras.layers.GRU,
}


class RecurrentStack:
    """Token embedding and `num_layers` stacked recurrent layers.

    The states of all layers travel as one tensor
    `(batch, num_layers, num_states, hidden_dim)` (`num_states` is 2 for an
    LSTM, `h` and `c`, else 1), so a sampler can carry (and beam search
    reorder) them.

    Args:
        cell: `"lstm"`, `"gru"` or `"simple_rnn"`.
        vocabulary_size: number of token ids; id 0 is padding and masked.
        num_layers, hidden_dim: sizes of the stack.
        dropout: dropout rate of each layer's inputs.
        name: prefix of the layer names.

    Example:

    >>> stack = RecurrentStack("lstm", 20, 2, 16, 0.0)
    >>> sequence, state = stack(np.array([[3, 4, 0]]))
    >>> sequence.shape, state.shape
    ((1, 3, 16), (1, 2, 2, 16))
    """

    def __init__(
        self, cell, vocabulary_size, num_layers, hidden_dim, dropout, name="rnn"
    ):
        self.embedding = keras.layers.Embedding(
            vocabulary_size, hidden_dim, mask_zero=True, name=f"{name}_embedding"
        )
        self.layers = [
            RECURRENT_CELLS[cell](
                hidden_dim,
                dropout=dropout,
                return_sequences=True,
                return_state=True,
                name=f"{name}_{cell}_{index}",
            )
            for index in range(num_layers)
        ]
        self.num_states = 2 if cell == "lstm" else 1
        self.hidden_dim = hidden_dim

    def __call__(self, token_ids, state=None):
        """Runs the stack from `state` (None: zeros).

        Returns:
            `(sequence, state)`: the last layer's `(batch, time, hidden_dim)`
            outputs, and the final states of every layer, stacked. With a
            padding mask, a row's final state is the one at its last real
            token.
        """
        x = self.embedding(token_ids)
        final_states = []
        for depth, layer in enumerate(self.layers):
            initial_state = None
            if state is not None:
                initial_state = [
                    state[:, depth, index] for index in range(self.num_states)
                ]
            x, *layer_states = layer(x, initial_state=initial_state)
            final_states.append(ops.stack(layer_states, axis=1))
        return x, ops.stack(final_states, axis=1)

    def zero_state(self, batch_size):
        shape = (batch_size, len(self.layers), self.num_states, self.hidden_dim)
        return ops.zeros(shape, dtype=self.layers[0].compute_dtype)


class RecurrentDecoderStack:
    """A `RecurrentStack` and a logits head; generation carries the states.

    `prefill` runs the prompt once to get the states, and each `step`
    advances them by one token: the prefix is never re-run.

    Args:
        cell, vocabulary_size, num_layers, hidden_dim, dropout, name: as in
            `RecurrentStack`.

    Example:

    >>> decoder = RecurrentDecoderStack("gru", 20, 2, 16, 0.0)
    >>> decoder(np.array([[3, 4, 0]])).shape
    (1, 3, 20)
    """

    # Recurrent models embed no positions: any length can be generated.
    max_length = None

    def __init__(
        self, cell, vocabulary_size, num_layers, hidden_dim, dropout, name="decoder"
    ):
        self.vocabulary_size = vocabulary_size
        self.recurrent = RecurrentStack(
            cell, vocabulary_size, num_layers, hidden_dim, dropout, name=name
        )
        self.head = keras.layers.Dense(vocabulary_size, name="logits")

    def __call__(self, token_ids, state=None):
        """Returns `(batch, time, vocabulary_size)` logits of every position."""
        sequence, _ = self.recurrent(token_ids, state)
        return self.head(sequence)

    def prefill(self, prefix_ids, batch_size, max_length, context):
        """Returns the states after reading `prefix_ids` (None: nothing read yet).

        `context` may hold the initial `state` (an encoder's final states).
        """
        state = context.get("state")
        if state is None:
            state = self.recurrent.zero_state(batch_size)
        if prefix_ids is not None:
            _, state = self.recurrent(prefix_ids, state)
        return state

    def step(self, token_ids, state, index):
        """Reads `token_ids`; returns the next `(batch, vocabulary_size)` logits
        and the states. `index` is unused: the states know the position."""
        sequence, state = self.recurrent(token_ids, state)
        return self.head(sequence[:, -1, :]), state
