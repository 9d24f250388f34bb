"""Runs an example script in this process and reads the metric it reports."""

import importlib.util
import math
import pathlib
import re

EXAMPLES = pathlib.Path(__file__).parents[2] / "examples"


def run_example(name, argv, capsys):
    """Runs `examples/<name>.py`'s `main(argv)`; returns what it printed.

    In-process, so a test pays for no second import of Keras and its
    backend; the script still parses `argv` exactly as from a shell.
    """
    script = EXAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(argv)
    return capsys.readouterr().out


def reported(output, metric):
    """The number on the `test <metric>: <number>` line; it must be finite."""
    line = re.search(rf"^test {metric}: *([^\s,]+)", output, re.MULTILINE)
    assert line, f"no `test {metric}: <number>` line in:\n{output}"
    value = float(line.group(1))
    assert math.isfinite(value), line.group(0)
    return value
