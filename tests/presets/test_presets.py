"""Presets: the shipped ones load offline, checked, and reach their cards' figures.

Also: a tampered, truncated, missing or unlisted file is refused before
anything is built; `save_to_preset` under this backend loads under the
other two with the same predictions; `Builder(weights=name)` takes its
sizes from the preset; a wheel carries every shipped file.
"""

import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pytest

from keras_seq.applications import RNNClassifier
from keras_seq.applications import TextClassifier
from keras_seq.applications import ViT
from keras_seq.applications import list_presets
from keras_seq.evaluation import held_out
from keras_seq.models import Task
from keras_seq.presets import format as preset_format
from keras_seq.presets import shipped as presets
from keras_seq.presets import weights as weights_module
from tests.applications import preset_recipes
from tests.presets import preset_probe
from tests.tiers import default_and_slow
from tests.tiers import other_backends
from tests.wheel import build_wheel

REPO = pathlib.Path(__file__).resolve().parents[2]
MAX_TOTAL_BYTES = 40 * 1024 * 1024


SHIPPED = sorted(presets.SHIPPED_PRESETS)


def _metadata(name):
    return preset_format.read_metadata(name)


def _builder(name):
    return preset_recipes.builder(_metadata(name))


def _figure(name):
    return held_out.get(_metadata(name)["dataset"])


def _reaches(value, figure, name, tolerance):
    """Whether `value` is at least `tolerance` of the card's `figure`."""
    if _figure(name).higher_is_better:
        return value >= tolerance * figure
    return value <= figure / tolerance


def test_every_shipped_preset_is_listed_with_its_figures():
    infos = {info.name: info for info in list_presets()}
    assert sorted(infos) == SHIPPED
    total = 0
    for name, info in infos.items():
        metadata = _metadata(name)
        assert info.builder == metadata["builder"] == _builder(name).__name__
        assert info.dataset == metadata["dataset"] and info.split == "test"
        assert info.metric == metadata["metric"]["name"] == _figure(name).metric
        assert info.value == metadata["metric"]["value"] and np.isfinite(info.value)
        assert info.baseline and np.isfinite(info.baseline_value)
        folder = pathlib.Path(presets.preset_directory(name))
        on_disk = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        assert info.size_bytes == on_disk
        total += on_disk
    assert total < MAX_TOTAL_BYTES


