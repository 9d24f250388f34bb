"""Tiny checkpoint folders, written once per session and shared by the tests."""

import pytest

pytest.importorskip("transformers")

from tests.convert import checkpoints  # noqa: E402


@pytest.fixture(scope="session")
def gpt2(tmp_path_factory):
    path = tmp_path_factory.mktemp("gpt2")
    model, tokenizer = checkpoints.gpt2_folder(path)
    return path, model, tokenizer


@pytest.fixture(scope="session")
def bert(tmp_path_factory):
    path = tmp_path_factory.mktemp("bert")
    model, tokenizer = checkpoints.bert_folder(path)
    return path, model, tokenizer


@pytest.fixture(scope="session")
def vit(tmp_path_factory):
    path = tmp_path_factory.mktemp("vit")
    model, processor = checkpoints.vit_folder(path)
    return path, model, processor


@pytest.fixture(scope="session")
def vivit(tmp_path_factory):
    path = tmp_path_factory.mktemp("vivit")
    model, processor = checkpoints.vivit_folder(path)
    return path, model, processor
