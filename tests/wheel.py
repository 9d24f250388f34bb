"""keras-seq's wheel, built as a user's `pip` would build it."""

import pathlib
import shutil
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]


def build_wheel(directory):
    """Builds the wheel into `directory` and returns its path.

    The build reads a copy of the sources (pyproject.toml, README.md and
    keras_seq/), so that it leaves no build/ or egg-info in the checkout,
    and uses this environment's setuptools, offline.
    """
    directory = pathlib.Path(directory)
    source = directory / "source"
    source.mkdir(parents=True)
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / part, source / part)
    shutil.copytree(
        REPO / "keras_seq",
        source / "keras_seq",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(directory / "dist"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = (directory / "dist").glob("keras_seq-*.whl")
    return wheel