@pytest.mark.parametrize("name", SHIPPED)
def test_each_preset_has_its_recipe_card_and_log(name):
    folder = REPO / "recipes" / name
    card = (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    metadata = _metadata(name)
    assert (folder / "train.py").is_file()
    assert (folder / "logs" / "train.log").is_file()
    # The card quotes the figures the recipe measured and shipped.
    assert results["metric"] == metadata["metric"]
    assert f"{metadata['metric']['value']:.4f}" in card
    assert f"{metadata['baseline']['value']:.4f}" in card
    assert f"recipes/{name}/train.py" in card
    assert results["metadata_sha256"] == presets.SHIPPED_PRESETS[name]


@pytest.mark.parametrize("readme", ["docs/presets.md", "recipes/README.md"])
def test_readme_table_quotes_every_presets_figure_and_baseline(readme):
    readme = (REPO / readme).read_text(encoding="utf-8")
    rows = {
        cells[1].strip("` "): cells
        for cells in (line.split("|") for line in readme.splitlines())
        if len(cells) > 6 and cells[1].strip().startswith("`")
    }
    for name in SHIPPED:
        metadata = _metadata(name)
        assert name in rows, f"the table of presets has no row for {name}"
        figure, baseline = rows[name][4], rows[name][5]
        assert f"{metadata['metric']['value']:.4f}" in figure, (name, figure)
        assert f"{metadata['baseline']['value']:.4f}" in baseline, (name, baseline)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_preset_loads_by_name_and_reaches_its_figure(name):
    count = preset_recipes.recipe(name).SUBSET
    builder = _builder(name)
    model = builder.from_preset(name)
    assert type(model) is builder and model.preprocessor is not None
    figure = _figure(name)
    value = figure.measure(model, *figure.examples("test", count))[figure.metric]
    figure = _metadata(name)["metric"]["value"]
    assert _reaches(value, figure, name, 0.98), (value, figure)


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_preset_reproduces_its_figure_on_the_whole_test_split(name):
    held_out_figure = _figure(name)
    inputs, targets = held_out_figure.examples("test")
    figure = _metadata(name)["metric"]
    assert len(targets) == figure["examples"]
    model = _builder(name).from_preset(name)
    value = held_out_figure.measure(model, inputs, targets)[held_out_figure.metric]
    # Another backend may flip an example or two that sit on a tie.
    assert _reaches(value, figure["value"], name, 0.9975), (value, figure)


@pytest.mark.parametrize(
    "name", default_and_slow(SHIPPED, default={"rotten_tomatoes_lstm", "mnist_vit"})
)
def test_weights_name_is_the_same_model_as_from_preset(name):
    builder = _builder(name)
    by_weights = builder(weights=name)
    assert by_weights.preprocessor is not None
    np.testing.assert_allclose(
        preset_recipes.probe_outputs(by_weights, name, count=8),
        preset_recipes.probe_outputs(builder.from_preset(name), name, count=8),
        atol=1e-6,
    )
    # A base class gets the preset's builder.
    assert type(Task.from_preset(name)) is builder


def test_weights_name_with_sizes_of_the_preset_or_conflicting():
    config = _config("mnist_vit")
    same = ViT(
        config["input_shape"],
        config["patch_size"],
        classes=10,
        num_layers=config["num_layers"],
        weights="mnist_vit",
        name="digits",
    )
    assert same.name == "digits"
    with pytest.raises(ValueError, match="`num_layers=.*conflicts with the shipped"):
        ViT(weights="mnist_vit", num_layers=config["num_layers"] + 1)
    with pytest.raises(ValueError, match="`classes=3` conflicts.*'mnist_vit'"):
        ViT(weights="mnist_vit", classes=3)
    with pytest.raises(ValueError, match="`hidden_dim=.*conflicts"):
        ViT.from_preset("mnist_vit", hidden_dim=config["hidden_dim"] * 2)


def test_a_preset_of_another_builder_is_refused_by_name():
    with pytest.raises(ValueError, match="is a ViT, not a RNNClassifier"):
        RNNClassifier(weights="mnist_vit")
    with pytest.raises(ValueError, match="is a RNNClassifier, not a ViT.*from_preset"):
        ViT.from_preset("japanese_vowels_lstm")
    with pytest.raises(ValueError, match="`preset` must be the name.*'mnist_vit'"):
        ViT.from_preset("imagenet")


# Tampering: a copy of the smallest shipped preset, registered as shipped
# under another name with the registry's digest of its metadata.json.

TAMPERED = "tampered_vowels"


class CountingClassifier(RNNClassifier):
    """An RNNClassifier that counts how often one is built."""

    built = 0

    def __init__(self, *args, **kwargs):
        type(self).built += 1
        super().__init__(*args, **kwargs)


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch):
    source = pathlib.Path(presets.preset_directory("japanese_vowels_lstm"))
    folder = tmp_path / TAMPERED
    shutil.copytree(source, folder)
    digest = presets.SHIPPED_PRESETS["japanese_vowels_lstm"]
    monkeypatch.setitem(
        preset_format._SHIPPED,
        TAMPERED,
        preset_format.ShippedPreset(TAMPERED, str(folder), digest),
    )
    monkeypatch.setattr(CountingClassifier, "built", 0)
    return folder


def _flip_a_byte(path, offset=None):
    data = bytearray(path.read_bytes())
    offset = len(data) // 2 if offset is None else offset
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _refused(match):
    """Loading the tampered copy raises `match` both ways, and builds nothing."""
    with pytest.raises(ValueError, match=match) as error:
        CountingClassifier.from_preset(TAMPERED)
    assert "Nothing was loaded" in str(error.value)
    assert "Reinstall keras-seq" in str(error.value)
    assert CountingClassifier.built == 0
    with pytest.raises(ValueError, match=match):
        RNNClassifier(weights=TAMPERED)


def test_the_untampered_copy_loads(shipped_copy):
    model = CountingClassifier.from_preset(TAMPERED)
    assert CountingClassifier.built == 1 and isinstance(model, CountingClassifier)


def test_an_altered_weights_file_is_refused(shipped_copy):
    _flip_a_byte(shipped_copy / "model.weights.h5")
    _refused(f"'{TAMPERED}'.*'model.weights.h5'.*does not match its SHA-256")


def test_a_truncated_file_is_refused(shipped_copy):
    path = shipped_copy / "config.json"
    path.write_bytes(path.read_bytes()[:-10])
    _refused("'config.json'.*bytes long, but metadata.json says.*truncated")


