import functools

import keras
import numpy as np
import pytest

from keras_seq.applications import ImageCaptioner
from tests.generative_checks import MIXED_POLICIES
from tests.generative_checks import check_generate_errors
from tests.generative_checks import check_generation
from tests.generative_checks import check_mixed_precision
from tests.generative_checks import check_task

IMAGE_SHAPE, PATCH_SIZE = (8, 8, 3), 4
VOCABULARY, MAX_LENGTH = 20, 8
# One layer: the decoder stack is CausalLM's, tested there with two.
SIZES = {"num_layers": 1, "num_heads": 2, "hidden_dim": 16, "intermediate_dim": 32}
START = 1
IMAGES = np.random.default_rng(1).uniform(size=(2, *IMAGE_SHAPE)).astype("float32")


def _model(**kwargs):
    return ImageCaptioner(
        IMAGE_SHAPE, PATCH_SIZE, VOCABULARY, MAX_LENGTH, **SIZES, **kwargs
    )


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return _model()


def _training_data():
    rng = np.random.default_rng(0)
    images = rng.uniform(size=(8, *IMAGE_SHAPE)).astype("float32")
    captions = rng.integers(2, VOCABULARY, size=(8, MAX_LENGTH - 1))
    captions[0, 3:] = 0
    decoder_inputs = np.concatenate([np.full((8, 1), START), captions[:, :-1]], axis=1)
    return {"images": images, "token_ids": decoder_inputs}, captions


def test_fit_predict_config_and_save(tmp_path):
    x, y = _training_data()
    check_task(_model(), x, y, tmp_path)


def test_generation_contract(model):
    generate = functools.partial(
        model.generate, max_length=MAX_LENGTH, start_token_id=START
    )
    check_generation(
        generate,
        lambda ids: model([IMAGES, ids]),
        IMAGES,
        (1, IMAGES[1:]),
        (1, 1),
        MAX_LENGTH,
    )


def test_generate_rejects_bad_arguments(model):
    generate = functools.partial(model.generate, start_token_id=START)
    check_generate_errors(generate, IMAGES, 1, VOCABULARY, MAX_LENGTH)
    with pytest.raises(ValueError, match="`start_token_id`"):
        model.generate(IMAGES, start_token_id=VOCABULARY)
    for images in (IMAGES[0], IMAGES[:, :4], IMAGES[:0]):
        with pytest.raises(ValueError, match="`images`"):
            model.generate(images, start_token_id=START)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"input_shape": (8, 8)}, "input_shape"),
        ({"patch_size": 3}, "patch_size"),
        ({"vocabulary_size": 0}, "vocabulary_size"),
        ({"num_heads": 3}, "num_heads"),
        ({"weights": "coco"}, "weights"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, name):
    arguments = {
        "input_shape": IMAGE_SHAPE,
        "patch_size": PATCH_SIZE,
        "vocabulary_size": VOCABULARY,
        "max_length": MAX_LENGTH,
        **SIZES,
        **kwargs,
    }
    # The patch embedding names `patch_size=(3, 3)`.
    with pytest.raises(ValueError, match=f"`{name}"):
        ImageCaptioner(**arguments)


# Slow: test_causal_lm.py generates under a mixed policy in the default run.
@pytest.mark.slow
@pytest.mark.parametrize("policy", MIXED_POLICIES)
def test_mixed_precision(policy):
    x, y = _training_data()
    check_mixed_precision(
        _model(dtype=policy),
        x,
        y,
        lambda model: model.generate(IMAGES, start_token_id=START, sampler="beam"),
    )
