"""`keras-seq convert`, and predict/generate on a checkpoint folder."""

import keras
import numpy as np

from tests.cli.conftest import keras_seq


def test_convert_writes_a_keras_file_that_generates(gpt2, tmp_path):
    output = tmp_path / "gpt2.keras"
    result = keras_seq("convert", gpt2[0], output)
    assert "wrote" in result.stdout and "CausalLM" in result.stdout
    loaded = keras.saving.load_model(output)
    assert loaded.init_config["tie_embeddings"]
    refused = keras_seq("convert", gpt2[0], output, check=False)
    assert refused.returncode == 2 and "--overwrite" in refused.stderr
    generated = keras_seq(
        "generate", gpt2[0], "--prompt", "The meaning of", "--sampler", "greedy",
        "--max-length", "12",
    )  # fmt: skip
    expected = loaded.generate("The meaning of", max_length=12, sampler="greedy")
    assert expected in generated.stdout


def test_predict_reads_a_checkpoint_folder_with_its_labels(bert):
    result = keras_seq("predict", bert[0], "hello world", "--json")
    assert "LABEL_" in result.stdout


def test_a_folder_of_another_model_type_is_one_line(gpt2, tmp_path):
    import json
    import shutil

    folder = tmp_path / "t5"
    shutil.copytree(gpt2[0], folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "t5"}))
    result = keras_seq("convert", folder, tmp_path / "t5.keras", check=False)
    assert result.returncode == 2
    assert "model_type='t5'" in result.stderr
    assert not np.any([(tmp_path / "t5.keras").exists()])