def test_a_missing_file_is_refused(shipped_copy):
    (shipped_copy / "model.weights.h5").unlink()
    _refused("'model.weights.h5'.*is missing")


def test_altered_metadata_is_refused_by_the_registry_digest(shipped_copy):
    # Even with a consistent digest for an altered weights file.
    weights = shipped_copy / "model.weights.h5"
    _flip_a_byte(weights)
    path = shipped_copy / "metadata.json"
    metadata = json.loads(path.read_text())
    metadata["files"]["model.weights.h5"]["sha256"] = hashlib.sha256(
        weights.read_bytes()
    ).hexdigest()
    path.write_text(json.dumps(metadata))
    _refused("'metadata.json'.*does not match the SHA-256 digest the registry")


def test_an_unlisted_file_is_refused(shipped_copy):
    (shipped_copy / "extra.weights.h5").write_bytes(b"\x89HDF")
    _refused("'extra.weights.h5'.*is not listed in metadata.json")


def test_a_model_keeps_its_weights_when_the_preset_is_refused(shipped_copy):
    model = RNNClassifier.from_preset("japanese_vowels_lstm")
    before = model.get_weights()
    fresh = RNNClassifier(**{**_config("japanese_vowels_lstm"), "preprocessor": None})
    _flip_a_byte(shipped_copy / "model.weights.h5")
    with pytest.raises(ValueError, match="SHA-256"):
        weights_module.load_weights(model, TAMPERED)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    # The weights of an intact preset load into a model built to its sizes.
    weights_module.load_weights(fresh, "japanese_vowels_lstm")
    for old, new in zip(before, fresh.get_weights()):
        np.testing.assert_array_equal(old, new)


def _config(name):
    folder = pathlib.Path(presets.preset_directory(name))
    config = json.loads((folder / "config.json").read_text())["config"]
    return {key: value for key, value in config.items() if key != "preprocessor"}


# save_to_preset: the folder, and what it holds.


def _tiny_text_classifier():
    from keras_seq.preprocessing import TextClassifierPreprocessor
    from keras_seq.preprocessing import train_byte_pair_tokenizer

    keras.utils.set_random_seed(0)
    sentences = preset_probe.SENTENCES
    tokenizer = train_byte_pair_tokenizer(sentences, vocabulary_size=300)
    model = TextClassifier(
        tokenizer.vocabulary_size(),
        32,
        classes=2,
        num_layers=1,
        hidden_dim=16,
        intermediate_dim=32,
        preprocessor=TextClassifierPreprocessor(tokenizer, sequence_length=32),
    )
    model.compile()
    model.fit(sentences, np.arange(len(sentences)) % 2, epochs=3, verbose=0)
    return model


def test_save_to_preset_writes_checked_weights_config_and_vocabulary(tmp_path):
    model = _tiny_text_classifier()
    folder = model.save_to_preset(tmp_path / "tiny", metadata={"dataset": "toy"})
    metadata = json.loads((folder / "metadata.json").read_text())
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    tokenizer = model.preprocessor.tokenizer.name
    assert files == sorted(
        [
            "config.json",
            "metadata.json",
            "model.weights.h5",
            f"assets/{tokenizer}/merges.txt",
            f"assets/{tokenizer}/vocabulary.json",
        ]
    )
    assert metadata["name"] == "tiny" and metadata["dataset"] == "toy"
    assert metadata["builder"] == "TextClassifier"
    assert metadata["backend"] == keras.backend.backend()
    for file, entry in metadata["files"].items():
        data = (folder / file).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    # Weights only: the compiled, trained model's optimizer state stays out.
    import h5py

    with h5py.File(folder / "model.weights.h5") as weights:
        assert "optimizer" not in weights
    config = json.loads((folder / "config.json").read_text())
    assert "compile_config" not in config
    loaded = TextClassifier.from_preset(folder)
    np.testing.assert_allclose(
        loaded.predict(preset_probe.SENTENCES, verbose=0),
        model.predict(preset_probe.SENTENCES, verbose=0),
        atol=1e-6,
    )
    # The vocabulary came back from the assets (not in the config).
    assert (
        loaded.preprocessor.tokenizer.vocabulary
        == model.preprocessor.tokenizer.vocabulary
    )


