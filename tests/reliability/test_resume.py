"""Nothing is lost: saving and resuming continue a run exactly.

For each application (dropout 0, fixed batches): training one epoch,
saving the `.keras` file, loading it and training one more ends with the
same weights as two epochs straight (max difference 0.0), and so does a
run interrupted after its first epoch and resumed by
`keras.callbacks.BackupAndRestore`. A run killed with SIGKILL in the
middle of an epoch resumes from its last completed epoch to the weights
of an uninterrupted run (1e-6). With dropout the random stream is not
saved, so a resumed run draws other dropout masks (see docs/guarantees.md).
"""

import os
import pathlib
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from keras_seq import applications
from tests.reliability import resume_probe
from tests.tiers import default_and_slow
from tests.tiers import default_only_under

ROOT = pathlib.Path(__file__).parents[2]
SMALL = {"num_layers": 1, "hidden_dim": 8, "dropout": 0.0}
TRANSFORMER = {**SMALL, "intermediate_dim": 16, "num_heads": 2}
RNG = np.random.default_rng(0)
IDS = RNG.integers(1, 30, (16, 10)).astype("int32")
TARGET_IDS = RNG.integers(1, 30, (16, 10)).astype("int32")
IMAGES = RNG.random((16, 8, 8, 1)).astype("float32")
CLIPS = RNG.random((16, 4, 8, 8, 1)).astype("float32")
SERIES = RNG.normal(size=(16, 6, 2)).astype("float32")
CLASSES = RNG.integers(0, 3, 16)
STEP_CLASSES = RNG.integers(0, 3, (16, 10))
TWO_INPUTS = {"source_ids": IDS, "target_ids": TARGET_IDS}

# Each application: (builder, model inputs, targets).
CASES = {
    "text_classifier": (
        lambda: applications.TextClassifier(30, 10, 3, **TRANSFORMER),
        IDS,
        CLASSES,
    ),
    "causal_lm": (
        lambda: applications.CausalLM(30, 10, **TRANSFORMER),
        IDS,
        TARGET_IDS,
    ),
    "seq2seq_transformer": (
        lambda: applications.Seq2SeqTransformer(30, 30, 10, **TRANSFORMER),
        TWO_INPUTS,
        TARGET_IDS,
    ),
    "seq2seq_rnn": (
        lambda: applications.Seq2SeqRNN(30, 30, 10, cell="gru", **SMALL),
        TWO_INPUTS,
        TARGET_IDS,
    ),
    "image_captioner": (
        lambda: applications.ImageCaptioner((8, 8, 1), 4, 30, 10, **TRANSFORMER),
        {"images": IMAGES, "token_ids": IDS},
        TARGET_IDS,
    ),
    "vit": (
        lambda: applications.ViT((8, 8, 1), 4, classes=3, **TRANSFORMER),
        IMAGES,
        CLASSES,
    ),
    "vivit": (
        lambda: applications.ViViT((4, 8, 8, 1), (2, 4, 4), classes=3, **TRANSFORMER),
        CLIPS,
        CLASSES,
    ),
    "rnn_classifier": (
        lambda: applications.RNNClassifier(3, input_shape=(None, 2), **SMALL),
        SERIES,
        CLASSES,
    ),
    "sequence_tagger": (
        lambda: applications.SequenceTagger(
            3, vocabulary_size=30, max_length=10, **TRANSFORMER
        ),
        IDS,
        STEP_CLASSES,
    ),
}
# The default run covers a generator; the others are marked slow.
PARAMETERS = default_and_slow(sorted(CASES), default={"causal_lm"})


def _fresh(name):
    keras.utils.set_random_seed(1)
    build, _, _ = CASES[name]
    model = build()
    model.compile()
    return model


def _fit(model, name, epochs, **kwargs):
    _, x, y = CASES[name]
    model.fit(x, y, batch_size=4, epochs=epochs, shuffle=False, verbose=0, **kwargs)
    return model


def _largest_difference(first, second):
    pairs = zip(first.get_weights(), second.get_weights())
    return max(float(np.max(np.abs(a - b))) for a, b in pairs)


class _StopAfterFirstEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            raise KeyboardInterrupt("stopped after the first epoch")


@pytest.mark.parametrize("name", PARAMETERS)
def test_saving_and_resuming_continue_the_run_exactly(name, tmp_path):
    straight = _fit(_fresh(name), name, epochs=2)

    path = str(tmp_path / f"{name}.keras")
    _fit(_fresh(name), name, epochs=1).save(path)
    loaded = _fit(keras.saving.load_model(path), name, epochs=1)
    assert type(loaded) is type(straight)
    assert _largest_difference(loaded, straight) == 0.0

    backup = str(tmp_path / "backup")
    with pytest.raises(KeyboardInterrupt):
        _fit(
            _fresh(name),
            name,
            epochs=2,
            callbacks=[
                keras.callbacks.BackupAndRestore(backup),
                _StopAfterFirstEpoch(),
            ],
        )
    epochs = []
    resumed = _fit(
        _fresh(name),
        name,
        epochs=2,
        callbacks=[
            keras.callbacks.BackupAndRestore(backup),
            keras.callbacks.LambdaCallback(
                on_epoch_begin=lambda e, _: epochs.append(e)
            ),
        ],
    )
    assert epochs == [1]  # the completed first epoch is not run again
    assert _largest_difference(resumed, straight) == 0.0


def _probe(folder, *flags, wait=True):
    command = [
        sys.executable,
        "-m",
        "tests.reliability.resume_probe",
        str(folder),
        *flags,
    ]
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stderr=subprocess.PIPE, text=True
    )
    if wait:
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr[-3000:]
    return process


def _final_weights(folder):
    with np.load(folder / "final.npz") as weights:
        return [weights[key] for key in sorted(weights.files, key=lambda k: int(k[4:]))]


@default_only_under("jax")  # its cheapest backend (two minutes on PyTorch)
def test_a_run_killed_mid_epoch_resumes_to_the_uninterrupted_weights(tmp_path):
    killed = tmp_path / "killed"
    killed.mkdir()
    process = _probe(killed, "--stall", wait=False)
    deadline = time.time() + 500
    while not (killed / "stalled").exists() and time.time() < deadline:
        assert process.poll() is None, process.communicate()[1][-3000:]
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert not (killed / "final.npz").exists()
    _probe(killed)  # resumes from the backup of epoch 1

    straight = tmp_path / "straight"
    straight.mkdir()
    resume_probe.main(straight)  # uninterrupted, in this process
    resumed, expected = _final_weights(killed), _final_weights(straight)
    assert len(resumed) == len(expected) == len(resume_probe.build().weights)
    for got, want in zip(resumed, expected):
        np.testing.assert_allclose(got, want, atol=1e-6)
