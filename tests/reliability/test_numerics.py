"""Numbers stay finite, and padding and causality hold, over random cases.

Property tests (hypothesis) over random batch sizes, lengths, padding,
head counts, causal flags, dtype policies and input scales (up to 1e4,
which makes the attention logits huge; 1e2 under float16): the attention
layer and the encoder and decoder blocks give finite outputs and
gradients on the fused and the explicit-scores paths; what sits at
padded steps changes no real step's output; and a causal layer's output
at a step ignores every later step. Every example runs eagerly on the
backend under test. The gradients, the slowest check (JAX compiles each
example's backward pass), take 4 examples in the default run and 16 in
the slow one; the other checks 6 and 16.
"""

import keras
import numpy as np
import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from keras import ops

from keras_seq.layers import MultiHeadSelfAttention
from keras_seq.layers import TransformerDecoder
from keras_seq.layers import TransformerEncoder
from tests.layer_checks import trainable_gradients
from tests.tiers import default_and_slow

SETTINGS = settings(
    deadline=None,
    derandomize=True,  # the same examples on every backend and every run
    suppress_health_check=[HealthCheck.too_slow],
)
POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")
KINDS = ("attention", "encoder", "decoder")
# float16's largest number is 65,504: at inputs of 1e4 the attention
# logits (products of two projections of them) overflow it, in this layer
# as in any float16 attention, so float16 is checked up to 1e2.
SCALES = {
    "float32": [1.0, 1e2, 1e4],
    "mixed_bfloat16": [1.0, 1e2, 1e4],
    "mixed_float16": [1.0, 1e2],
}


@st.composite
def cases(draw):
    batch = draw(st.integers(1, 3))
    time = draw(st.integers(1, 8))
    heads = draw(st.sampled_from([1, 2, 4]))
    policy = draw(st.sampled_from(POLICIES))
    return {
        "batch": batch,
        "time": time,
        "heads": heads,
        "dim": heads * draw(st.sampled_from([2, 4])),
        # A length of 0 is a row of padding only.
        "lengths": draw(st.lists(st.integers(0, time), min_size=batch, max_size=batch)),
        "causal": draw(st.booleans()),
        "policy": policy,
        "scale": draw(st.sampled_from(SCALES[policy])),
        "scores": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**16)),
    }


def _inputs(case, seed_offset=0):
    rng = np.random.default_rng(case["seed"] + seed_offset)
    shape = (case["batch"], case["time"], case["dim"])
    return (rng.normal(size=shape) * case["scale"]).astype("float32")


def _mask(case):
    return np.arange(case["time"])[None, :] < np.asarray(case["lengths"])[:, None]


def _layer(kind, case):
    keras.utils.set_random_seed(case["seed"])
    if kind == "attention":
        return MultiHeadSelfAttention(
            case["heads"], causal=case["causal"], dtype=case["policy"]
        )
    if kind == "encoder":
        return TransformerEncoder(case["heads"], 2 * case["dim"], dtype=case["policy"])
    return TransformerDecoder(case["heads"], 2 * case["dim"], dtype=case["policy"])


def _call(layer, x, mask, scores):
    if isinstance(layer, MultiHeadSelfAttention) and scores:
        outputs, _ = layer(x, mask=mask, return_attention_scores=True)
        return outputs
    return layer(x, mask=mask)


def _run_examples(check, examples, **strategies):
    """Runs `check` on `examples` cases drawn from `strategies` (hypothesis)."""
    settings(SETTINGS, max_examples=examples)(given(**strategies)(check))()


def _numpy(tensor):
    return ops.convert_to_numpy(ops.cast(tensor, "float32"))


@pytest.mark.parametrize("examples", default_and_slow([4, 16], default={4}))
def test_outputs_and_gradients_are_finite(examples):
    _run_examples(
        _check_outputs_and_gradients,
        examples,
        case=cases(),
        kind=st.sampled_from(KINDS),
    )


def _check_outputs_and_gradients(case, kind):
    layer = _layer(kind, case)
    x, mask = _inputs(case), _mask(case)
    outputs = _numpy(_call(layer, x, mask, case["scores"]))
    assert outputs.shape == x.shape
    assert np.isfinite(outputs).all(), case

    def loss(values):
        return ops.mean(ops.square(ops.cast(values, "float32")))

    kwargs = {"mask": mask}
    if kind == "attention" and case["scores"]:
        kwargs["return_attention_scores"] = False
    gradients = trainable_gradients(layer, loss, x, **kwargs)
    assert all(np.isfinite(g).all() for g in gradients if g is not None), case


def _tolerance(case):
    # Half precision rounds the sums of other lengths differently.
    relative = 1e-4 if case["policy"] == "float32" else 5e-2
    return {"rtol": relative, "atol": relative * case["scale"]}


@pytest.mark.parametrize("examples", default_and_slow([6, 16], default={6}))
def test_padded_steps_change_no_real_step(examples):
    _run_examples(
        _check_padded_steps, examples, case=cases(), kind=st.sampled_from(KINDS)
    )


def _check_padded_steps(case, kind):
    layer = _layer(kind, case)
    x, mask = _inputs(case), _mask(case)
    other = np.where(mask[..., None], x, _inputs(case, seed_offset=1))
    first = _numpy(_call(layer, x, mask, case["scores"]))
    second = _numpy(_call(layer, other, mask, case["scores"]))
    np.testing.assert_allclose(first[mask], second[mask], **_tolerance(case))


@pytest.mark.parametrize("examples", default_and_slow([6, 16], default={6}))
def test_a_causal_step_ignores_later_steps(examples):
    _run_examples(
        _check_causal_step,
        examples,
        case=cases(),
        kind=st.sampled_from(["attention", "decoder"]),
        data=st.data(),
    )


def _check_causal_step(case, kind, data):
    if kind == "attention" and not case["causal"]:
        case = {**case, "causal": True}
    layer = _layer(kind, case)
    x = _inputs(case)
    cut = data.draw(st.integers(0, case["time"] - 1), label="cut")
    later = x.copy()
    later[:, cut + 1 :] = _inputs(case, seed_offset=2)[:, cut + 1 :]
    first = _numpy(_call(layer, x, None, case["scores"]))
    second = _numpy(_call(layer, later, None, case["scores"]))
    np.testing.assert_allclose(
        first[:, : cut + 1], second[:, : cut + 1], **_tolerance(case)
    )
