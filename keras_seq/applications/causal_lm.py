import keras

from keras_seq.layers.recurrent_stacks import RECURRENT_CELLS
from keras_seq.layers.recurrent_stacks import RecurrentDecoderStack
from keras_seq.layers.transformer_stacks import TransformerDecoderStack
from keras_seq.models.generative import GenerativeTask
from keras_seq.presets.weights import load_weights
from keras_seq.utils.validation import check_choice
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate
from keras_seq.utils.validation import check_transformer_sizes
from keras_seq.utils.validation import check_vocabulary_size

BACKBONES = ("transformer", *RECURRENT_CELLS)
PADDING_IDS = (0, -1)


@keras.saving.register_keras_serializable(package="keras_seq")
class CausalLM(GenerativeTask):
    """A language model that predicts each token from the tokens before it.

    Called on token ids `(batch, time)` (0 = padding, on the right) it
    returns logits `(batch, time, vocabulary_size)`: position `t` scores
    the token at `t + 1`. Train it on `(ids[:, :-1], ids[:, 1:])`.

    The `"transformer"` backbone is a decoder-only stack (GPT-style,
    pre-norm, learned positions); `generate` then decodes with a key/value
    cache. The recurrent backbones (`"lstm"`, `"gru"`, `"simple_rnn"`) embed
    the ids and stack recurrent layers; `generate` carries their states
    forward one token at a time.

    `generate(prompt_ids, max_length=None, sampler=None,
    end_token_id=None)` continues each prompt (see
    `GenerativeTask.generate`): `prompt_ids` are `(batch, prompt_time)` int
    ids, right-padded with 0; prompts may differ in length, each has at
    least one token. It returns `(batch, max_length)` int32 NumPy ids, each
    row its prompt and then the generated tokens. It samples: by default
    (`default_sampler`, or `compile(sampler=...)`) among the 5 likeliest
    tokens at temperature 0.8, as KerasHub's causal LMs sample with top-k;
    a language model decoded greedily soon repeats itself. Pass
    `sampler="greedy"` (or `"beam"`) for the one likeliest continuation.

    Args:
        vocabulary_size: number of token ids, padding id 0 included.
        max_length: the longest sequence: the learned positions of the
            transformer, and the default length of `generate`.
        backbone: `"transformer"`, `"lstm"`, `"gru"` or `"simple_rnn"`.
        num_layers: number of decoder (or recurrent) layers.
        num_heads: attention heads (transformer only).
        hidden_dim: size of the embeddings and hidden states.
        intermediate_dim: feed-forward size (transformer only).
        dropout: dropout rate.
        activation: of the feed-forward networks (transformer only):
            `"gelu"` (exact) or `"gelu_approximate"` (tanh, GPT-2's).
        layer_norm_epsilon: of every layer normalization (transformer only).
        tie_embeddings: whether the logits reuse the token embedding table
            (GPT-2's tied head; transformer only).
        padding_id: the id that pads: 0 (ids 1 to `vocabulary_size - 1`
            are tokens), or -1, where every id in `[0, vocabulary_size)`
            is a token (a converted GPT-2's own ids, `<|endoftext|>`
            included): the model reads each id plus one, its embedding
            row 0 pads, and it returns `vocabulary_size` logits. `fit`'s
            targets, `generate`'s prompts and its output are padded with
            -1 then.
        weights: None, a registered name, or a `.weights.h5` path to load.
        preprocessor: None (model inputs), or the `keras_seq.preprocessing`
            preprocessor of raw inputs, saved with the model.
        name: name of the model.
        dtype: dtype policy of every layer, e.g. `"mixed_bfloat16"`
            (default: the global policy); the logits are float32 always.

    Example:

    >>> model = CausalLM(vocabulary_size=20, max_length=12, hidden_dim=16)
    >>> model.compile()
    >>> ids = np.random.randint(1, 20, size=(8, 12))
    >>> _ = model.fit(ids[:, :-1], ids[:, 1:], epochs=1, verbose=0)
    >>> model.generate(np.array([[3, 7, 0], [5, 0, 0]]), max_length=8).shape
    (2, 8)
    """

    # Sampling, not greedy: see `keras_seq.generation.SAMPLER_SETTINGS`.
    default_sampler = "top_k"

    def __init__(
        self,
        vocabulary_size,
        max_length,
        backbone="transformer",
        num_layers=2,
        num_heads=2,
        hidden_dim=64,
        intermediate_dim=128,
        dropout=0.0,
        activation="gelu",
        layer_norm_epsilon=1e-5,
        tie_embeddings=False,
        padding_id=0,
        weights=None,
        preprocessor=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        check_vocabulary_size("vocabulary_size", vocabulary_size)
        check_positive_int("max_length", max_length)
        check_choice("backbone", backbone, BACKBONES)
        check_rate("dropout", dropout)
        if type(padding_id) is not int or padding_id not in PADDING_IDS:
            raise ValueError(
                f"`padding_id` must be one of {PADDING_IDS}. Received: "
                f"padding_id={padding_id!r}"
            )
        # The stack's ids: its id 0 pads (see `padding_id`).
        offset = -padding_id
        if backbone == "transformer":
            check_transformer_sizes(num_layers, num_heads, hidden_dim, intermediate_dim)
            decoder_stack = TransformerDecoderStack(
                vocabulary_size + offset,
                max_length,
                num_layers,
                num_heads,
                hidden_dim,
                intermediate_dim,
                dropout,
                activation=activation,
                layer_norm_epsilon=layer_norm_epsilon,
                tie_embeddings=tie_embeddings,
                dtype=dtype,
                name="decoder",
            )
        else:
            check_positive_int("num_layers", num_layers)
            check_positive_int("hidden_dim", hidden_dim)
            decoder_stack = RecurrentDecoderStack(
                backbone,
                vocabulary_size + offset,
                num_layers,
                hidden_dim,
                dropout,
                dtype=dtype,
                name="decoder",
            )
        token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        if offset:
            logits = decoder_stack(keras.ops.add(token_ids, offset))[..., offset:]
        else:
            logits = decoder_stack(token_ids)
        super().__init__(
            token_ids,
            logits,
            init_config={
                "vocabulary_size": vocabulary_size,
                "max_length": max_length,
                "backbone": backbone,
                "num_layers": num_layers,
                "num_heads": num_heads,
                "hidden_dim": hidden_dim,
                "intermediate_dim": intermediate_dim,
                "dropout": dropout,
                "activation": activation,
                "layer_norm_epsilon": layer_norm_epsilon,
                "tie_embeddings": tie_embeddings,
                "padding_id": padding_id,
            },
            decoder_stack=decoder_stack,
            max_length=max_length,
            preprocessor=preprocessor,
            name=name,
            dtype=dtype,
            **kwargs,
        )
        load_weights(self, weights)

    def _length_limits(self):
        if self.init_config["backbone"] != "transformer":
            return {}  # Recurrent layers read any length.
        return {"token_ids": ("max_length", self.init_config["max_length"])}
