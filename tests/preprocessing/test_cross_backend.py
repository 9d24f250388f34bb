"""The preprocessors return the same arrays under every backend.

The preprocessors are built and saved here; a subprocess under each other
backend loads the `.keras` file and runs them on the same raw inputs.
"""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from keras_seq.preprocessing import CausalLMPreprocessor
from keras_seq.preprocessing import ImageCaptionerPreprocessor
from keras_seq.preprocessing import ImagePreprocessor
from keras_seq.preprocessing import Seq2SeqPreprocessor
from keras_seq.preprocessing import SeriesPreprocessor
from keras_seq.preprocessing import TextClassifierPreprocessor
from keras_seq.preprocessing import VideoPreprocessor
from keras_seq.preprocessing import character_tokenizer
from keras_seq.preprocessing import train_byte_pair_tokenizer
from tests.preprocessing import cross_backend_probe
from tests.preprocessing.checks import ENGLISH
from tests.preprocessing.checks import TEXTS
from tests.preprocessing.checks import Holder
from tests.tiers import other_backends

ROOT = pathlib.Path(__file__).parents[2]


def preprocessors():
    # One tokenizer each: Keras cannot restore the assets of one tokenizer
    # object shared by two layers (Seq2SeqPreprocessor saves a shared one
    # once, itself).
    bpe, target_bpe = (
        train_byte_pair_tokenizer(TEXTS, n, min_frequency=1) for n in (400, 350)
    )
    series = SeriesPreprocessor(3, sequence_length=8)
    series.adapt(cross_backend_probe.raw_inputs()["series"])
    return {
        "causal_lm": CausalLMPreprocessor(bpe, 32),
        "classifier": TextClassifierPreprocessor(character_tokenizer(), 16),
        "seq2seq": Seq2SeqPreprocessor(
            character_tokenizer(texts=ENGLISH), target_bpe, 32, 16
        ),
        "captioner": ImageCaptionerPreprocessor(
            ImagePreprocessor((8, 8, 1)), character_tokenizer(), 16
        ),
        "videos": VideoPreprocessor((4, 8, 8, 3), scale=2.0 / 255.0, offset=-1.0),
        "series": series,
    }


@pytest.mark.parametrize("other", other_backends())
def test_same_outputs_under_another_backend(other, tmp_path):
    built = preprocessors()
    expected = cross_backend_probe.run(built)
    model_path = tmp_path / "preprocessors.keras"
    Holder(built).save(model_path)
    out_path = tmp_path / f"{other}.npz"
    env = {**os.environ, "KERAS_BACKEND": other, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.preprocessing.cross_backend_probe",
            str(model_path),
            str(out_path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    with np.load(out_path) as saved:
        assert str(saved["backend"]) == other
        got = {name: saved[name] for name in saved.files if name != "backend"}
    assert sorted(got) == sorted(expected)
    for name, array in expected.items():
        assert got[name].dtype == array.dtype and got[name].shape == array.shape, name
        np.testing.assert_array_equal(got[name], array, err_msg=name)
    # The outputs are real: texts decoded, the series standardized.
    assert expected["causal_lm.texts.0"].item() == "HAMLET\n"
    assert expected["series.0"].dtype == np.float32
