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


def get_sampler(sampler):
    """Returns a KerasHub sampler from a name, or the sampler itself.

    By name the defaults are: `"greedy"`; `"top_k"` samples among the 5
    likeliest tokens; `"top_p"` samples from the smallest set of tokens
    holding 90% of the probability; `"beam"` keeps 5 beams. Pass an instance
    (`keras_hub.samplers.TopKSampler(k=10, temperature=0.7, seed=0)`) to
    choose other settings or a seed.

    Args:
        sampler: one of `"greedy"`, `"top_k"`, `"top_p"`, `"beam"`, or a
            `keras_hub.samplers.Sampler` instance.

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
        defaults = {"top_p": {"p": 0.9}, "beam": {"num_beams": 5}}
        return classes[sampler](**defaults.get(sampler, {}))
    raise ValueError(
        f"`sampler` must be one of {SAMPLERS} or a keras_hub.samplers.Sampler "
        f"instance. Received: sampler={sampler!r}"
    )
