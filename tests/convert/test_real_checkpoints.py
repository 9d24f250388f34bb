"""Real checkpoint folders, where a machine has them (none ship here).

    KERAS_SEQ_CHECKPOINTS=DIR KERAS_BACKEND=jax \\
        .venv/bin/python -m pytest tests/convert -m checkpoint

`DIR/<name>` is a folder of `huggingface-cli download <repo> --local-dir`,
for the names below; each runs the comparisons of the tiny models on it.
The example of the guide (`docs/convert.md`) also runs here, on a tiny GPT-2
folder.
"""

import os
import pathlib
import re

import keras
import numpy as np
import pytest

from keras_seq.convert import from_transformers
from tests.convert import checkpoints

ROOT = os.environ.get("KERAS_SEQ_CHECKPOINTS")
GUIDE = pathlib.Path(__file__).parents[2] / "docs" / "convert.md"


def _folder(name):
    path = os.path.join(ROOT or "", name)
    if not ROOT or not os.path.isdir(path):
        pytest.skip(f"no checkpoint folder {name} under KERAS_SEQ_CHECKPOINTS")
    return path


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.checkpoint
@pytest.mark.slow
@pytest.mark.parametrize("name", ["gpt2", "distilgpt2"])
def test_gpt2_checkpoint(name):
    import torch
    import transformers

    path = _folder(name)
    reference = transformers.GPT2LMHeadModel.from_pretrained(path).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    model = from_transformers(path)
    for text in checkpoints.sample_strings():
        ids = [int(i) for i in model.preprocessor.tokenizer.tokenize(text)]
        assert ids == tokenizer(text)["input_ids"], text
    prompt = np.array([tokenizer("The meaning of")["input_ids"]])
    with torch.no_grad():
        logits = reference(torch.as_tensor(prompt)).logits.numpy()
        expected = reference.generate(
            torch.as_tensor(prompt), max_new_tokens=32, min_new_tokens=32,
            do_sample=False, pad_token_id=0,
        ).numpy()  # fmt: skip
    np.testing.assert_allclose(_numpy(model(prompt)), logits, atol=1e-3)
    length = prompt.shape[1] + 32
    generated = model.generate(prompt, max_length=length, sampler="greedy")
    np.testing.assert_array_equal(generated, expected)


@pytest.mark.checkpoint
@pytest.mark.slow
@pytest.mark.parametrize(
    "name, kind",
    [
        ("vit-base-patch16-224", "ViTForImageClassification"),
        ("vivit-b-16x2-kinetics400", "VivitForVideoClassification"),
        ("bert-base-uncased", "BertModel"),
    ],
)
def test_encoder_checkpoint(name, kind):
    import transformers

    path = _folder(name)
    reference = getattr(transformers, kind).from_pretrained(path).eval()
    model = from_transformers(path, classifier_activation=None)
    rng = np.random.default_rng(0)
    if kind == "BertModel":
        ids = rng.integers(1000, 2000, (2, 16))
        expected = checkpoints.torch_outputs(reference, input_ids=ids).pooler_output
        outputs = model(ids)
    else:
        shape = model.input.shape[1:]
        inputs = rng.normal(size=(1, *shape)).astype("float32")
        axes = (0, 3, 1, 2) if len(shape) == 3 else (0, 1, 4, 2, 3)
        expected = checkpoints.torch_outputs(
            reference, pixel_values=inputs.transpose(axes)
        ).logits
        outputs = model(inputs)
    np.testing.assert_allclose(_numpy(outputs), expected.numpy(), atol=1e-3)


def test_guide_example_runs_on_a_gpt2_folder(tmp_path, monkeypatch):
    section = GUIDE.read_text()
    block = re.search(r"```py\n(.*?)```", section, re.S).group(1)
    checkpoints.gpt2_folder(tmp_path / "gpt2")
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "docs/convert.md", "exec"), {})
    assert (tmp_path / "gpt2.keras").is_file()