def test_save_to_preset_replaces_only_a_preset_and_only_when_asked(tmp_path):
    model = ViT(input_shape=(8, 8, 1), patch_size=4, classes=3)
    folder = model.save_to_preset(tmp_path / "vit")
    with pytest.raises(ValueError, match="overwrite=True"):
        model.save_to_preset(folder)
    model.save_to_preset(folder, overwrite=True)
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="not a preset"):
        model.save_to_preset(other, overwrite=True)
    assert (other / "keep.txt").read_text() == "mine"
    with pytest.raises(ValueError, match="may not set.*files"):
        model.save_to_preset(tmp_path / "x", metadata={"files": {}})


def test_a_preset_folder_refuses_an_altered_file_and_other_file_kinds(tmp_path):
    model = ViT(input_shape=(8, 8, 1), patch_size=4, classes=3)
    folder = model.save_to_preset(tmp_path / "vit")
    config = folder / "config.json"
    config.write_text(config.read_text().replace('"num_layers": 2', '"num_layers": 3'))
    with pytest.raises(
        ValueError, match="preset folder.*'config.json'.*save_to_preset"
    ):
        ViT.from_preset(folder)
    folder = model.save_to_preset(tmp_path / "vit2")
    metadata = json.loads((folder / "metadata.json").read_text())
    (folder / "model.h5").write_bytes(b"legacy")
    metadata["files"]["model.h5"] = {
        "sha256": hashlib.sha256(b"legacy").hexdigest(),
        "size": 6,
    }
    (folder / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(ValueError, match="'model.h5'.*not a file kind presets hold"):
        ViT.from_preset(folder)
    metadata["files"]["../escape.json"] = metadata["files"].pop("model.h5")
    (folder / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(ValueError, match="not a plain path inside"):
        ViT.from_preset(folder)


def test_from_preset_overrides_name_and_dtype_only(tmp_path):
    model = ViT(input_shape=(8, 8, 1), patch_size=4, classes=3)
    folder = model.save_to_preset(tmp_path / "vit")
    loaded = ViT.from_preset(folder, name="renamed", dtype="mixed_bfloat16")
    assert loaded.name == "renamed"
    assert loaded.dtype_policy.name == "mixed_bfloat16"
    assert ViT.from_preset(folder, preprocessor=None).preprocessor is None


# The same files under every backend.


@pytest.mark.parametrize("backend", other_backends())
@pytest.mark.parametrize(
    "shipped",
    [
        # A text model with a tokenizer and a series model in the default run.
        pytest.param(("rotten_tomatoes_lstm", "sunspots_lstm"), id="two"),
        pytest.param(tuple(SHIPPED), id="all", marks=pytest.mark.slow),
    ],
)
def test_save_to_preset_here_loads_under_another_backend(tmp_path, shipped, backend):
    folders, expected = [], {}
    tiny = _tiny_text_classifier()
    folders.append(tiny.save_to_preset(tmp_path / "tiny_text_classifier"))
    expected["tiny_text_classifier"] = preset_probe.predictions(
        tiny, "tiny_text_classifier"
    )
    for name in shipped:
        model = _builder(name).from_preset(name)
        # Saved again under this backend, then loaded under the other.
        folders.append(model.save_to_preset(tmp_path / name))
        expected[name] = preset_probe.predictions(model, name)
    output = tmp_path / f"{backend}.npz"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.presets.preset_probe",
            str(output),
            *map(str, folders),
        ],
        cwd=REPO,
        env={**os.environ, "KERAS_BACKEND": backend},
        check=True,
        capture_output=True,
        timeout=600,
    )
    with np.load(output) as loaded:
        assert sorted(loaded.files) == sorted(expected)
        for name, predictions in expected.items():
            np.testing.assert_allclose(
                loaded[name], predictions, atol=1e-4, err_msg=f"{name} {backend}"
            )


# Package data.


def test_a_wheel_holds_every_shipped_file(tmp_path):
    wheel = build_wheel(tmp_path)
    shipped = REPO / "keras_seq" / "presets" / "files"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "keras_seq/presets/shipped.json" in names
        files = [p for p in shipped.rglob("*") if p.is_file()]
        assert {p.parent.relative_to(shipped).parts[0] for p in files} == set(
            presets.SHIPPED_PRESETS
        )
        for path in files:
            member = path.relative_to(REPO).as_posix()
            assert member in names, member
            assert archive.read(member) == path.read_bytes(), member
