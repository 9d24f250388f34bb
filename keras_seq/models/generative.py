"""Autoregressive generation shared by the task models that emit tokens."""

import keras
import numpy as np
from keras import ops

from keras_seq.generation import get_sampler
from keras_seq.models.padded_accuracy import PaddedSparseCategoricalAccuracy
from keras_seq.models.task import Task
from keras_seq.utils.validation import check_positive_int
from keras_seq.utils.validation import check_token_id
from keras_seq.utils.validation import check_token_ids

# A logit this low has probability exactly 0 after the float32 softmax.
_EXCLUDED_LOGIT = -1e9


class GenerativeTask(Task):
    """Base class of the task models that generate token ids one at a time.

    The subclass builds its functional graph around a decoder stack
    (`TransformerDecoderStack` or `RecurrentDecoderStack`), which supplies
    what generation needs: `prefill(prefix_ids, batch_size, max_length,
    context)` reads the prompt once into a cache (a key/value cache, or the
    recurrent states), and `step(token_ids, cache, index)` reads one more
    token and returns the logits of the next. A KerasHub sampler drives
    them (see `keras_seq.generation`), so the prefix is never run twice.

    Prompts are right-padded with 0 and may differ in length. Decoding
    starts after the shortest prompt; a longer prompt's own tokens are
    forced, with probability 1, until it runs out, so a batch decodes
    exactly as its rows would one at a time (beams included). Id 0 is
    padding and never generated.

    Compile defaults: sparse categorical cross-entropy on logits that
    ignores the padding id 0, accuracy over the same non-padding targets,
    and Adam with the gradient norm
    clipped to 1.0 (recurrent models need it; it costs transformers
    nothing).

    Args:
        inputs, outputs, init_config, name: as in `Task`.
        decoder_stack: the stack that emits the logits.
        max_length: the default (and for learned positions, the largest)
            length of generated sequences.
    """

    def __init__(
        self,
        inputs,
        outputs,
        init_config,
        decoder_stack,
        max_length,
        name=None,
        **kwargs,
    ):
        super().__init__(inputs, outputs, init_config=init_config, name=name, **kwargs)
        self.decoder_stack = decoder_stack
        self.max_length = max_length

    def default_optimizer(self):
        return keras.optimizers.Adam(learning_rate=1e-3, clipnorm=1.0)

    def default_loss(self):
        return keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, ignore_class=0
        )

    def default_metrics(self):
        return [PaddedSparseCategoricalAccuracy()]

    def _check_max_length(self, max_length, longest_prompt):
        if max_length is None:
            max_length = self.max_length
        check_positive_int("max_length", max_length)
        if max_length <= longest_prompt:
            raise ValueError(
                "`max_length` must exceed the longest prompt, "
                f"{longest_prompt} tokens. Received: max_length={max_length}"
            )
        limit = self.decoder_stack.max_length
        if limit is not None and max_length > limit:
            raise ValueError(
                f"`max_length` can be at most {limit}, the number of positions "
                f"this model embeds. Received: max_length={max_length}"
            )
        return max_length

    def _start_prompt(self, batch_size, start_token_id):
        """The prompt of an encoder-decoder model: `start_token_id` alone."""
        vocabulary_size = self.decoder_stack.vocabulary_size
        check_token_id("start_token_id", start_token_id, vocabulary_size)
        return np.full((batch_size, 1), start_token_id, "int32")

    def _generate(self, prompt_ids, max_length, sampler, end_token_id, encode=None):
        """Continues `prompt_ids` to `max_length` tokens; the engine of `generate`.

        Args:
            prompt_ids: `(batch, prompt_time)` int ids, right-padded with 0.
            max_length: length of the returned sequences (None: the model's).
            sampler: a name or a KerasHub sampler (see `get_sampler`).
            end_token_id: id that ends a sequence, or None.
            encode: for an encoder-decoder model, a function of no arguments
                that runs the encoder (once, after the arguments are checked)
                and returns the context of the decoder stack: a dict of
                tensors, batch axis first (encoder outputs, initial states).

        Returns:
            `(batch, max_length)` int32 NumPy ids that start with the prompt;
            every token after a generated `end_token_id` is 0.
        """
        stack = self.decoder_stack
        prompt = check_token_ids(
            "prompt_ids", prompt_ids, stack.vocabulary_size, right_padded=True
        )
        lengths = np.count_nonzero(prompt, axis=1)
        max_length = self._check_max_length(max_length, int(lengths.max()))
        if end_token_id is not None:
            check_token_id("end_token_id", end_token_id, stack.vocabulary_size)
        sampler = get_sampler(sampler)
        if getattr(sampler, "return_all_beams", False):
            raise ValueError(
                "`sampler` must return one sequence per prompt: use a "
                "BeamSampler with return_all_beams=False."
            )

        batch_size = prompt.shape[0]
        tokens = np.zeros((batch_size, max_length), "int32")
        tokens[:, : prompt.shape[1]] = prompt[:, :max_length]
        prompt_mask = tokens != 0
        start = int(lengths.min())
        # The sampler's first step reads token `start - 1`; prefill the rest.
        prefix = ops.convert_to_tensor(tokens[:, : start - 1]) if start > 1 else None
        context = encode() if encode is not None else {}
        cache = stack.prefill(prefix, batch_size, max_length, context)

        def next_step(tokens, cache, index):
            token = ops.expand_dims(ops.take(tokens, index - 1, axis=1), 1)
            logits, cache = stack.step(token, cache, index - 1)
            return (
                _restrict_logits(logits, ops.take(tokens, index, axis=1)),
                None,
                cache,
            )

        tokens = sampler(
            next_step,
            ops.convert_to_tensor(tokens),
            cache=cache,
            index=start,
            mask=ops.convert_to_tensor(prompt_mask),
            stop_token_ids=None if end_token_id is None else (end_token_id,),
            model=self,
        )
        tokens = np.array(ops.convert_to_numpy(tokens), dtype="int32")
        if end_token_id is not None:
            ended = (tokens == end_token_id) & ~prompt_mask
            tokens[np.cumsum(ended, axis=1) - ended > 0] = 0
        return tokens


def _restrict_logits(logits, next_prompt_token):
    """Rules out the padding id, and forces the prompt where it goes on.

    Rows whose prompt still has a token at this position get logits that
    put all the probability on it: every sampler then keeps it, and beam
    scores are not changed by it, as if the prompt had been read up front.
    """
    logits = ops.cast(logits, "float32")
    vocabulary = ops.arange(ops.shape(logits)[-1])
    logits = ops.where(vocabulary[None, :] == 0, _EXCLUDED_LOGIT, logits)
    forced = (
        vocabulary[None, :] == ops.cast(next_prompt_token, vocabulary.dtype)[:, None]
    )
    forced_logits = ops.where(forced, 0.0, _EXCLUDED_LOGIT)
    return ops.where((next_prompt_token != 0)[:, None], forced_logits, logits)
