"""`keras-seq generate`: continue a prompt, translate a sentence, caption an image.

A language model's text is streamed: it is generated in chunks of a few
tokens, each chunk continuing the ids generated so far (the model's own
`generate`, with the prompt forced, as KerasHub's samplers do), and each
chunk is printed as soon as it exists. With the greedy sampler the text
is exactly what one `generate` call gives; a sampling sampler draws from
the same distribution. Beam search ranks whole sequences, so it runs in
one call and its text is printed at the end, as are a translator's and
a captioner's outputs (an encoder-decoder's `generate` takes no target
prefix to continue from).
"""

import sys

from keras_seq.cli import models
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
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


def _stream(model, prompt, max_length, sampler, chunk):
    """Generates from `prompt` chunk by chunk, printing each chunk's text."""
    import numpy as np

    preprocessor = model.preprocessor
    ids = preprocess_check(preprocessor.generate_preprocess, [prompt])
    length = int(np.count_nonzero(ids[0]))
    if length >= max_length:
        raise UsageError(
            f"the prompt is {length} tokens (with the start token); --max-length "
            f"{max_length} must be more"
        )
    end = preprocessor.end_token_id
    shown = preprocessor.generate_postprocess(ids[:, :length])[0]
    sys.stdout.write(shown)
    sys.stdout.flush()
    tokens = ids[:, :length]
    while length < max_length:
        target = min(length + chunk, max_length)
        # Ids in, ids out: the preprocessor already ran on the prompt.
        tokens = model._generate_ids(tokens, target, sampler, end, None)
        produced = int(np.count_nonzero(tokens[0]))
        text = preprocessor.generate_postprocess(tokens[:, :produced])[0]
        common = len(shown) if text.startswith(shown) else 0
        sys.stdout.write(text[common:])
        sys.stdout.flush()
        shown = text
        if produced < target or (tokens[0, :produced] == end).any():
            break  # the end token came
        length = produced
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
    sampler = seeded_sampler(args.sampler, args.seed)
    max_length = _limit(model, args.max_length)
    if not model.encoder_decoder and args.sampler != "beam":
        _stream(model, args.prompt, max_length, sampler, args.chunk)
        return 0
    inputs, _ = read_inputs(preprocessor, [args.prompt])
    preprocess_check(preprocessor.generate_preprocess, inputs)
    try:
        text = model.generate(inputs, max_length=max_length, sampler=sampler)[0]
    except ValueError as error:
        from keras_seq.cli.errors import one_line

        raise UsageError(one_line(error)) from None
    print(text)
    return 0
