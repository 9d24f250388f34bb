"""Decoding strategies: greedy, top-k, top-p and beam search.

The samplers are KerasHub's (`keras_hub.samplers`); this module names them
and picks their defaults. KerasHub is imported on first use, so
`import keras_seq` stays light.

A sampler is called as `sampler(next, prompt, cache=..., index=...,
mask=..., stop_token_ids=...)`, where `next(prompt, cache, index)` returns
`(logits, hidden_states, cache)` for position `index`; the generative
models of `keras_seq.models` supply `next`.
"""

SAMPLERS = ("greedy", "top_k", "top_p", "beam")

# The settings of each sampler by name. Top-k draws among the 5 likeliest
# tokens, sharpened by a temperature below 1: the default of language
# models (`CausalLM.default_sampler`), as KerasHub's causal LMs sample with
# top-k, since greedy decoding of a language model soon repeats itself
# ("To be the the the ..."). Greedy and beam search stay the default where
# one exact answer is wanted (translation, captions).
SAMPLER_SETTINGS = {
    "greedy": {},
    "top_k": {"k": 5, "temperature": 0.8},
    "top_p": {"p": 0.9},
    "beam": {"num_beams": 5},
}


def _sampler_classes():
    from keras_hub.samplers import BeamSampler
    from keras_hub.samplers import GreedySampler
    from keras_hub.samplers import TopKSampler
    from keras_hub.samplers import TopPSampler

    return {
        "greedy": GreedySampler,
        "top_k": TopKSampler,
        "top_p": TopPSampler,
        "beam": BeamSampler,
    }


def get_sampler(sampler, vocabulary_size=None):
    """Returns a KerasHub sampler from a name, or the sampler itself.

    By name the defaults are (`SAMPLER_SETTINGS`): `"greedy"`; `"top_k"`
    samples among the 5 likeliest tokens at temperature 0.8; `"top_p"`
    samples from the smallest set of tokens holding 90% of the
    probability; `"beam"` keeps 5 beams. Pass an instance
    (`keras_hub.samplers.TopKSampler(k=10, temperature=0.7, seed=0)`) to
    choose other settings or a seed.

    Args:
        sampler: one of `"greedy"`, `"top_k"`, `"top_p"`, `"beam"`, or a
            `keras_hub.samplers.Sampler` instance.
        vocabulary_size: the number of token ids of the model it serves:
            by name, top-k draws among at most that many tokens.

    Returns:
        A `keras_hub.samplers.Sampler`.

    Example:

    >>> get_sampler("beam").num_beams
    5
    """
    from keras_hub.samplers import Sampler

    if isinstance(sampler, Sampler):
        return sampler
    classes = _sampler_classes()
    if isinstance(sampler, str) and sampler in classes:
        settings = dict(SAMPLER_SETTINGS[sampler])
        if "k" in settings and vocabulary_size is not None:
            settings["k"] = min(settings["k"], vocabulary_size)
        return classes[sampler](**settings)
    raise ValueError(
        f"`sampler` must be one of {SAMPLERS} or a keras_hub.samplers.Sampler "
        f"instance. Received: sampler={sampler!r}"
    )


def check_sampler(sampler, vocabulary_size):
    """Refuses a sampler that cannot serve a vocabulary of `vocabulary_size` ids.

    A top-k sampler draws among its `k` likeliest tokens: with fewer ids
    than that, the backend's top-k fails deep inside the decode ("selected
    index k out of range").
    """
    k = getattr(sampler, "k", None)
    if k is not None and k > vocabulary_size:
        raise ValueError(
            f"`sampler` draws among the k={k} likeliest tokens, but the model has "
            f"only {vocabulary_size} token ids. Pass a TopKSampler with k <= "
            f"{vocabulary_size}, or sampler='top_k' (its k is cut to the "
            f"vocabulary). Received: sampler={type(sampler).__name__}(k={k})"
        )
    return sampler
