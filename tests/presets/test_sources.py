"""`Task.from_preset` loads every source the command loads, and says why not.

The sources: a shipped preset's name, a preset folder, a `.keras` file, a
folder as `keras-seq train` writes it, and a Hugging Face checkpoint
folder (once `keras_seq.convert`, which registers its converter, is
imported); each gives the model it holds, under every backend.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

from keras_seq.applications import RNNClassifier
from keras_seq.applications import ViT
from keras_seq.cli.files import HISTORY_FILE
from keras_seq.cli.files import MODEL_FILE
from keras_seq.models import Task
from keras_seq.presets import format as preset_format
from keras_seq.presets import shipped

REPO = pathlib.Path(__file__).resolve().parents[2]
IMAGES = np.random.default_rng(0).integers(0, 256, (3, 8, 8, 1)).astype("uint8")


@pytest.fixture(scope="module")
def vit():
    from keras_seq.preprocessing import ImagePreprocessor

    model = ViT(
        input_shape=(8, 8, 1),
        patch_size=4,
        classes=3,
        num_layers=1,
        hidden_dim=16,
        num_heads=2,
        intermediate_dim=32,
        preprocessor=ImagePreprocessor((8, 8, 1)),
    )
    model(model.preprocessor(IMAGES))
    return model


def _same(loaded, model):
    assert type(loaded) is type(model)
    np.testing.assert_allclose(
        loaded.predict(IMAGES, verbose=0), model.predict(IMAGES, verbose=0), atol=1e-6
    )


def test_a_keras_file(vit, tmp_path):
    path = tmp_path / "vit.keras"
    vit.save(path)
    assert preset_format.source_kind(path) == preset_format.KERAS_FILE
    _same(Task.from_preset(path), vit)
    _same(ViT.from_preset(str(path)), vit)
    with pytest.raises(ValueError, match="holds a ViT, not a RNNClassifier"):
        RNNClassifier.from_preset(path)
    with pytest.raises(ValueError, match="takes no arguments for a .keras file"):
        Task.from_preset(path, name="other")


def test_a_run_folder_as_keras_seq_train_writes_it(vit, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    vit.save(folder / MODEL_FILE)
    (folder / HISTORY_FILE).write_text(json.dumps({"builder": "ViT"}))
    assert preset_format.source_kind(folder) == preset_format.RUN_FOLDER
    _same(Task.from_preset(folder), vit)
    _same(ViT.from_preset(str(folder)), vit)


def test_a_preset_folder(vit, tmp_path):
    folder = vit.save_to_preset(tmp_path / "preset")
    assert preset_format.source_kind(folder) == preset_format.PRESET_FOLDER
    _same(Task.from_preset(folder), vit)
    _same(ViT.from_preset(str(folder)), vit)


def test_a_shipped_preset_name_and_a_folder_of_that_name(tmp_path, monkeypatch):
    name = "japanese_vowels_lstm"
    assert preset_format.source_kind(name) == preset_format.SHIPPED_PRESET
    model = Task.from_preset(name)
    assert type(model) is RNNClassifier
    # A path object is a path, never a name: here a copy of the folder.
    monkeypatch.chdir(tmp_path)
    shutil.copytree(shipped.preset_directory(name), tmp_path / name)
    copy = pathlib.Path(name)
    assert preset_format.source_kind(copy) == preset_format.PRESET_FOLDER
    loaded = RNNClassifier.from_preset(copy)
    for old, new in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_a_hugging_face_checkpoint_folder(tmp_path):
    pytest.importorskip("transformers")
    from keras_seq import convert
    from tests.convert import checkpoints

    folder = tmp_path / "vit_checkpoint"
    checkpoints.vit_folder(folder)
    assert preset_format.source_kind(folder) == preset_format.CHECKPOINT_FOLDER
    expected = convert.from_transformers(folder)
    images = np.random.default_rng(1).integers(0, 256, (2, 16, 16, 3)).astype("uint8")
    for loaded in (Task.from_preset(folder), ViT.from_preset(str(folder))):
        assert type(loaded) is ViT
        np.testing.assert_allclose(
            loaded.predict(images, verbose=0),
            expected.predict(images, verbose=0),
            atol=1e-6,
        )
    logits = ViT.from_preset(folder, classifier_activation=None)
    assert logits.get_config()["classifier_activation"] is None
    with pytest.raises(ValueError, match="holds a ViT, not a RNNClassifier"):
        RNNClassifier.from_preset(folder)


def test_a_checkpoint_folder_needs_the_converter_registered(tmp_path, monkeypatch):
    from keras_seq.presets import load

    monkeypatch.setattr(load, "_LOADERS", {})
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "vit"}))
    with pytest.raises(ValueError, match="`import keras_seq.convert` first"):
        Task.from_preset(tmp_path)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda tmp: tmp / "missing.keras", "no such model file: .*missing.keras"),
        (lambda tmp: tmp / "notes.txt", "is not a .keras model file"),
        (lambda tmp: tmp / "empty", "holds neither model.keras"),
        (lambda tmp: "mnist_vti", "`preset` must be.*Did you mean 'mnist_vit'"),
        (lambda tmp: 3, "`preset` must be the name of a shipped preset"),
    ],
)
def test_anything_else_is_refused_naming_what_is_allowed(make, match, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=match):
        Task.from_preset(make(tmp_path))


def test_the_registry_and_the_format_import_no_keras():
    code = (
        "import sys\n"
        "import keras_seq.presets.shipped, keras_seq.presets.format\n"
        "import keras_seq.presets.listing, keras_seq.cli.shipped\n"
        "print(sorted(m for m in ('keras', 'numpy', 'tensorflow', 'jax', 'torch')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.stdout.strip() == "[]"


def test_a_recipe_writes_its_digest_into_the_registry(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "recipe_tools", REPO / "recipes" / "tools.py"
    )
    tools = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tools)
    registry = tmp_path / "shipped.json"
    shutil.copy(shipped.REGISTRY_FILE, registry)
    monkeypatch.setattr(tools, "REGISTRY_FILE", registry)
    tools.update_registry("a_new_preset", "0" * 64)
    tools.update_registry("mnist_vit", "1" * 64)
    table = json.loads(registry.read_text())
    assert list(table) == sorted(table)
    assert table == {
        **shipped.SHIPPED_PRESETS,
        "a_new_preset": "0" * 64,
        "mnist_vit": "1" * 64,
    }
