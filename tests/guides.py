"""The README and the guides of the documentation site, for the tests.

The README is the landing page; the guides are `docs/*.md`, in the order
of mkdocs.yml's navigation (the API reference pages hold no examples).
Several tests read them: their Python examples run (tests/test_readme.py,
tests/test_install.py), their install lines install (tests/test_install.py)
and their tables quote the shipped figures (tests/applications).
"""

import pathlib
import re

REPO = pathlib.Path(__file__).parents[1]
README = REPO / "README.md"
DOCS = REPO / "docs"
CONFIG = REPO / "mkdocs.yml"


def nav_pages():
    """The pages of mkdocs.yml's navigation, relative to docs/, in order."""
    return re.findall(r"^\s*- [^:\n]+: (\S+\.md)\s*$", CONFIG.read_text(), re.M)


def guide(name):
    """The path of the guide `name` (`"install.md"`)."""
    return DOCS / name


def pages():
    """The README, then every guide of the navigation written in docs/.

    A page that only includes a file of the repository (the architecture,
    the developers' notes, the benchmarks) or only holds the API reference
    is left out: it has no examples of its own.
    """
    found = [README]
    for name in nav_pages():
        path = DOCS / name
        text = path.read_text(encoding="utf-8")
        if name.startswith("api/") or text.lstrip().startswith("--8<--"):
            continue
        found.append(path)
    return found


def python_blocks(text):
    """The code of every ```python block of `text`, in order."""
    return re.findall(r"```python\n(.*?)```", text, re.S)
