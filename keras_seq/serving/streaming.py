"""Generation one token at a time, and the checks of a prompt before it starts.

A language model's text is streamed: the prompt is read once (the stack's
`prefill`), then one token is decoded a step (`call_with_cache` and the
sampler's choice), each step a function compiled once, before the first
token, for every later token (the cache has the static shape of
`max_length`, the position is a tensor). With the greedy sampler the
tokens are those one `generate` call gives; a sampling sampler draws from
the same distribution. `keras-seq generate` and the page of
`keras-seq serve` both stream through `Streamer`.

A prompt (or a source) longer than the model reads is refused with a
ValueError naming its length and the limit: nothing is cut silently.

Example:

>>> from keras_seq.applications import CausalLM
>>> model = CausalLM.from_preset("hamlet_char_lm")
>>> ids = check_prompt(model.preprocessor, "HAMLET", 40, given=True)
>>> streamer = Streamer(model, seeded_sampler("greedy", 0), 40)
>>> tokens = list(streamer.tokens(ids, model.preprocessor.end_token_id))
>>> 0 < len(tokens) <= 40 - ids.shape[1]
True
"""


def seeded_sampler(name, seed):
    """The named KerasHub sampler (keras_seq.generation's defaults), seeded.

    Args:
        name: a sampler's name (`"greedy"`, `"top_k"`, ...) or a sampler.
        seed: the seed of a sampling sampler (a greedy one has none).
    """
    from keras_seq.generation import get_sampler

    sampler = get_sampler(name)
    config = sampler.get_config()
    if "seed" in config:
        config["seed"] = seed
        sampler = type(sampler).from_config(config)
    return sampler


def generation_limit(model, max_length):
    """`max_length`, or the model's own; a ValueError past its positions.

    Args:
        model: a `GenerativeTask`.
        max_length: the requested length, prompt included, or None.
    """
    limit = getattr(model.decoder_stack, "max_length", None)
    if max_length is None:
        return model.max_length
    if limit is not None and max_length > limit:
        raise ValueError(
            f"--max-length {max_length} is more than this model's {limit} "
            "positions; give at most that"
        )
    return max_length


def _token_count(tokenizer, text):
    from keras_seq.preprocessing.preprocessor import tokenize

    return len(tokenize(tokenizer, [text])[0])


def check_prompt(preprocessor, prompt, max_length, given):
    """A language model's prompt ids, `(1, length)`; a ValueError if they do not fit.

    Args:
        preprocessor: the model's `CausalLMPreprocessor`.
        prompt: the prompt text.
        max_length: the length to generate to, prompt included.
        given: whether `max_length` is the user's (not the model's own).
    """
    length = _token_count(preprocessor.tokenizer, prompt) + 1  # the start token
    fits = min(max_length, preprocessor.sequence_length)
    if length >= fits:
        if given and length < preprocessor.sequence_length:
            raise ValueError(
                f"the prompt is {length} tokens (with the start token); "
                f"--max-length {max_length} must be more"
            )
        raise ValueError(
            f"the prompt is {length} tokens (with the start token); this model "
            f"reads {fits} positions and generates at least one token: give a "
            f"prompt of at most {fits - 1} tokens (nothing is cut)"
        )
    ids = preprocessor.generate_preprocess([prompt])
    return ids[:, :length]


def check_source(preprocessor, text):
    """Refuses (ValueError) a source text longer than an encoder-decoder reads.

    Args:
        preprocessor: the model's preprocessor (a `Seq2SeqPreprocessor`;
            any other passes).
        text: the source text.
    """
    tokenizer = getattr(preprocessor, "source_tokenizer", None)
    limit = getattr(preprocessor, "source_length", None)
    if tokenizer is None or limit is None or not isinstance(text, str):
        return
    length = _token_count(tokenizer, text) + 1  # the end token
    if length > limit:
        raise ValueError(
            f"the input is {length} tokens (with the end token); this model "
            f"reads at most {limit}: give a shorter one (nothing is cut)"
        )


class Streamer:
    """Decodes one prompt token by token, each step compiled once.

    Args:
        model: a decoder-only `GenerativeTask`.
        sampler: a KerasHub sampler that chooses one token a step (not beam).
        max_length: the length of the cache, prompt included.

    Example: see the module docstring.
    """

    def __init__(self, model, sampler, max_length):
        from keras_seq.models import InferenceFunction

        stack = model.decoder_stack
        self.max_length = max_length
        # The stack reads ids minus the model's padding id (see `padding_id`).
        self._offset = -getattr(model, "padding_id", 0)

        def read_prompt(prompt_ids, length):
            cache = stack.init_cache(1, max_length)
            return stack.prefill(prompt_ids, length, cache)

        def step(token, cache, index):
            logits, cache = stack.call_with_cache(token, cache, index)
            probabilities = sampler.compute_probabilities(logits)
            return sampler.get_next_token(probabilities), cache

        options = {
            "compiled": not model.run_eagerly,
            "jit_compile": model.generate_jit_compile(),
        }
        self._read_prompt = InferenceFunction(
            read_prompt, variables=model.variables, **options
        )
        self._step = InferenceFunction(
            step,
            variables=model.variables,
            updated_variables=sampler.variables,
            **options,
        )

    @property
    def compilations(self):
        """How often each function ran as Python: `(prompt, step)`."""
        return self._read_prompt.traces, self._step.traces

    def tokens(self, prompt_ids, end_token_id):
        """Yields each generated id, up to `max_length` in all or the end id.

        Args:
            prompt_ids: `(1, length)` ids, from `check_prompt`.
            end_token_id: the id that ends the text.
        """
        import numpy as np

        length = prompt_ids.shape[1]
        prompt_ids = np.asarray(prompt_ids) + self._offset
        # The cache's width for every prompt: one compilation serves them all.
        padded = np.zeros((1, self.max_length), "int32")
        padded[:, :length] = prompt_ids
        # The first step reads the prompt's last token (as the samplers do).
        cache = self._read_prompt(padded, np.int32(length - 1))
        token = int(prompt_ids[0, -1])
        for index in range(length - 1, self.max_length - 1):
            chosen, cache = self._step(
                np.full((1, 1), token, "int32"), cache, np.int32(index)
            )
            token = int(np.asarray(chosen).ravel()[0])
            yield token - self._offset
            if token - self._offset == end_token_id:
                return
