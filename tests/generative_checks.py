"""The contract every generative application honours, checked in one place."""

import keras
import numpy as np
import pytest
from keras_hub.samplers import BeamSampler

BEAMS = 3


def check_task(model, x, y, tmp_path, epochs=4):
    """Fit lowers the loss; predict gives next-token logits; the model
    round-trips through `get_config`, and through a `.keras` file with
    equal outputs."""
    model.compile()
    history = model.fit(x, y, batch_size=len(y), epochs=epochs, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0], losses
    outputs = model.predict(x, verbose=0)
    vocabulary_size = model.decoder_stack.vocabulary_size
    assert outputs.shape == (*y.shape, vocabulary_size)
    assert np.all(np.isfinite(outputs))

    config = model.get_config()
    clone = type(model).from_config(config)
    assert clone.get_config() == config
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]

    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), outputs, atol=1e-5)


def check_greedy(ids, prompt_lengths, logits):
    """Each generated token is the argmax of the full forward pass over the
    tokens before it (`logits`: that pass over `ids[:, :-1]`).

    By causality this is greedy decoding re-run from scratch at every
    step: no cache, no carried state, no sampler.
    """
    logits = keras.ops.convert_to_numpy(logits)
    # Id 0 is padding: generation never emits it.
    expected = np.argmax(logits[:, :, 1:], axis=-1) + 1
    for row, length in enumerate(prompt_lengths):
        np.testing.assert_array_equal(ids[row, length:], expected[row, length - 1 :])


def truncate_after_end(ids, prompt_lengths, end_token_id):
    """`ids` with every token after the first generated `end_token_id` zeroed."""
    ids = ids.copy()
    for row, length in zip(ids, prompt_lengths):
        ends = np.flatnonzero(row[length:] == end_token_id)
        if ends.size:
            row[length + ends[0] + 1 :] = 0
    return ids


def check_generation(generate, logits_of, batch, alone, prompt_lengths, max_length):
    """Cached generation against the full forward pass, batching, beams, end token.

    Args:
        generate: `generate(inputs, **kwargs)`, the model's `generate` with
            its other arguments bound.
        logits_of: `logits_of(ids)`, the logits of a full teacher-forced pass
            of the model over the decoder ids `ids` `(batch, time)` (for an
            encoder-decoder, with `batch` as its sources).
        batch: the inputs of `generate`: rows of different lengths, padded.
        alone: `(index, inputs)`: one row of `batch` as a batch of its own,
            unpadded.
        prompt_lengths: the length of each row's prompt (encoder-decoders: 1).
        max_length: the length `generate` produces.
    """
    greedy = generate(batch, sampler="greedy")
    assert greedy.shape == (len(prompt_lengths), max_length)
    assert greedy.dtype == np.int32
    check_greedy(greedy, prompt_lengths, logits_of(greedy[:, :-1]))

    one_beam = generate(batch, sampler=BeamSampler(num_beams=1))
    np.testing.assert_array_equal(one_beam, greedy)

    beams = generate(batch, sampler=BeamSampler(num_beams=BEAMS))
    index, inputs = alone
    one = generate(inputs, sampler=BeamSampler(num_beams=BEAMS))
    np.testing.assert_array_equal(one[0], beams[index])

    end_token_id = int(greedy[0, prompt_lengths[0]])
    ended = generate(batch, sampler="greedy", end_token_id=end_token_id)
    expected = truncate_after_end(greedy, prompt_lengths, end_token_id)
    np.testing.assert_array_equal(ended, expected)
    assert ended[0, prompt_lengths[0] + 1 :].sum() == 0


def check_sampling(generate, batch, vocabulary_size, max_length):
    """Random samplers keep the prompt and emit real ids only."""
    prompt_lengths = np.count_nonzero(batch, axis=1)
    for sampler in ("top_k", "top_p"):
        ids = generate(batch, sampler=sampler)
        assert ids.shape == (len(batch), max_length)
        for row, prompt, length in zip(ids, batch, prompt_lengths):
            np.testing.assert_array_equal(row[:length], prompt[:length])
            assert np.all((row[length:] >= 1) & (row[length:] < vocabulary_size))


def check_generate_errors(generate, batch, longest_prompt, vocabulary_size, limit):
    """Bad `generate` arguments fail with a ValueError naming the argument."""
    bad = [
        ({"max_length": 0}, "max_length"),
        ({"max_length": longest_prompt}, "max_length"),
        ({"sampler": "nucleus"}, "sampler"),
        ({"sampler": BeamSampler(num_beams=2, return_all_beams=True)}, "sampler"),
        ({"end_token_id": 0}, "end_token_id"),
        ({"end_token_id": vocabulary_size}, "end_token_id"),
    ]
    if limit is not None:
        bad.append(({"max_length": limit + 1}, "max_length"))
    for kwargs, name in bad:
        with pytest.raises(ValueError, match=f"`{name}`"):
            generate(batch, **kwargs)


MIXED_POLICIES = ("mixed_float16", "mixed_bfloat16")


def check_mixed_precision(model, x, y, generate):
    """Every layer computes in the model's mixed policy, on float32 weights.

    Only the `InputLayer`s differ (they carry their inputs' dtypes); the
    decoder stack casts its logits to float32 itself, so the loss and the
    samplers read float32. A short fit gives finite losses, and
    `generate(model)` runs.
    """
    policy = model.dtype_policy.name
    assert policy in MIXED_POLICIES, policy
    for layer in model._flatten_layers(include_self=False):
        if not isinstance(layer, keras.layers.InputLayer):
            assert layer.dtype_policy.name == policy, (layer.path, layer.dtype_policy)
    assert all(
        keras.backend.standardize_dtype(w.dtype) == "float32" for w in model.weights
    )
    assert keras.backend.standardize_dtype(model.outputs[0].dtype) == "float32"

    model.compile()
    history = model.fit(x, y, batch_size=len(y), epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"])), history.history["loss"]
    logits = keras.ops.convert_to_numpy(model(x))
    assert logits.dtype == np.float32 and np.all(np.isfinite(logits))

    ids = generate(model)
    vocabulary_size = model.decoder_stack.vocabulary_size
    assert ids.dtype == np.int32 and np.all((ids >= 0) & (ids < vocabulary_size))
    assert type(model).from_config(model.get_config()).dtype_policy.name == policy
