"""Checkpoints keras-seq does not convert fail early, naming why."""

import json
import os
import shutil

import pytest

from keras_seq.convert import from_transformers


def _copy(source, target, **config_changes):
    shutil.copytree(source, target)
    if config_changes:
        file = os.path.join(target, "config.json")
        with open(file) as handle:
            config = json.load(handle)
        config.update(config_changes)
        with open(file, "w") as handle:
            json.dump(config, handle)
    return target


def test_another_architecture_names_its_model_type(gpt2, tmp_path):
    folder = _copy(gpt2[0], tmp_path / "llama", model_type="llama")
    with pytest.raises(ValueError, match="model_type='llama'.*'bert', 'gpt2'"):
        from_transformers(folder)


@pytest.mark.parametrize(
    "option, value",
    [("scale_attn_by_inverse_layer_idx", True), ("activation_function", "swish")],
)
def test_an_unsupported_option_is_named(gpt2, tmp_path, option, value):
    folder = _copy(gpt2[0], tmp_path / "gpt2", **{option: value})
    with pytest.raises(ValueError, match=f"`{option}={value!r}`"):
        from_transformers(folder)


def test_bert_with_relative_positions_is_refused(bert, tmp_path):
    folder = _copy(bert[0], tmp_path / "bert", position_embedding_type="relative_key")
    with pytest.raises(ValueError, match="position_embedding_type='relative_key'"):
        from_transformers(folder)


@pytest.mark.parametrize(
    "removed, message",
    [
        ("config.json", "lacks config.json"),
        ("model.safetensors", "lacks model.safetensors"),
        ("tokenizer.json", "lacks its tokenizer: it needs vocab.json and merges.txt"),
    ],
)
def test_a_missing_file_is_named(gpt2, tmp_path, removed, message):
    folder = _copy(gpt2[0], tmp_path / "gpt2")
    for name in (
        {removed, "vocab.json", "merges.txt"}
        if removed == "tokenizer.json"
        else {removed}
    ):
        if os.path.exists(folder / name):
            os.remove(folder / name)
    with pytest.raises(ValueError, match=message):
        from_transformers(folder)
    if removed == "tokenizer.json":
        # The model alone still converts.
        assert from_transformers(folder, tokenizer=False).preprocessor is None


def test_a_pytorch_only_folder_is_told_to_use_safetensors(vit, tmp_path):
    folder = _copy(vit[0], tmp_path / "vit")
    os.rename(folder / "model.safetensors", folder / "pytorch_model.bin")
    with pytest.raises(ValueError, match="pytorch_model.bin.*safe_serialization"):
        from_transformers(folder)


def test_a_tensor_of_another_shape_is_named(vit, tmp_path):
    folder = _copy(vit[0], tmp_path / "vit", intermediate_size=48)
    with pytest.raises(ValueError, match="intermediate.dense.weight.*shape"):
        from_transformers(folder)
