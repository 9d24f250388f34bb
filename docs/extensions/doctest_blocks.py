"""A Griffe extension: the docstrings' `>>>` examples shown as code.

keras-seq's docstrings put their doctests (which pytest runs) at the top
level of the docstring, after an "Example:" line, as Keras' own do, rather
than indented under a Google-style "Examples:" section. Markdown would read
them as text, and their printed arrays (`[[0. 0.]]`) as reference links.
This extension wraps each run of `>>>` lines, with the `...` lines and the
output that follow it up to a blank line, in a fenced `pycon` block. It
reads the docstring's text only (static: nothing is imported).
"""

import re

from griffe import Extension

PROMPT = re.compile(r"^>>>( |$)")
FENCE = re.compile(r"^(```|~~~)")


def fence_doctests(text):
    """`text` with every top-level doctest block inside a `pycon` fence."""
    lines = text.split("\n")
    out, in_fence, index = [], False, 0
    while index < len(lines):
        line = lines[index]
        if FENCE.match(line):
            in_fence = not in_fence
        if in_fence or not PROMPT.match(line):
            out.append(line)
            index += 1
            continue
        block = []
        while index < len(lines) and lines[index].strip():
            block.append(lines[index])
            index += 1
        if out and out[-1].strip():
            out.append("")
        out.extend(["```pycon", *block, "```"])
    return "\n".join(out)


class DoctestBlocks(Extension):
    """Fences the top-level doctest blocks of every docstring."""

    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
