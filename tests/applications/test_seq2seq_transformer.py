import functools

import keras
import numpy as np
import pytest

from keras_seq.applications import Seq2SeqTransformer
from tests.generative_checks import MIXED_POLICIES
from tests.generative_checks import check_generate_errors
from tests.generative_checks import check_generation
from tests.generative_checks import check_mixed_precision
from tests.generative_checks import check_task

SOURCE_VOCABULARY, TARGET_VOCABULARY = 15, 20
SOURCE_LENGTH, TARGET_LENGTH = 6, 8
# One layer: the decoder stack is CausalLM's, tested there with two.
SIZES = {"num_layers": 1, "num_heads": 2, "hidden_dim": 16, "intermediate_dim": 32}
START = 1
# Sources of different lengths in one batch, right-padded.
SOURCES = np.array([[4, 9, 2, 6], [7, 3, 0, 0]], "int32")
# The padded row as a batch of its own, without the padding.
ALONE = (1, SOURCES[1:, :2])


def _model(**kwargs):
    return Seq2SeqTransformer(
        SOURCE_VOCABULARY,
        TARGET_VOCABULARY,
        max_length=SOURCE_LENGTH,
        target_max_length=TARGET_LENGTH,
        **SIZES,
        **kwargs,
    )


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return _model()


def _training_data():
    rng = np.random.default_rng(0)
    source = rng.integers(1, SOURCE_VOCABULARY, size=(8, SOURCE_LENGTH))
    source[0, 3:] = 0
    target = rng.integers(2, TARGET_VOCABULARY, size=(8, TARGET_LENGTH - 1))
    target[1, 4:] = 0
    decoder_inputs = np.concatenate([np.full((8, 1), START), target[:, :-1]], axis=1)
    return {"source_ids": source, "target_ids": decoder_inputs}, target


def test_fit_predict_config_and_save(tmp_path):
    x, y = _training_data()
    check_task(_model(), x, y, tmp_path)


def test_generation_contract(model):
    generate = functools.partial(
        model.generate, max_length=TARGET_LENGTH, start_token_id=START
    )
    check_generation(
        generate,
        lambda ids: model([SOURCES, ids]),
        SOURCES,
        ALONE,
        (1, 1),
        TARGET_LENGTH,
    )


def test_takes_a_list_or_a_dict(model):
    # The shapes of the generation test: no new compilation under JAX.
    target_ids = np.tile(np.arange(1, TARGET_LENGTH), (len(SOURCES), 1))
    by_name = model({"source_ids": SOURCES, "target_ids": target_ids})
    in_order = model([SOURCES, target_ids])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(in_order), keras.ops.convert_to_numpy(by_name)
    )


def test_generate_rejects_bad_arguments(model):
    generate = functools.partial(model.generate, start_token_id=START)
    check_generate_errors(generate, SOURCES, 1, TARGET_VOCABULARY, TARGET_LENGTH)
    for start_token_id in (0, TARGET_VOCABULARY):
        with pytest.raises(ValueError, match="`start_token_id`"):
            model.generate(SOURCES, start_token_id=start_token_id)
    # Required: missing (or None) is a TypeError, as for a missing argument.
    for kwargs in ({}, {"start_token_id": None}):
        with pytest.raises(TypeError, match="`start_token_id`"):
            model.generate(SOURCES, **kwargs)
    bad_sources = (
        [[0, 4]],
        [[4, SOURCE_VOCABULARY]],
        [4, 5],
        np.ones((1, SOURCE_LENGTH + 1), "int32"),
    )
    for source in bad_sources:
        with pytest.raises(ValueError, match="`source_ids`"):
            model.generate(np.array(source), start_token_id=START)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"source_vocabulary_size": 0}, "source_vocabulary_size"),
        ({"target_vocabulary_size": 1.5}, "target_vocabulary_size"),
        ({"target_max_length": 0}, "target_max_length"),
        ({"num_heads": 3}, "num_heads"),
        ({"dropout": -0.1}, "dropout"),
        ({"weights": "opus"}, "weights"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, name):
    arguments = {
        "source_vocabulary_size": SOURCE_VOCABULARY,
        "target_vocabulary_size": TARGET_VOCABULARY,
        "max_length": SOURCE_LENGTH,
        **SIZES,
        **kwargs,
    }
    with pytest.raises(ValueError, match=f"`{name}`"):
        Seq2SeqTransformer(**arguments)


# Slow: test_causal_lm.py generates under a mixed policy in the default run.
@pytest.mark.slow
@pytest.mark.parametrize("policy", MIXED_POLICIES)
def test_mixed_precision(policy):
    x, y = _training_data()
    check_mixed_precision(
        _model(dtype=policy),
        x,
        y,
        lambda model: model.generate(SOURCES, start_token_id=START, sampler="beam"),
    )


def test_generation_projects_the_source_once_not_at_every_step(monkeypatch):
    model = _model()
    model.compile(run_eagerly=True)  # Python runs every step: calls count
    projections = []
    for layer in model.decoder_stack.transformer_layers:
        key_dense = layer.cross_attention.key_dense
        monkeypatch.setattr(key_dense, "call", _counted(key_dense.call, projections))
    model.generate(SOURCES, max_length=TARGET_LENGTH, start_token_id=START)
    assert len(projections) == SIZES["num_layers"]


def _counted(call, calls):
    def counted(*args, **kwargs):
        calls.append(1)
        return call(*args, **kwargs)

    return counted
