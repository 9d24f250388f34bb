"""Every application takes raw inputs through its preprocessor, and saves with it.

Each case of `raw_input_cases` trains on raw inputs, predicts or generates
from them, and is saved as a `.keras` file with its preprocessor (the
tokenizer's vocabulary inside). The file loads with `safe_mode=True` here
and, in a fresh process, under another backend, and gives the same
outputs on the same raw inputs to 1e-4. Saved without its preprocessor,
each gives the same outputs on model inputs too.

Training and saving every case is most of the time: the default run of
each backend takes a third of the cases (`GROUPS`, spread over the
backends) and loads them under the next backend, so the three runs of
`make test` cover every case once; the slow run covers every case on
every pair of backends.
"""

import functools
import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest

from tests.applications.raw_input_cases import CASES
from tests.applications.raw_input_cases import RAW_INPUTS
from tests.applications.raw_input_cases import bare_outputs
from tests.applications.raw_input_cases import model_inputs
from tests.applications.raw_input_cases import outputs
from tests.tiers import other_backends
from tests.tiers import spread_over_backends

ROOT = pathlib.Path(__file__).parents[2]
GENERATIVE = {
    "causal_lm",
    "seq2seq_transformer",
    "seq2seq_rnn",
    "image_captioner",
}
# The cases in three groups, one in each backend's default run, by the
# "+"-joined names of their cases (the test ids).
GROUPS = {
    "+".join(cases): cases
    for cases in (tuple(sorted(CASES)[start::3]) for start in range(3))
}


def _trained(case):
    keras.utils.set_random_seed(0)
    model = CASES[case]()
    x, y = RAW_INPUTS[case]()
    model.compile()
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    return model, x, y


class _TrainedOnDemand(dict):
    """`{case: (model, x, y)}`, each case trained the first time it is asked for."""

    def __missing__(self, case):
        self[case] = _trained(case)
        return self[case]


@pytest.fixture(scope="module")
def trained():
    """The cases trained once for the whole module (compiling dominates)."""
    return _TrainedOnDemand()


@pytest.mark.parametrize("case", spread_over_backends(sorted(CASES)))
def test_fit_and_outputs_on_raw_inputs(trained, case):
    model, x, y = trained[case]
    computed = outputs(model, case, x, y)
    assert len(computed) == len(x)
    assert np.isfinite(computed).all()
    if case in GENERATIVE:
        texts = model.generate(x[:3])
        assert isinstance(texts, list) and len(texts) == 3
        assert all(isinstance(text, str) for text in texts)


def test_causal_lm_generates_a_string_from_a_string(trained):
    model, _, _ = trained["causal_lm"]
    text = model.generate("a fun", max_length=12)
    assert isinstance(text, str)
    assert text.startswith("a fun")


def test_generated_text_is_the_detokenized_ids(trained):
    model, x, _ = trained["seq2seq_transformer"]
    preprocessor = model.preprocessor
    texts = model.generate(x[:2], max_length=10)
    model.preprocessor = None
    try:
        ids = model.generate(
            preprocessor.generate_preprocess(x[:2]),
            max_length=10,
            start_token_id=preprocessor.start_token_id,
            end_token_id=preprocessor.end_token_id,
        )
    finally:
        model.preprocessor = preprocessor
    assert texts == list(preprocessor.generate_postprocess(ids))


def _save(trained, directory, group):
    """Saves the cases of `group`; returns their folder and their outputs here.

    Each case is saved twice: with its preprocessor (`<case>.keras`, raw
    inputs) and without (`<case>_bare.keras`, model inputs).
    """
    directory = directory / group
    directory.mkdir()
    expected = {}
    for case in GROUPS[group]:
        model, x, y = trained[case]
        model.save(str(directory / f"{case}.keras"))
        expected[case] = outputs(model, case, x, y)
        preprocessor = model.preprocessor
        model.preprocessor = None
        try:
            model.save(str(directory / f"{case}_bare.keras"))
            inputs = model_inputs(preprocessor, case, x, y)
            expected[f"{case}_bare"] = bare_outputs(model, inputs)
        finally:
            model.preprocessor = preprocessor
    return directory, expected


@pytest.fixture(scope="module")
def saved(trained, tmp_path_factory):
    """`saved(group)`: the group saved under this backend, once per module."""
    directory = tmp_path_factory.mktemp(f"saved_{keras.backend.backend()}")
    return functools.cache(functools.partial(_save, trained, directory))


@pytest.mark.parametrize("group", spread_over_backends(list(GROUPS)))
def test_saved_file_loads_safely_with_its_preprocessor(saved, group):
    directory, expected = saved(group)
    for case in GROUPS[group]:
        x, y = RAW_INPUTS[case]()
        restored = keras.saving.load_model(
            str(directory / f"{case}.keras"), safe_mode=True
        )
        assert restored.preprocessor is not None, case
        np.testing.assert_allclose(
            outputs(restored, case, x, y), expected[case], atol=1e-5, err_msg=case
        )


@pytest.mark.parametrize("group", spread_over_backends(list(GROUPS)))
@pytest.mark.parametrize("backend", other_backends())
def test_saved_file_gives_the_same_outputs_under_another_backend(
    saved, group, backend, tmp_path
):
    directory, expected = saved(group)
    output = tmp_path / "outputs.npz"
    environment = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    probe = subprocess.run(
        [sys.executable, "-m", "tests.applications.raw_input_probe"]
        + [str(directory), str(output), *GROUPS[group]],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    loaded = np.load(output)
    assert sorted(loaded.files) == sorted(expected)
    for name, values in expected.items():
        np.testing.assert_allclose(
            loaded[name], values, atol=1e-4, err_msg=f"{name} on {backend}"
        )
