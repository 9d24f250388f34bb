"""PyTorch: KerasHub's sampling loop, each step replayed from captured graphs.

JAX and TensorFlow compile a KerasHub sampler's whole loop; on PyTorch it
runs in Python, and a step's `keras.ops` (the sampler's softmax and
choice, the write of the token) cost more than its kernels. Here the
loop of `keras_hub.samplers.Sampler.__call__` runs with the same steps,
each replayed from graphs (`keras_seq.backend.torch.captured_graphs`):

- the model's decoding step and the sampler's `compute_probabilities`,
  reading the model's weights;
- the sampler's `get_next_token`, the write of the chosen token (where
  the prompt does not go on) and the check for stop tokens. A sampler
  that draws random numbers cannot be captured (a graph would not move
  its seed on): that part then runs eagerly, as before.

Samplers with their own loop (beam and contrastive search) keep it.
"""

from keras import ops

from keras_seq.backend.torch.captured_graphs import CapturedGraphs
from keras_seq.backend.torch.captured_graphs import ReadingVariables
from keras_seq.backend.torch.captured_graphs import can_capture

# Decoding steps of one shape that run eagerly before the step is captured
# (a capture costs about what this many steps cost).
DECODE_EAGER_CALLS = 64


class CapturedSampling:
    """`sampler`'s loop over `decode`, with steps replayed from graphs.

    Args:
        sampler: a `keras_hub.samplers.Sampler` whose loop is the base
            class's (`applies(sampler)`).
        decode: `decode(tokens, cache, index)` returns the logits of the
            token at `index` and the cache; it reads `variables`.
        variables: the Keras variables `decode` reads.
        stop_token_ids: a tuple of ids that end a sequence, or None.
        eager_calls: steps of one shape that run eagerly before capture.
        compiles: whether the graphs are compiled by `torch.compile` too.
    """

    def __init__(
        self, sampler, decode, variables, stop_token_ids, eager_calls, compiles=False
    ):
        self.sampler = sampler
        self.decode = decode
        self.stop_token_ids = stop_token_ids
        self.probabilities = ReadingVariables(
            self._probabilities, variables, eager_calls, compiles=compiles
        )
        # Not reading through a `keras.StatelessScope`: where the choice
        # runs eagerly (random draws), it moves the sampler's seed on.
        self.choice = CapturedGraphs(self._choose, eager_calls, compiles=compiles)

    @staticmethod
    def applies(sampler):
        """Whether `sampler`'s loop is KerasHub's, and graphs can be captured."""
        from keras_hub.samplers import Sampler

        return can_capture() and type(sampler).__call__ is Sampler.__call__

    def __call__(self, tokens, cache, index, mask):
        """Generates into `tokens` from `index` on, as `sampler(...)` would.

        Args:
            tokens: `(batch, max_length)` ids, the prompts in front.
            cache: the decoder's cache after the prompts' start.
            index: the first position to generate (an int32 tensor).
            mask: `(batch, max_length)` booleans, True where the prompt
                is kept.

        Returns:
            The `(batch, max_length)` ids.
        """
        probabilities = self.probabilities.with_current_values()
        mask = ops.cast(mask, "bool")
        index = ops.cast(index, "int32")
        stopped = self._stopped(tokens, mask)
        for _ in range(int(index), ops.shape(tokens)[-1]):
            if stopped is not None and bool(stopped):
                break
            next_probabilities, cache = probabilities(tokens, cache, index)
            tokens, stopped = self.choice(next_probabilities, tokens, index, mask)
            index = index + 1
        return tokens

    def _probabilities(self, tokens, cache, index):
        logits, cache = self.decode(tokens, cache, index)
        return self.sampler.compute_probabilities(logits), cache

    def _choose(self, probabilities, tokens, index, mask):
        next_token = ops.cast(self.sampler.get_next_token(probabilities), tokens.dtype)
        # The prompt goes on where the mask says so.
        kept = ops.take(tokens, index, axis=1)
        next_token = ops.where(ops.take(mask, index, axis=1), kept, next_token)
        tokens = ops.slice_update(tokens, [0, index], next_token[:, None])
        return tokens, self._stopped(tokens, mask)

    def _stopped(self, tokens, mask):
        """Whether every row has generated a stop token (None: no stop tokens)."""
        if self.stop_token_ids is None:
            return None
        stops = ops.convert_to_tensor(self.stop_token_ids, tokens.dtype)
        generated_stop = ops.logical_and(
            ops.any(ops.equal(tokens[:, :, None], stops), axis=-1),
            ops.logical_not(mask),
        )
        return ops.all(ops.any(generated_stop, axis=-1))
