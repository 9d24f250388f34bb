"""The documentation site builds strictly, and its guides are the README's.

`mkdocs build --strict` (what `make docs` runs) fails on any warning: a
link to a page or an anchor that does not exist, a page left out of the
navigation, a file a snippet includes that is missing, a name of the API
reference that mkdocstrings cannot find, a cross-reference it cannot
resolve, a docstring it cannot parse. The API reference is read from the
sources statically, so the build imports no keras_seq module and takes
seconds. The build is the same under every backend; it runs once per
`make test` backend all the same, being that quick.
"""

import ast
import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

from tests.tiers import default_only_under

REPO = pathlib.Path(__file__).parents[1]
DOCS = REPO / "docs"
CONFIG = REPO / "mkdocs.yml"
# The public names the API reference documents, one page each.
API_MODULES = (
    "layers",
    "models",
    "applications",
    "preprocessing",
    "datasets",
    "data",
    "callbacks",
    "generation",
    "presets",
)
BUILD_TIMEOUT = 600

needs_mkdocs = pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None
    or importlib.util.find_spec("mkdocstrings_handlers") is None,
    reason="mkdocs and mkdocstrings are not installed: "
    'pip install -e ".[docs]" (make install does)',
)


def nav_pages():
    """The pages mkdocs.yml's navigation lists, in order."""
    return re.findall(r"^\s*- [^:\n]+: (\S+\.md)\s*$", CONFIG.read_text(), re.M)


@needs_mkdocs
@default_only_under("tensorflow")  # reads no backend: once is enough
def test_the_site_builds_strictly(tmp_path):
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"]
        + ["--config-file", str(CONFIG), "--site-dir", str(site)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    for page in nav_pages():
        assert (site / page).with_suffix(".html").is_file(), page
    # Every public name of `__all__` has its entry, under the package or,
    # for a package that loads its names on first use, under the submodule
    # that defines it (constants aside: a value without a docstring has none).
    for module in API_MODULES:
        html = (site / "api" / f"{module}.html").read_text(encoding="utf-8")
        missing = [
            name
            for name in public_names(module)
            if not name.isupper()
            and not re.search(rf'id="keras_seq\.{module}(\.\w+)*\.{name}"', html)
        ]
        assert not missing, (module, missing)


def public_names(module):
    """The names of `__all__` of keras_seq.`module` (read, not imported)."""
    path = REPO / "keras_seq" / module / "__init__.py"
    if not path.is_file():
        path = REPO / "keras_seq" / f"{module}.py"
    return _all_of(path)


def _all_of(path):
    """The names of the module's `__all__`, if it has one."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            getattr(target, "id", None) == "__all__" for target in node.targets
        ):
            return ast.literal_eval(node.value)
    return []


def test_every_guide_and_api_page_is_in_the_navigation():
    listed = set(nav_pages())
    pages = {
        str(path.relative_to(DOCS))
        for path in DOCS.rglob("*.md")
        if "extensions" not in path.parts
    }
    assert pages == listed, (sorted(pages - listed), sorted(listed - pages))
    for module in API_MODULES:
        page = (DOCS / "api" / f"{module}.md").read_text()
        assert f"::: keras_seq.{module}\n" in page, module


def test_the_readme_links_to_guides_that_exist():
    readme = (REPO / "README.md").read_text()
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    assert any(link.startswith("docs/") for link in links)
    for link in links:
        assert (REPO / link).is_file(), link


def test_every_figure_of_the_guides_has_its_picture():
    for path in DOCS.glob("*.md"):
        for picture in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", path.read_text()):
            assert (path.parent / picture).is_file(), (path.name, picture)


def _written_pages():
    """The README, the repository's notes and every guide, with their text."""
    names = ["README.md", "ARCHITECTURE.md", "DEVELOPERS.md", "BENCHMARKS.md"]
    paths = [REPO / name for name in names] + sorted(DOCS.glob("*.md"))
    return {path.relative_to(REPO): path.read_text(encoding="utf-8") for path in paths}


PATH = re.compile(r"`((?:keras_seq|tests|examples|recipes|benchmarks|docs)/[^`\s]*)`")
DOTTED = re.compile(r"`(keras_seq(?:\.\w+)+)")


def test_every_path_the_pages_name_exists():
    missing = [
        f"{page}: {path}"
        for page, text in _written_pages().items()
        for path in PATH.findall(text)
        if not any(char in path for char in "<*{$")
        and not (REPO / path.split("::")[0].rstrip(".,:")).exists()
    ]
    assert not missing, "\n".join(missing)


def _defined_names(path):
    """The names a module defines or imports at its top level (read, not run)."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    # A package that loads its names on first use (`__getattr__`) lists
    # them in `__all__`.
    return names | set(_all_of(path))


def _exists(dotted):
    """Whether `keras_seq.a.b.c` is a module of the package or a name in one."""
    parts = dotted.split(".")
    folder = REPO
    for index, part in enumerate(parts):
        if (folder / part / "__init__.py").is_file():
            folder = folder / part
            module = folder / "__init__.py"
        elif (folder / f"{part}.py").is_file():
            module = folder / f"{part}.py"
            rest = parts[index + 1 :]
            return not rest or rest[0] in _defined_names(module)
        else:
            return part in _defined_names(module)
    return True


def test_every_keras_seq_name_the_pages_write_exists():
    missing = [
        f"{page}: {name}"
        for page, text in _written_pages().items()
        for name in DOTTED.findall(text)
        if not _exists(name)
    ]
    assert not missing, "\n".join(missing)
