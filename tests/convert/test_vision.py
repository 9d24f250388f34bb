"""ViT and ViViT checkpoints: the converted models give `transformers`' outputs."""

import keras
import numpy as np
import pytest

from keras_seq.convert import from_transformers
from tests.convert import checkpoints

TOLERANCE = 1e-4


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_vit_logits_match(vit):
    path, reference, _ = vit
    model = from_transformers(path, classifier_activation=None)
    images = np.random.default_rng(0).normal(size=(2, 16, 16, 3)).astype("float32")
    expected = checkpoints.torch_outputs(
        reference, pixel_values=images.transpose(0, 3, 1, 2)
    )
    np.testing.assert_allclose(
        _numpy(model(images)), expected.logits.numpy(), atol=TOLERANCE
    )


def test_vit_model_hidden_states_and_features_match(tmp_path):
    reference, _ = checkpoints.vit_folder(tmp_path, classifier=False)
    model = from_transformers(tmp_path)
    assert not model.init_config["include_top"]
    images = np.random.default_rng(1).normal(size=(2, 16, 16, 3)).astype("float32")
    expected = checkpoints.torch_outputs(
        reference, pixel_values=images.transpose(0, 3, 1, 2)
    )
    hidden = keras.Model(model.input, model.get_layer("encoder").output)
    last = expected.last_hidden_state.numpy()
    np.testing.assert_allclose(_numpy(hidden(images)), last, atol=TOLERANCE)
    np.testing.assert_allclose(_numpy(model(images)), last[:, 0], atol=TOLERANCE)


def test_vit_preprocessor_scales_as_the_image_processor(vit):
    path, reference, processor = vit
    model = from_transformers(path, classifier_activation=None)
    pixels = np.random.default_rng(2).integers(
        0, 256, size=(2, 16, 16, 3), dtype="uint8"
    )
    processed = processor(list(pixels), return_tensors="np")["pixel_values"]
    images = model.preprocessor(pixels)
    np.testing.assert_allclose(images, processed.transpose(0, 2, 3, 1), atol=1e-6)
    expected = checkpoints.torch_outputs(
        reference, pixel_values=processed
    ).logits.numpy()
    np.testing.assert_allclose(_numpy(model(images)), expected, atol=TOLERANCE)


def test_vivit_logits_and_preprocessor_match(vivit):
    path, reference, processor = vivit
    model = from_transformers(path, classifier_activation=None)
    assert model.init_config["variant"] == "spatiotemporal"
    videos = np.random.default_rng(3).normal(size=(2, 4, 8, 8, 3)).astype("float32")
    expected = checkpoints.torch_outputs(
        reference, pixel_values=videos.transpose(0, 1, 4, 2, 3)
    )
    np.testing.assert_allclose(
        _numpy(model(videos)), expected.logits.numpy(), atol=TOLERANCE
    )
    clips = np.random.default_rng(4).integers(
        0, 256, size=(2, 4, 8, 8, 3), dtype="uint8"
    )
    processed = processor([list(clip) for clip in clips], return_tensors="np")
    processed = processed["pixel_values"]
    videos = model.preprocessor(clips)
    np.testing.assert_allclose(videos, processed.transpose(0, 1, 3, 4, 2), atol=1e-5)
    expected = checkpoints.torch_outputs(reference, pixel_values=processed)
    np.testing.assert_allclose(
        _numpy(model(videos)), expected.logits.numpy(), atol=TOLERANCE
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["vit", "vivit"])
def test_fine_tune_save_and_load_under_another_backend(name, request, tmp_path):
    path = request.getfixturevalue(name)[0]
    model = from_transformers(path)
    shape = model.input.shape[1:]
    pixels = np.random.default_rng(5).integers(0, 256, (4, *shape), dtype="uint8")
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(pixels, np.array([0, 1, 2, 0]), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    file = tmp_path / f"{name}.keras"
    model.save(file)
    inputs = model.preprocessor(pixels)
    other = checkpoints.outputs_under(
        checkpoints.other_backend(), file, inputs, tmp_path
    )
    np.testing.assert_allclose(other, _numpy(model(inputs)), atol=TOLERANCE)
