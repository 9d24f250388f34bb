"""`keras-seq generate`: continue a prompt, translate a sentence, caption an image.

A language model's text is streamed: the prompt is read once (the
model's `prefill`), then one token is decoded a step (`call_with_cache`
and the sampler's choice, `keras_seq.serving.streaming.Streamer`), each
step a function compiled once; the text is printed every few tokens as
it grows. With the greedy sampler the text is what one `generate` call
gives; a sampling sampler draws from the same distribution. Beam search
ranks whole sequences, so it runs in one `generate` call and its text is
printed at the end, as are a translator's and a captioner's outputs.

Without `--sampler`, the model's own default applies (`model.sampler`:
the sampler it was compiled with, else its class's `default_sampler`,
top-k for a language model, greedy for a translator or a captioner):
`generate` is called without a `sampler` argument, and the streamed path
uses the same sampler.

A prompt (or a source) longer than the model reads is refused, naming
its length and the limit: nothing is cut silently.

Example:

    keras-seq generate hamlet_char_lm --prompt "HAMLET:" --sampler greedy
"""

import contextlib
import sys

from keras_seq.cli import models
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
from keras_seq.cli.errors import one_line
from keras_seq.cli.predict import preprocess_check
from keras_seq.cli.predict import read_inputs
from keras_seq.serving.streaming import Streamer
from keras_seq.serving.streaming import check_prompt
from keras_seq.serving.streaming import check_source
from keras_seq.serving.streaming import generation_limit
from keras_seq.serving.streaming import seeded_sampler

__all__ = ["Streamer", "run", "seeded_sampler"]


@contextlib.contextmanager
def _as_usage_errors():
    """The library's ValueErrors (and TypeErrors) as one-line usage errors."""
    try:
        yield
    except (ValueError, TypeError) as error:
        raise UsageError(one_line(error)) from None


def _limit(model, max_length):
    with _as_usage_errors():
        return generation_limit(model, max_length)


def _check_prompt(preprocessor, prompt, max_length, given):
    with _as_usage_errors():
        return check_prompt(preprocessor, prompt, max_length, given)


def _check_source(preprocessor, text):
    with _as_usage_errors():
        check_source(preprocessor, text)


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
