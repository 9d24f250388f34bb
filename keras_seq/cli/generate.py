"""`keras-seq generate`: continue a prompt, translate a sentence, caption an image.

A language model's text is streamed: the prompt is read once (the
model's `prefill`), then one token is decoded a step (`call_with_cache`
and the sampler's choice), each step a function compiled once, before
the first token, for every later token and chunk (the cache has the
static shape of `--max-length`, the position is a tensor); the text is
printed every few tokens as it grows. With the greedy sampler the text
is what one `generate` call gives; a sampling sampler draws from the
same distribution. Beam search ranks whole sequences, so it runs in one
`generate` call and its text is printed at the end, as are a
translator's and a captioner's outputs.

Without `--sampler`, the model's own default applies (`model.sampler`:
the sampler it was compiled with, else its class's `default_sampler`,
top-k for a language model, greedy for a translator or a captioner):
`generate` is called without a `sampler` argument, and the streamed path
uses the same sampler.

A prompt (or a source) longer than the model reads is refused, naming
its length and the limit: nothing is cut silently.
"""

import sys

from keras_seq.cli import models
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
from keras_seq.cli.errors import one_line
from keras_seq.cli.predict import preprocess_check
from keras_seq.cli.predict import read_inputs


def seeded_sampler(name, seed):
    """The named KerasHub sampler (keras_seq.generation's defaults), seeded."""
    from keras_seq.generation import get_sampler

    sampler = get_sampler(name)
    config = sampler.get_config()
    if "seed" in config:
        config["seed"] = seed
        sampler = type(sampler).from_config(config)
    return sampler


def _limit(model, max_length):
    limit = getattr(model.decoder_stack, "max_length", None)
    if max_length is None:
        return model.max_length
    if limit is not None and max_length > limit:
        raise UsageError(
            f"--max-length {max_length} is more than this model's {limit} "
            "positions; give at most that"
        )
    return max_length


def _token_count(tokenizer, text):
    from keras_seq.preprocessing.preprocessor import tokenize

    return len(tokenize(tokenizer, [text])[0])


def _check_prompt(preprocessor, prompt, max_length, given):
    """A language model's prompt ids; refused if they do not fit.

    Args:
        given: whether `max_length` is the user's `--max-length`.
    """
    length = _token_count(preprocessor.tokenizer, prompt) + 1  # the start token
    fits = min(max_length, preprocessor.sequence_length)
    if length >= fits:
        if given and length < preprocessor.sequence_length:
            raise UsageError(
                f"the prompt is {length} tokens (with the start token); "
                f"--max-length {max_length} must be more"
            )
        raise UsageError(
            f"the prompt is {length} tokens (with the start token); this model "
            f"reads {fits} positions and generates at least one token: give a "
            f"prompt of at most {fits - 1} tokens (nothing is cut)"
        )
    ids = preprocess_check(preprocessor.generate_preprocess, [prompt])
    return ids[:, :length]


def _check_source(preprocessor, text):
    """Refuses a source text longer than an encoder-decoder model reads."""
    tokenizer = getattr(preprocessor, "source_tokenizer", None)
    limit = getattr(preprocessor, "source_length", None)
    if tokenizer is None or limit is None or not isinstance(text, str):
        return
    length = _token_count(tokenizer, text) + 1  # the end token
    if length > limit:
        raise UsageError(
            f"the input is {length} tokens (with the end token); this model "
            f"reads at most {limit}: give a shorter one (nothing is cut)"
        )


class Streamer:
    """Decodes one prompt token by token, each step compiled once.

    Args:
        model: a decoder-only `GenerativeTask`.
        sampler: a KerasHub sampler that chooses one token a step (not beam).
        max_length: the length of the cache, prompt included.
    """

    def __init__(self, model, sampler, max_length):
        from keras_seq.models import InferenceFunction

        stack = model.decoder_stack
        self.max_length = max_length

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
        """Yields each generated id, up to `max_length` in all or the end id."""
        import numpy as np

        length = prompt_ids.shape[1]
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
            yield token
            if token == end_token_id:
                return


def _stream(model, prompt, max_length, given, sampler, chunk):
    """Generates from `prompt`, printing the text every `chunk` tokens."""
    import numpy as np

    preprocessor = model.preprocessor
    ids = _check_prompt(preprocessor, prompt, max_length, given)
    end = preprocessor.end_token_id
    tokens = [int(i) for i in ids[0]]
    shown = preprocessor.generate_postprocess(np.asarray([tokens]))[0]
    sys.stdout.write(shown)
    sys.stdout.flush()

    def show():
        nonlocal shown
        text = preprocessor.generate_postprocess(np.asarray([tokens], "int32"))[0]
        common = len(shown) if text.startswith(shown) else 0
        sys.stdout.write(text[common:])
        sys.stdout.flush()
        shown = text

    streamer = Streamer(model, sampler, max_length)
    for count, token in enumerate(streamer.tokens(ids, end), start=1):
        tokens.append(token)
        if count % chunk == 0:
            show()
    show()
    sys.stdout.write("\n")
    return shown


def run(args):
    loaded = models.load(args.model)
    import keras

    from keras_seq.models import GenerativeTask

    say(f"backend: {keras.backend.backend()}")
    model = loaded.model
    if not isinstance(model, GenerativeTask):
        raise UsageError(
            f"{loaded.source} is a {loaded.builder}, which does not generate; "
            "`generate` takes a CausalLM, Seq2SeqTransformer, Seq2SeqRNN or "
            "ImageCaptioner (use `predict` for the others)"
        )
    preprocessor = models.require_preprocessor(loaded, "generate")
    keras.utils.set_random_seed(args.seed)
    max_length = _limit(model, args.max_length)
    name = args.sampler or model.sampler
    beam = name == "beam" or type(name).__name__ == "BeamSampler"
    if not model.encoder_decoder and not beam:
        sampler = seeded_sampler(name, args.seed)
        given = args.max_length is not None
        _stream(model, args.prompt, max_length, given, sampler, args.chunk)
        return 0
    inputs, _ = read_inputs(preprocessor, [args.prompt])
    if model.encoder_decoder:
        _check_source(preprocessor, inputs[0])
        preprocess_check(preprocessor.generate_preprocess, inputs)
    else:
        _check_prompt(preprocessor, args.prompt, max_length, args.max_length)
    # No --sampler: no `sampler` argument, so the model's own default applies.
    options = {"max_length": max_length}
    if args.sampler is not None:
        options["sampler"] = seeded_sampler(args.sampler, args.seed)
    try:
        text = model.generate(inputs, **options)[0]
    except ValueError as error:
        raise UsageError(one_line(error)) from None
    print(text)
    return 0
