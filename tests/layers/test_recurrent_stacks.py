import keras
import numpy as np
import pytest
from keras import ops

from keras_seq.layers.masking import attached_mask
from keras_seq.layers.recurrent_stacks import RECURRENT_CELLS
from keras_seq.models import RecurrentDecoderStack
from keras_seq.models import RecurrentStack
from tests.layer_checks import check_layer
from tests.tiers import default_and_slow

BATCH, TIME, FEATURES, HIDDEN, VOCABULARY = 3, 5, 4, 6, 20
LENGTHS = np.array([5, 3, 1])
MASK = np.arange(TIME)[None, :] < LENGTHS[:, None]


def _inputs():
    return (
        np.random.default_rng(0).normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    )


def _numpy(x):
    return ops.convert_to_numpy(x)


# Not "lstm": its forget-gate biases start at 1 in every layer, which the
# helper's distinct-initial-weights check flags; the tests below cover it.
@pytest.mark.parametrize(
    "cell, bidirectional",
    default_and_slow(
        [
            (cell, bidirectional)
            for cell in ("gru", "simple_rnn")
            for bidirectional in (False, True)
        ],
        default={("gru", False), ("simple_rnn", True)},
    ),
)
def test_layer_contract(cell, bidirectional, tmp_path):
    check_layer(
        RecurrentStack,
        {
            "cell": cell,
            "num_layers": 2,
            "hidden_dim": HIDDEN,
            "dropout": 0.1,
            "bidirectional": bidirectional,
        },
        _inputs(),
        expected_output_shape=(BATCH, TIME, HIDDEN * (2 if bidirectional else 1)),
        input_mask=MASK,
        tmp_path=tmp_path,
    )


def _plain_keras_stack(cell, num_layers, bidirectional, dropout, return_sequences):
    """The same stack written out with Keras layers: what it must equal."""
    layers = [keras.Input((TIME, FEATURES)), keras.layers.Masking(0.0)]
    for index in range(num_layers):
        layer = RECURRENT_CELLS[cell](
            HIDDEN, return_sequences=return_sequences or index < num_layers - 1
        )
        if bidirectional:
            layer = keras.layers.Bidirectional(layer)
        layers.append(layer)
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    return keras.Sequential(layers)


@pytest.mark.parametrize("cell", ("lstm", "gru"))
@pytest.mark.parametrize("bidirectional", (False, True))
@pytest.mark.parametrize("return_sequences", (False, True))
def test_equals_the_keras_layers_it_stacks(cell, bidirectional, return_sequences):
    # Padded steps are zeros, which Masking masks: the stack honours the
    # mask, and without the time axis returns each row's last real step.
    x = np.where(MASK[..., None], _inputs(), 0.0).astype("float32")
    reference = _plain_keras_stack(cell, 2, bidirectional, 0.2, return_sequences)
    inputs = keras.Input((TIME, FEATURES))
    stack = RecurrentStack(
        cell,
        2,
        HIDDEN,
        dropout=0.2,
        bidirectional=bidirectional,
        return_sequences=return_sequences,
    )
    model = keras.Model(inputs, stack(keras.layers.Masking(0.0)(inputs)))
    model.set_weights(reference.get_weights())
    expected = reference.predict(x, verbose=0)
    actual = model.predict(x, verbose=0)
    if return_sequences:
        expected, actual = expected[MASK], actual[MASK]
    np.testing.assert_allclose(actual, expected, atol=1e-5)


def test_last_real_step_ignores_padding():
    stack = RecurrentStack("gru", 2, HIDDEN, return_sequences=False)
    x = _inputs()
    padded = _numpy(stack(x, mask=MASK))
    for row, length in enumerate(LENGTHS):
        alone = _numpy(stack(x[row : row + 1, :length]))
        np.testing.assert_allclose(padded[row], alone[0], atol=1e-5)


