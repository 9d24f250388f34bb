"""`keras-seq export` and `keras-seq serve`: results and one-line refusals."""

import socket

import pytest

from tests.cli.conftest import keras_seq
from tests.serving import BACKEND
from tests.serving import default_under


def _one_line_error(result, *words):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@default_under("tensorflow", "torch")
def test_export_writes_a_saved_model_or_says_why_not(tmp_path):
    output = tmp_path / "sunspots"
    result = keras_seq(
        "export", "sunspots_lstm", output, "--format", "tf_saved_model", check=False
    )
    if BACKEND == "torch":
        _one_line_error(result, "use --backend tensorflow or jax")
        assert not output.exists()
        return
    assert result.returncode == 0, result.stderr
    assert "signatures: serve" in result.stdout
    assert (output / "saved_model.pb").is_file()
    again = keras_seq(
        "export", "sunspots_lstm", output, "--format", "tf_saved_model", check=False
    )
    _one_line_error(again, "exists", "--overwrite")


@default_under("jax")
def test_export_refusals(tmp_path):
    _one_line_error(
        keras_seq(
            "export",
            "hamlet_char_lm",
            tmp_path / "lm.onnx",
            "--format",
            "onnx",
            check=False,
        ),
        "decode loop",
    )
    _one_line_error(
        keras_seq(
            "export",
            "sunspots_lstm",
            tmp_path / "x.txt",
            "--format",
            "onnx",
            check=False,
        ),
        ".onnx",
    )
    _one_line_error(
        keras_seq(
            "export",
            "no_such_preset",
            tmp_path / "x.onnx",
            "--format",
            "onnx",
            check=False,
        ),
        "no model or preset",
    )


def test_serve_warns_of_other_interfaces_and_refuses_a_taken_port():
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        result = keras_seq("serve", "rotten_tomatoes", "--port", port, check=False)
        _one_line_error(result, "cannot listen", str(port))
    finally:
        taken.close()
    result = keras_seq(
        "serve", "rotten_tomatoes", "--host", "0.0.0.0", "--port", "70000", check=False
    )
    assert "warning: --host 0.0.0.0" in result.stderr
    _one_line_error(result, "--port 70000")


@pytest.mark.parametrize("command", ["export", "serve"])
def test_help_names_the_options(command):
    result = keras_seq(command, "--help", check=False)
    assert result.returncode == 0
    assert ("--format" if command == "export" else "--host") in result.stdout
