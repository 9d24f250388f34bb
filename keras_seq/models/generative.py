"""Autoregressive generation shared by the task models that emit tokens."""

import functools

import keras
import numpy as np
from keras import ops

from keras_seq.backend import support
from keras_seq.backend.inference_function import InferenceFunction
from keras_seq.generation import check_sampler
from keras_seq.generation import get_sampler
from keras_seq.models import input_checks
from keras_seq.models.function_cache import FunctionCache
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
    what generation needs: `init_cache(batch_size, max_length, context)`
    makes an empty cache (a key/value cache, or the recurrent states),
    `prefill(prompt_ids, length, cache)` reads the start of the prompts into
    it in one pass, and `call_with_cache(token_ids, cache, index)` reads one
    more token and returns the logits of the next. A KerasHub sampler drives
    them (see `keras_seq.generation`), so the prefix is never run twice.

    `generate` is written once, here. A decoder-only model continues its
    prompts; an encoder-decoder subclass sets `encoder_decoder = True` and
    supplies `_check_source(inputs)` (its inputs checked, as a dict of
    NumPy arrays, batch axis first) and `_encode(source)` (the context of
    the decoder stack: encoder outputs, initial states), and each of its
    targets starts with `start_token_id`.

    The whole decode (encoder, prefill and sampler loop) runs as one
    function compiled once per input shapes (`make_generate_function`):
    `jax.jit`, `tf.function` compiled by XLA (unless `compile()` was
    given `jit_compile=False`; see `generate_jit_compile`), or eagerly
    under `torch.no_grad()`; see
    `keras_seq.backend.inference_function`. The shapes are the batch size,
    `max_length`, the sources' shapes and the longest prompt rounded up to
    a power of two: repeated calls reuse one compilation. With
    `run_eagerly=True` it runs eagerly on every backend.

    Prompts are right-padded with 0 and may differ in length. Decoding
    starts after the shortest prompt; a longer prompt's own tokens are
    forced, with probability 1, until it runs out, so a batch decodes
    exactly as its rows would one at a time (beams included). Id 0 is
    padding and never generated (-1 where `padding_id` is -1).

    The sampler: `generate(sampler=None)` uses the one given to
    `compile(sampler=...)`, else the class's `default_sampler`: `"greedy"`
    here and for the encoder-decoder models (translation, captions want
    the one likeliest answer), `"top_k"` (at temperature 0.8, see
    `keras_seq.generation.SAMPLER_SETTINGS`) for `CausalLM`, whose
    greedy continuations soon repeat themselves.

    Compile defaults: sparse categorical cross-entropy on logits that
    ignores the padding id 0, accuracy over the same non-padding targets,
    and Adam with the gradient norm clipped to 1.0 (recurrent models need
    it; it costs transformers nothing).

    Args:
        inputs, outputs, init_config, name, dtype: as in `Task`.
        decoder_stack: the stack that emits the logits.
        max_length: the default (and for learned positions, the largest)
            length of generated sequences.
    """

    encoder_decoder = False
    # What `generate(sampler=None)` uses unless `compile(sampler=...)` chose.
    default_sampler = "greedy"

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
        # Not tracked by Keras: the samplers' seeds are not model state.
        self._generate_functions = FunctionCache()

    def compile(
        self, optimizer="auto", loss="auto", metrics="auto", sampler=None, **kwargs
    ):
        """Compiles as `Task.compile`; `sampler` is what `generate` uses by default.

        Args:
            sampler: a sampler name or `keras_hub.samplers.Sampler` that
                `generate(sampler=None)` uses; None means the class's
                `default_sampler`.
        """
        if sampler is not None:
            get_sampler(sampler)  # An unknown name fails here, not in generate.
        super().compile(optimizer=optimizer, loss=loss, metrics=metrics, **kwargs)
        self._captured_decode = None  # Captured anew: `jit_compile` may differ.
        self._generate_functions.compiled_sampler = sampler
        # What compile() was asked and what Keras made of it: a later
        # `model.jit_compile = ...` is the user's choice too.
        self._generate_functions.jit_compile = (
            kwargs.get("jit_compile", "auto"),
            self._jit_compile,
        )

    def _forget_compiled_functions(self):
        super()._forget_compiled_functions()
        # Compiled with the old variables (quantized, adapted: they differ).
        self._generate_functions.clear()
        self._captured_decode = None

    @property
    def sampler(self):
        """The sampler `generate(sampler=None)` uses: a name or a sampler."""
        compiled = self._generate_functions.compiled_sampler
        return self.default_sampler if compiled is None else compiled

    def default_optimizer(self):
        return keras.optimizers.Adam(learning_rate=1e-3, clipnorm=1.0)

    def default_loss(self):
        return keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, ignore_class=self.padding_id
        )

    def default_metrics(self):
        return [PaddedSparseCategoricalAccuracy(padding_id=self.padding_id)]

    @property
    def padding_id(self):
        """The id that pads token ids: 0, or -1 where every id is a token.

        With -1 (`CausalLM(padding_id=-1)`, a converted GPT-2) the decoder
        stack reads each id plus one, its own padding id 0 being -1 here;
        `generate` takes and returns ids of that kind too.
        """
        return self.init_config.get("padding_id", 0)

    def output_kind(self):
        return "logits"

    def generate(
        self,
        inputs,
        max_length=None,
        sampler=None,
        end_token_id=None,
        *,
        start_token_id=None,
    ):
        """Generates: continues prompts, or decodes from a source.

        With a preprocessor attached, `inputs` are raw (a prompt string or
        a list of them; an encoder-decoder model's source strings or
        images) and the result is strings; the start and end tokens are
        the preprocessor's unless given. Without one, ids in and ids out.

        Args:
            inputs: raw inputs (see above); or, without a preprocessor, a
                decoder-only model's prompts, `(batch, prompt_time)` int
                ids right-padded with 0, each with at least one token, or
                an encoder-decoder model's sources (see its class).
            max_length: length of the returned sequences in tokens, longer
                than every prompt (default: the model's `max_length`, also
                the most a model with learned positions allows).
            sampler: `"greedy"`, `"top_k"`, `"top_p"`, `"beam"` or a
                `keras_hub.samplers.Sampler`; None (the default) uses
                `self.sampler`: the one given to `compile`, else the
                class's `default_sampler` (top-k for `CausalLM`, greedy for
                the encoder-decoder models). A name uses the model's own
                sampler of that kind, whose random seed moves on from call
                to call.
            end_token_id: id that ends a sequence; the tokens after it are 0.
            start_token_id: encoder-decoder models only, and required there
                without a preprocessor: the id every target sequence starts
                with.

        Returns:
            With a preprocessor, the generated text: a string for one
            prompt string, else a list of strings. Without, `(batch,
            max_length)` int32 NumPy ids, each row its prompt (or
            `start_token_id`) and then the generated tokens.
        """
        preprocessor = self.preprocessor
        if preprocessor is None:
            return self._generate_ids(
                inputs, max_length, sampler, end_token_id, start_token_id
            )
        single = isinstance(inputs, str)
        model_inputs = preprocessor.generate_preprocess([inputs] if single else inputs)
        if end_token_id is None:
            end_token_id = preprocessor.end_token_id
        if self.encoder_decoder and start_token_id is None:
            start_token_id = preprocessor.start_token_id
        token_ids = self._generate_ids(
            model_inputs, max_length, sampler, end_token_id, start_token_id
        )
        texts = preprocessor.generate_postprocess(token_ids)
        return texts[0] if single else list(texts)

    def _generate_ids(self, inputs, max_length, sampler, end_token_id, start_token_id):
        """`generate` on model inputs: returns the generated ids."""
        prompt, source = self._generation_inputs(inputs, start_token_id)
        # The decoder stack's ids: its padding is 0 (see `padding_id`).
        offset = -self.padding_id
        prompt = prompt + offset
        lengths = np.count_nonzero(prompt, axis=1)
        longest = int(lengths.max())
        max_length = self._check_max_length(max_length, longest)
        if end_token_id is not None:
            check_token_id("end_token_id", end_token_id, self.vocabulary_size)
            end_token_id += offset
        function = self.make_generate_function(sampler, end_token_id)
        # Prompts are padded to a power-of-two width: a handful of
        # compilations serves every prompt length, and a recurrent prefill
        # reads at most twice the longest prompt.
        width = min(max_length, 1 << (longest - 1).bit_length())
        prompt = np.pad(prompt[:, :longest], ((0, 0), (0, width - longest)))
        tokens = function(prompt, source, max_length=max_length)
        tokens = np.array(ops.convert_to_numpy(tokens), dtype="int32")
        if end_token_id is not None:
            ended = (tokens == end_token_id) & (
                np.arange(max_length) >= lengths[:, None]
            )
            tokens[np.cumsum(ended, axis=1) - ended > 0] = 0
        return tokens - offset

    def _check_targets(self, y):
        input_checks.check_targets(self, y, self.vocabulary_size, "next-token ids `y`")

    @property
    def vocabulary_size(self):
        """The number of token ids the model emits (padding -1 not counted)."""
        return self.decoder_stack.vocabulary_size + self.padding_id

    def make_generate_function(self, sampler=None, end_token_id=None):
        """Returns the compiled decode of `generate` for `sampler` and `end_token_id`.

        Built on the first call and kept (the last few pairs), so repeated
        `generate` calls with the same shapes reuse one compilation.

        Returns:
            An `InferenceFunction` called as `function(prompt_ids, source,
            max_length=...)`: `prompt_ids` `(batch, prompt_time)` ids,
            `source` the checked sources (`{}` for a decoder-only model);
            it returns the `(batch, max_length)` ids, end token not yet
            applied.
        """
        if sampler is None:
            sampler = self.sampler
        key, sampler = self._generate_functions.sampler(sampler, self.vocabulary_size)
        check_sampler(sampler, self.vocabulary_size)
        if getattr(sampler, "return_all_beams", False):
            raise ValueError(
                "`sampler` must return one sequence per prompt: use a "
                "BeamSampler with return_all_beams=False."
            )
        jit_compile = self.generate_jit_compile()
        key = (key, end_token_id, not self.run_eagerly, jit_compile)
        function = self._generate_functions.get(key)
        if function is None:
            stop_token_ids = None if end_token_id is None else (end_token_id,)
            step = functools.partial(
                self._generate_step,
                sampler=sampler,
                stop_token_ids=stop_token_ids,
                captured_sampling=self._captured_sampling(sampler, stop_token_ids),
            )
            function = InferenceFunction(
                step,
                variables=self.variables,
                updated_variables=sampler.variables,
                compiled=not self.run_eagerly,
                jit_compile=jit_compile,
            )
            self._generate_functions.put(key, function, sampler)
        return function

    def generate_jit_compile(self):
        """Whether XLA compiles `generate` under TensorFlow: True, False or "auto".

        The model's `jit_compile` where the user chose it (`compile(
        jit_compile=...)`, or setting `model.jit_compile` to another value
        than `compile()` gave it); else `"auto"`: XLA, falling back to
        `tf.function` alone if XLA cannot compile the sampler. Keras' own
        "auto" means no XLA on a CPU, where `fit` gains little from it;
        the decode loop gains much: without XLA TensorFlow copies the
        whole cache at every step, under XLA it writes in place. JAX
        always compiles with XLA. PyTorch replays
        the loop's steps from captured graphs; there it is the model's
        `jit_compile`, and True also compiles those graphs with
        `torch.compile` (`_captured_sampling`).
        """
        if keras.backend.backend() != "tensorflow" or self.run_eagerly:
            return bool(self.jit_compile)
        requested, resolved = self._generate_functions.jit_compile
        if requested == "auto" and (resolved is None or self._jit_compile == resolved):
            return "auto"
        return bool(self.jit_compile)

    def _generate_step(
        self,
        prompt_ids,
        source,
        max_length,
        sampler,
        stop_token_ids,
        captured_sampling=None,
    ):
        """The decode, in `keras.ops` only: the function that gets compiled.

        `captured_sampling` (`_captured_sampling`), where there is one,
        runs the sampler's loop.
        """
        stack = self.decoder_stack
        batch_size, prompt_time = ops.shape(prompt_ids)
        prompt_ids = ops.cast(prompt_ids, "int32")
        tokens = ops.pad(prompt_ids, ((0, 0), (0, max_length - prompt_time)))
        prompt_mask = ops.not_equal(tokens, 0)
        # A tensor, not a Python int: the compiled loop serves every batch.
        start = ops.min(ops.sum(ops.cast(prompt_mask, "int32"), axis=1))
        context = self._encode(source) if self.encoder_decoder else None
        cache = stack.init_cache(batch_size, max_length, context)
        if prompt_time > 1:
            # The sampler's first step reads token `start - 1`.
            cache = stack.prefill(prompt_ids, start - 1, cache)

        if captured_sampling is not None:
            return captured_sampling(tokens, cache, start, prompt_mask)
        decode = self._decode_function()

        def next_step(tokens, cache, index):
            logits, cache = decode(tokens, cache, index)
            return logits, None, cache

        return sampler(
            next_step,
            tokens,
            cache=cache,
            index=start,
            mask=prompt_mask,
            stop_token_ids=stop_token_ids,
            model=self,
        )

    def _decode(self, tokens, cache, index):
        """One step: the logits after the token before `index`, and the cache."""
        token = ops.expand_dims(ops.take(tokens, index - 1, axis=1), 1)
        logits, cache = self.decoder_stack.call_with_cache(token, cache, index - 1)
        next_prompt_token = ops.take(tokens, index, axis=1)
        return _restrict_logits(logits, next_prompt_token), cache

    def _decode_function(self):
        """`_decode`, replayed from a graph of its operations where it can be.

        JAX and TensorFlow compile the whole decode loop; PyTorch runs it
        in Python, where a step's layers and operations cost far more than
        its kernels. There the step is captured once per shapes (after a
        few eager steps of those shapes, counted over `generate` calls;
        `keras_seq.backend.support.captured_decode`) and replayed, reading
        the whole key/value cache at every step: a graph holds one shape.
        The weights are read once per call. Under `jit_compile=True` the
        graph is compiled by `torch.compile` too.
        """
        if self.run_eagerly:
            return self._decode
        if getattr(self, "_captured_decode", None) is None:
            self._captured_decode = support.captured_decode(
                self._decode, self.variables, compiles=self.jit_compile is True
            )
        return self._captured_decode.with_current_values()

    def _captured_sampling(self, sampler, stop_token_ids):
        """`sampler`'s loop with its steps replayed from graphs, or None.

        None where the loop runs as KerasHub's (`run_eagerly`, a backend
        that compiles the loop, a sampler with its own loop); then only the
        decoding step is captured (`_decode_function`). Under
        `jit_compile=True` the graphs are compiled by `torch.compile` too
        (tens of seconds once per shapes). See
        `keras_seq.backend.support.captured_sampling`.
        """
        if self.run_eagerly:
            return None
        return support.captured_sampling(
            sampler,
            self._decode,
            self.variables,
            stop_token_ids,
            compiles=self.jit_compile is True,
        )

    def _generation_inputs(self, inputs, start_token_id):
        """Checks `generate`'s inputs: returns `(prompt_ids, source)` in NumPy."""
        if not self.encoder_decoder:
            if start_token_id is not None:
                raise ValueError(
                    f"{type(self).__name__} continues its prompts and takes no "
                    "`start_token_id` (encoder-decoder models do). Received: "
                    f"start_token_id={start_token_id!r}"
                )
            input_checks.check_rectangular("prompt_ids", inputs)
            prompt = check_token_ids(
                "prompt_ids",
                inputs,
                self.vocabulary_size,
                right_padded=True,
                padding_id=self.padding_id,
            )
            return prompt.astype("int32"), {}
        if start_token_id is None:
            raise TypeError(
                f"{type(self).__name__}.generate() needs `start_token_id`, the "
                "id every target sequence starts with. Received: "
                "start_token_id=None"
            )
        check_token_id("start_token_id", start_token_id, self.vocabulary_size)
        source = self._check_source(inputs)
        batch_size = len(next(iter(source.values())))
        return np.full((batch_size, 1), start_token_id, "int32"), source

    def _check_source(self, inputs):
        """Checks an encoder-decoder's sources; returns a dict of NumPy arrays."""
        raise NotImplementedError

    def _encode(self, source):
        """Runs the encoder on `source`: returns the decoder stack's context."""
        raise NotImplementedError

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
