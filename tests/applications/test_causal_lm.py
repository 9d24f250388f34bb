import functools

import keras
import numpy as np
import pytest

from keras_seq.applications import CausalLM
from tests.generative_checks import MIXED_POLICIES
from tests.generative_checks import check_generate_errors
from tests.generative_checks import check_generation
from tests.generative_checks import check_greedy
from tests.generative_checks import check_mixed_precision
from tests.generative_checks import check_sampling
from tests.generative_checks import check_task
from tests.tiers import default_and_slow

VOCABULARY, MAX_LENGTH = 20, 8
SIZES = {"num_layers": 2, "num_heads": 2, "hidden_dim": 16, "intermediate_dim": 32}
# Prompts of different lengths in one batch, right-padded.
BATCH = np.array([[3, 7, 4], [5, 0, 0]], "int32")
PROMPT_LENGTHS = (3, 1)


def _model(backbone, **kwargs):
    return CausalLM(VOCABULARY, MAX_LENGTH, backbone=backbone, **SIZES, **kwargs)


@pytest.fixture(scope="module", params=("transformer", "lstm"))
def model(request):
    keras.utils.set_random_seed(0)
    return _model(request.param)


def _training_data():
    ids = np.random.default_rng(0).integers(1, VOCABULARY, size=(8, MAX_LENGTH + 1))
    ids[0, 5:] = 0
    ids[1, 2:] = 0
    return ids[:, :-1], ids[:, 1:]


@pytest.mark.parametrize("backbone", ("transformer", "lstm"))
def test_fit_predict_config_and_save(backbone, tmp_path):
    x, y = _training_data()
    check_task(_model(backbone), x, y, tmp_path)


def test_generation_contract(model):
    check_generation(
        functools.partial(model.generate, max_length=MAX_LENGTH),
        model,
        BATCH,
        (0, BATCH[:1]),
        PROMPT_LENGTHS,
        MAX_LENGTH,
    )


def test_long_generation_reads_the_cache_in_several_lengths():
    # 150 cache slots are read in lengths 64, 128 and 150, chosen inside
    # the compiled decode loop (keras_seq.layers.cache_reads).
    model = CausalLM(VOCABULARY, 150, **SIZES)
    ids = model.generate(BATCH, max_length=150, sampler="greedy")
    check_greedy(ids, PROMPT_LENGTHS, model(ids[:, :-1]))


@pytest.mark.parametrize("backbone", ("gru", "simple_rnn"))
def test_recurrent_generation_matches_the_full_pass(backbone):
    model = _model(backbone)
    ids = model.generate(BATCH, max_length=MAX_LENGTH, sampler="greedy")
    check_greedy(ids, PROMPT_LENGTHS, model(ids[:, :-1]))


def test_random_samplers(model):
    generate = functools.partial(model.generate, max_length=MAX_LENGTH)
    check_sampling(generate, BATCH, VOCABULARY, MAX_LENGTH)


def test_generate_length(model):
    if model.init_config["backbone"] == "transformer":
        # The default: the model's max_length, also the most it embeds.
        assert model.generate(np.array([[3]])).shape == (1, MAX_LENGTH)
    else:
        # Recurrent models embed no positions: any length goes.
        ids = model.generate(np.array([[3]]), max_length=MAX_LENGTH + 2)
        assert ids.shape == (1, MAX_LENGTH + 2)


def test_generate_rejects_bad_arguments(model):
    limit = MAX_LENGTH if model.init_config["backbone"] == "transformer" else None
    check_generate_errors(model.generate, BATCH, PROMPT_LENGTHS[0], VOCABULARY, limit)
    bad_prompts = {
        "left padded": [[0, 3, 4]],
        "a gap": [[3, 0, 4]],
        "out of vocabulary": [[3, VOCABULARY]],
        "negative": [[3, -1]],
        "not 2-D": [3, 4],
        "floats": [[3.0, 4.0]],
        "empty": np.zeros((1, 0), "int32"),
    }
    for prompt in bad_prompts.values():
        with pytest.raises(ValueError, match="`prompt_ids`"):
            model.generate(np.array(prompt), max_length=MAX_LENGTH)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"vocabulary_size": 0}, "vocabulary_size"),
        ({"max_length": -1}, "max_length"),
        ({"backbone": "mamba"}, "backbone"),
        ({"num_layers": 0}, "num_layers"),
        ({"num_heads": 3}, "num_heads"),
        ({"hidden_dim": 0, "backbone": "lstm"}, "hidden_dim"),
        ({"dropout": 1.0}, "dropout"),
        ({"weights": "wikitext"}, "weights"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, name):
    arguments = {"vocabulary_size": VOCABULARY, "max_length": MAX_LENGTH, **SIZES}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=f"`{name}`"):
        CausalLM(**arguments)


def test_weights_path_loads_saved_weights(tmp_path):
    model = _model("transformer")
    path = str(tmp_path / "lm.weights.h5")
    model.save_weights(path)
    loaded = _model("transformer", weights=path)
    expected = keras.ops.convert_to_numpy(model(BATCH))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(BATCH)), expected)


@pytest.mark.parametrize(
    "backbone, policy",
    default_and_slow(
        [(b, p) for b in ("transformer", "lstm") for p in MIXED_POLICIES],
        default={("transformer", "mixed_float16")},
    ),
)
def test_mixed_precision(backbone, policy):
    x, y = _training_data()
    check_mixed_precision(
        _model(backbone, dtype=policy),
        x,
        y,
        lambda model: model.generate(BATCH, max_length=MAX_LENGTH, sampler="beam"),
    )


@pytest.mark.parametrize("backbone", ("transformer", "gru"))
def test_global_dtype_policy(backbone):
    # dtype=None takes the global policy (the conftest restores float32).
    keras.config.set_dtype_policy("mixed_bfloat16")
    model = _model(backbone)
    keras.config.set_dtype_policy("float32")
    x, y = _training_data()
    check_mixed_precision(
        model, x, y, lambda model: model.generate(BATCH, max_length=MAX_LENGTH)
    )


def test_float32_policy_by_name():
    model = _model("transformer", dtype="float32")
    assert model.dtype_policy.name == "float32"
    assert model.get_config()["dtype"]["config"]["name"] == "float32"
