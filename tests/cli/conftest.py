"""Runs `keras-seq` under the backend the tests run under.

`keras_seq(...)` runs the command in this process (`keras_seq.cli.main`,
its output captured): a new interpreter would spend most of each test
importing TensorFlow, KerasHub and the backend again. `keras_seq_process`
runs it as users do, in a subprocess, for what only a fresh process shows
(a quiet start-up, the exit status, the console script).

The tiny models are trained once per session (`--tiny --limit N`: a
sliver of each data set, a small model) and shared by the tests that
read them.
"""

import contextlib
import io
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

BACKEND = keras.backend.backend()


def environment(**extra):
    env = dict(os.environ, KERAS_BACKEND=BACKEND, OMP_NUM_THREADS="1")
    env.pop("KERAS_SEQ_CLI_VERBOSE", None)
    env.update(extra)
    return env


def keras_seq(*args, cwd=None, check=True):
    """Runs `keras-seq ARGS` in this process; returns a CompletedProcess."""
    from keras_seq.cli import main

    argv = list(map(str, args))
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        stack.enter_context(contextlib.redirect_stdout(stdout))
        stack.enter_context(contextlib.redirect_stderr(stderr))
        try:
            returncode = main(argv)
        except SystemExit as exit:  # argparse: --help, usage errors
            returncode = exit.code
    result = subprocess.CompletedProcess(
        argv, returncode, stdout.getvalue(), stderr.getvalue()
    )
    return _checked(result, check)


def keras_seq_process(*args, cwd=None, timeout=600, check=True):
    """Runs `python -m keras_seq ARGS` in a subprocess; returns the CompletedProcess."""
    result = subprocess.run(
        [sys.executable, "-m", "keras_seq", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment(),
        timeout=timeout,
    )
    return _checked(result, check)


def _checked(result, check):
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, result.args))} exited {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return result


def refused_line(*args):
    """The one line `keras-seq args` writes as it refuses them (exit status 2)."""
    result = keras_seq(*args, check=False)
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def check_png(path, min_size=(300, 200)):
    """The PNG opens, is at least `min_size` pixels and is not one flat colour."""
    from PIL import Image

    with Image.open(path) as image:
        assert image.format == "PNG"
        width, height = image.size
        pixels = np.asarray(image.convert("RGB"), dtype="float32")
    assert width >= min_size[0] and height >= min_size[1], image.size
    assert pixels.std() > 5.0, "the image is blank"
    # More than a frame and a background: lines, labels, heat maps.
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20


@pytest.fixture(scope="session")
def text_run(tmp_path_factory):
    """A tiny TextClassifier trained by `keras-seq train` (2 epochs)."""
    folder = tmp_path_factory.mktemp("text_run")
    result = keras_seq_process(
        "train", "--tiny", "--limit", 96, "--epochs", 2, "--output", folder
    )
    return folder, result


@pytest.fixture(scope="session")
def language_model(tmp_path_factory):
    """A tiny character CausalLM trained by `keras-seq train causal_lm`."""
    folder = tmp_path_factory.mktemp("lm_run")
    keras_seq(
        "train",
        "causal_lm",
        "--tiny",
        "--limit",
        16,
        "--epochs",
        1,
        "--output",
        folder,
    )
    return folder


@pytest.fixture(scope="session")
def vit_run(tmp_path_factory):
    """A tiny ViT on the 8x8 digits, and one test digit as a PNG."""
    from PIL import Image

    from keras_seq.datasets import digits

    folder = tmp_path_factory.mktemp("vit_run")
    keras_seq(
        "train",
        "vit",
        "--data",
        "digits",
        "--tiny",
        "--limit",
        64,
        "--epochs",
        1,
        "--output",
        folder,
    )
    images, labels = digits.load_data("test")
    png = folder / "digit.png"
    Image.fromarray(images[0][..., 0]).save(png)
    return folder, png