@pytest.mark.parametrize("cell, num_states", [("lstm", 2), ("gru", 1)])
def test_states_round_trip(cell, num_states):
    stack = RecurrentStack(cell, 2, HIDDEN, return_state=True)
    x = _inputs()
    sequence, state = stack(x, mask=MASK)
    assert tuple(sequence.shape) == (BATCH, TIME, HIDDEN)
    assert tuple(state.shape) == (BATCH, 2, num_states, HIDDEN)
    assert stack.compute_output_shape((None, TIME, FEATURES)) == (
        (None, TIME, HIDDEN),
        (None, 2, num_states, HIDDEN),
    )
    # Reading in two halves, the second from the first's states, equals
    # reading it all at once.
    _, whole = stack(x)
    _, first = stack(x[:, :2])
    _, second = stack(x[:, 2:], initial_state=first)
    np.testing.assert_allclose(_numpy(second), _numpy(whole), atol=1e-5)
    np.testing.assert_array_equal(_numpy(attached_mask(sequence)), MASK)


def test_bidirectional_takes_no_states():
    with pytest.raises(ValueError, match="return_state"):
        RecurrentStack("lstm", 1, HIDDEN, bidirectional=True, return_state=True)
    stack = RecurrentStack("gru", 1, HIDDEN, bidirectional=True)
    with pytest.raises(ValueError, match="`initial_state`"):
        stack(_inputs(), initial_state=np.zeros((BATCH, 1, 1, HIDDEN), "float32"))


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"cell": "transformer"}, "cell"),
        ({"num_layers": 0}, "num_layers"),
        ({"hidden_dim": None}, "hidden_dim"),
        ({"dropout": 1.5}, "dropout"),
    ],
)
def test_rejects_bad_arguments(kwargs, name):
    arguments = {"cell": "gru", "num_layers": 1, "hidden_dim": HIDDEN, **kwargs}
    with pytest.raises(ValueError, match=f"`{name}`"):
        RecurrentStack(**arguments)


def _ids():
    ids = np.random.default_rng(0).integers(1, VOCABULARY, size=(BATCH, TIME))
    return np.where(MASK, ids, 0).astype("int32")


def test_decoder_stack_config_save_and_mask(tmp_path):
    token_ids = keras.Input((None,), dtype="int32")
    stack = RecurrentDecoderStack("lstm", VOCABULARY, 2, HIDDEN, dropout=0.1)
    model = keras.Model(token_ids, stack(token_ids))
    ids = _ids()
    logits = stack(ids)
    assert tuple(logits.shape) == (BATCH, TIME, VOCABULARY)
    np.testing.assert_array_equal(_numpy(attached_mask(logits)), MASK)

    config = stack.get_config()
    clone = RecurrentDecoderStack.from_config(config)
    assert clone.get_config() == config
    clone(ids)
    clone.set_weights(stack.get_weights())
    np.testing.assert_allclose(_numpy(clone(ids)), _numpy(logits), atol=1e-6)

    path = tmp_path / "decoder.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    restored = loaded.predict(ids, verbose=0)
    np.testing.assert_allclose(restored, _numpy(logits), atol=1e-5)


@pytest.mark.parametrize("prefilled", (0, 1, 3))
def test_cached_decoding_equals_the_full_pass(prefilled):
    stack = RecurrentDecoderStack("gru", VOCABULARY, 2, HIDDEN)
    ids = _ids()[:1]
    full = _numpy(stack(ids))
    state = stack.init_cache(1, TIME)
    state = stack.prefill(ids[:, :4], ops.convert_to_tensor(prefilled), state)
    for index in range(prefilled, TIME):
        logits, state = stack.call_with_cache(ids[:, index : index + 1], state, index)
        np.testing.assert_allclose(_numpy(logits)[0], full[0, index], atol=1e-5)


@pytest.mark.parametrize("policy", ("mixed_float16", "mixed_bfloat16"))
def test_decoder_stack_mixed_precision(policy):
    stack = RecurrentDecoderStack("lstm", VOCABULARY, 2, HIDDEN, dtype=policy)
    logits = stack(_ids())
    assert keras.backend.standardize_dtype(logits.dtype) == "float32"
    assert np.all(np.isfinite(_numpy(logits)))
    for layer in stack._flatten_layers(include_self=True):
        assert layer.dtype_policy.name == policy, layer.name
    assert all(w.dtype == "float32" for w in stack.weights)
