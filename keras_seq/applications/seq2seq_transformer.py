import keras
from keras import ops

from keras_seq.layers import TokenAndPositionEmbedding
from keras_seq.layers.transformer_stacks import TransformerDecoderStack
from keras_seq.layers.transformer_stacks import TransformerEncoderStack
from keras_seq.models.generative import GenerativeTask
from keras_seq.models.input_checks import check_rectangular
from keras_seq.presets.weights import load_weights
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_rate
from keras_seq.utils.validation import check_token_ids
from keras_seq.utils.validation import check_transformer_sizes
from keras_seq.utils.validation import check_vocabulary_size


@keras.saving.register_keras_serializable(package="keras_seq")
class Seq2SeqTransformer(GenerativeTask):
    """An encoder-decoder transformer that maps one token sequence to another.

    The encoder reads `source_ids`; the decoder reads `target_ids` (the
    target shifted right: a start token, then the target without its last
    token) and attends to the encoder outputs. The model returns logits
    `(batch, target_time, target_vocabulary_size)` of the next target token.
    `generate` translates: the encoder runs once, then the decoder emits
    one token at a time with a key/value cache. All layers are pre-norm.

    `generate(source_ids, max_length=None, sampler=None, *,
    start_token_id, end_token_id=None)` translates (see
    `GenerativeTask.generate`): `source_ids` are `(batch, source_time)` int
    ids, right-padded with 0, `source_time <= max_length`; it returns
    `(batch, max_length)` int32 NumPy target ids (default and most:
    `target_max_length`), each row `start_token_id` and then the generated
    tokens.

    Args:
        source_vocabulary_size, target_vocabulary_size: numbers of token
            ids, padding id 0 included.
        max_length: the longest source sequence (its learned positions).
        target_max_length: the longest target sequence, also the default
            length of `generate` (default: `max_length`).
        num_layers: number of encoder layers, and of decoder layers.
        num_heads, hidden_dim, intermediate_dim, dropout: sizes of both.
        weights: None, a registered name, or a `.weights.h5` path to load.
        preprocessor: None (model inputs), or the `keras_seq.preprocessing`
            preprocessor of raw inputs, saved with the model.
        name: name of the model.
        dtype: dtype policy of every layer, e.g. `"mixed_bfloat16"`
            (default: the global policy); the logits are float32 always.

    Example:

    >>> model = Seq2SeqTransformer(30, 20, max_length=10, hidden_dim=16)
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
        target_max_length=None,
        num_layers=2,
        num_heads=2,
        hidden_dim=64,
        intermediate_dim=128,
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
        if target_max_length is not None:
            check_positive_int("target_max_length", target_max_length)
        check_transformer_sizes(num_layers, num_heads, hidden_dim, intermediate_dim)
        check_rate("dropout", dropout)
        source_embedding = TokenAndPositionEmbedding(
            source_vocabulary_size,
            max_length,
            hidden_dim,
            dtype=dtype,
            name="encoder_embedding",
        )
        encoder_stack = TransformerEncoderStack(
            num_layers,
            num_heads,
            intermediate_dim,
            dropout,
            dtype=dtype,
            name="encoder",
        )
        decoder_stack = TransformerDecoderStack(
            target_vocabulary_size,
            target_max_length or max_length,
            num_layers,
            num_heads,
            hidden_dim,
            intermediate_dim,
            dropout,
            dtype=dtype,
            name="decoder",
        )
        # Named list inputs: the model takes a list, or a dict by name.
        source_ids = keras.Input(shape=(None,), dtype="int32", name="source_ids")
        target_ids = keras.Input(shape=(None,), dtype="int32", name="target_ids")
        context = _encoder_context(source_embedding, encoder_stack, source_ids)
        super().__init__(
            [source_ids, target_ids],
            decoder_stack(target_ids, **context),
            init_config={
                "source_vocabulary_size": source_vocabulary_size,
                "target_vocabulary_size": target_vocabulary_size,
                "max_length": max_length,
                "target_max_length": target_max_length,
                "num_layers": num_layers,
                "num_heads": num_heads,
                "hidden_dim": hidden_dim,
                "intermediate_dim": intermediate_dim,
                "dropout": dropout,
            },
            decoder_stack=decoder_stack,
            max_length=target_max_length or max_length,
            preprocessor=preprocessor,
            name=name,
            dtype=dtype,
            **kwargs,
        )
        self.source_embedding = source_embedding
        self.encoder_stack = encoder_stack
        load_weights(self, weights)

    def _length_limits(self):
        config = self.init_config
        target = "target_max_length" if config["target_max_length"] else "max_length"
        return {
            "source_ids": ("max_length", config["max_length"]),
            "target_ids": (target, config[target]),
        }

    def _check_source(self, inputs):
        config = self.init_config
        check_rectangular("source_ids", inputs)
        source = check_token_ids(
            "source_ids",
            inputs,
            config["source_vocabulary_size"],
            right_padded=True,
        )
        if source.shape[1] > config["max_length"]:
            raise ValueError(
                f"`source_ids` can be at most `max_length={config['max_length']}` "
                f"long. Received: source_ids of shape {source.shape}"
            )
        return {"source_ids": source.astype("int32")}

    def _encode(self, source):
        return _encoder_context(
            self.source_embedding, self.encoder_stack, source["source_ids"]
        )


def _encoder_context(embedding, encoder_stack, source_ids):
    """The context the decoder attends to: encoder outputs and source mask."""
    mask = ops.not_equal(source_ids, 0)
    outputs = encoder_stack(embedding(source_ids), mask=mask)
    return {"encoder_outputs": outputs, "encoder_mask": mask}
