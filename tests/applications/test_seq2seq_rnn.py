import functools

import keras
import numpy as np
import pytest

from keras_seq.applications import Seq2SeqRNN
from tests.generative_checks import MIXED_POLICIES
from tests.generative_checks import check_generate_errors
from tests.generative_checks import check_generation
from tests.generative_checks import check_greedy
from tests.generative_checks import check_mixed_precision
from tests.generative_checks import check_task

SOURCE_VOCABULARY, TARGET_VOCABULARY, MAX_LENGTH = 15, 20, 8
START = 1
# Sources of different lengths in one batch, right-padded.
SOURCES = np.array([[4, 9, 2, 6], [7, 3, 0, 0]], "int32")
# The padded row as a batch of its own, without the padding.
ALONE = (1, SOURCES[1:, :2])


ARGUMENTS = {
    "source_vocabulary_size": SOURCE_VOCABULARY,
    "target_vocabulary_size": TARGET_VOCABULARY,
    "max_length": MAX_LENGTH,
    "num_layers": 2,
    "hidden_dim": 16,
}


def _model(**kwargs):
    return Seq2SeqRNN(**{**ARGUMENTS, **kwargs})


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return _model()


def _training_data():
    rng = np.random.default_rng(0)
    source = rng.integers(1, SOURCE_VOCABULARY, size=(8, 6))
    source[0, 3:] = 0
    target = rng.integers(2, TARGET_VOCABULARY, size=(8, MAX_LENGTH - 1))
    target[1, 4:] = 0
    decoder_inputs = np.concatenate([np.full((8, 1), START), target[:, :-1]], axis=1)
    return {"source_ids": source, "target_ids": decoder_inputs}, target


def test_fit_predict_config_and_save(tmp_path):
    x, y = _training_data()
    check_task(_model(), x, y, tmp_path)


def test_generation_contract(model):
    generate = functools.partial(
        model.generate, max_length=MAX_LENGTH, start_token_id=START
    )
    check_generation(
        generate,
        lambda ids: model([SOURCES, ids]),
        SOURCES,
        ALONE,
        (1, 1),
        MAX_LENGTH,
    )


def test_gru_generation_matches_the_full_pass():
    model = _model(cell="gru")
    ids = model.generate(SOURCES, max_length=MAX_LENGTH, start_token_id=START)
    check_greedy(ids, (1, 1), model([SOURCES, ids[:, :-1]]))


def test_generate_rejects_bad_arguments(model):
    generate = functools.partial(model.generate, start_token_id=START)
    check_generate_errors(generate, SOURCES, 1, TARGET_VOCABULARY, None)
    with pytest.raises(ValueError, match="`start_token_id`"):
        model.generate(SOURCES, start_token_id=0)
    for source in ([[0, 4]], [[4, SOURCE_VOCABULARY]], [4, 5]):
        with pytest.raises(ValueError, match="`source_ids`"):
            model.generate(np.array(source), start_token_id=START)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"source_vocabulary_size": 0}, "source_vocabulary_size"),
        ({"cell": "transformer"}, "cell"),
        ({"num_layers": 0}, "num_layers"),
        ({"hidden_dim": None}, "hidden_dim"),
        ({"dropout": 2}, "dropout"),
        ({"weights": "missing.weights.h5"}, "weights"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        _model(**kwargs)


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
