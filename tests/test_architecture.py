"""The package keeps the layout and import rules of ARCHITECTURE.md.

Every module under keras_seq/ is parsed with `ast` (nothing is imported),
and every import is read: module-level ones, those inside functions, and
`importlib.import_module("...")` calls with a literal name (or an f-string
whose literal start names a module). Three rules:

- only keras_seq/backend/, keras_seq/serving/ and keras_seq/convert/
  import torch, jax, tensorflow or Keras' private `keras.src`;
- each part of the package imports only the parts of keras_seq that
  `ALLOWED` lists (the table of ARCHITECTURE.md, which a test keeps equal
  to this one);
- no module of the package is over `MAX_LINES` lines.

The table is here, once; ARCHITECTURE.md shows it to readers.
"""

import ast
import pathlib
import re

import pytest

REPO = pathlib.Path(__file__).parents[1]
PACKAGE = REPO / "keras_seq"
ARCHITECTURE = REPO / "ARCHITECTURE.md"
MAX_LINES = 500

# Which parts of keras_seq each part may import, bottom to top. A part is a
# subpackage (`layers`) or a top-level module (`generation`); `keras_seq`
# is the package's own `__init__.py`. Imports inside a part are free.
ALLOWED = {
    part: set(may_import.split())
    for part, may_import in {
        "version": "",
        "utils": "",
        "backend": "utils",
        "generation": "utils",
        "plotting": "utils",
        "layers": "utils backend",
        "presets": "utils version",
        "models": "utils backend generation layers presets",
        "preprocessing": "utils",
        "data": "utils",
        "datasets": "utils data",
        "applications": "utils generation layers models presets preprocessing",
        "evaluation": "utils data datasets",
        "callbacks": "utils plotting",
        "distribution": "utils backend layers applications",
        "convert": "utils backend layers models presets preprocessing applications",
        "serving": "utils backend generation plotting layers models presets "
        "preprocessing data datasets applications evaluation",
        "cli": "utils version backend generation plotting layers models presets "
        "preprocessing data datasets applications evaluation callbacks "
        "distribution convert serving",
        "__main__": "cli",
        "keras_seq": "version",
    }.items()
}
# Only these parts run backend code: they may import the backends' own
# libraries and Keras' private modules.
BACKEND_LIBRARIES = ("torch", "jax", "jaxlib", "tensorflow", "keras.src")
MAY_IMPORT_BACKENDS = {"backend", "serving", "convert"}


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def _part(path):
    """The part of the package a module belongs to (`layers`, `generation`)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if len(parts) == 1:
        return "keras_seq" if parts[0] == "__init__" else parts[0]
    return parts[0]


def _dotted(path, root):
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _literal_start(node):
    """The literal string, or the literal start of an f-string, of `node`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            # Only the whole dotted names before the first placeholder.
            return first.value.rsplit(".", 1)[0] if "." in first.value else ""
    return None


def imports(path, root=REPO):
    """`(line, dotted name)` of every module `path` imports, wherever.

    `root` is the folder that holds the `keras_seq` package of `path`.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _dotted(path, root)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            # `from keras_seq import layers` and `from keras import src`
            # import the submodule named.
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and node.args:
            function = node.func
            name = getattr(function, "attr", None) or getattr(function, "id", None)
            if name in ("import_module", "__import__"):
                start = _literal_start(node.args[0])
                if start:
                    found.append((node.lineno, start))
    return found


def _is_backend_library(name):
    return any(name == lib or name.startswith(lib + ".") for lib in BACKEND_LIBRARIES)


def _keras_seq_part(name):
    parts = name.split(".")
    if parts[0] != "keras_seq" or len(parts) < 2:
        return None
    return parts[1]


def _where(path, line):
    return f"{path.relative_to(REPO)}:{line}"


def backend_imports_outside_backend():
    """`file:line imports name` for each backend library imported elsewhere."""
    return [
        f"{_where(path, line)} imports {name}"
        for path in _modules()
        if _part(path) not in MAY_IMPORT_BACKENDS
        for line, name in imports(path)
        if _is_backend_library(name)
    ]


def forbidden_imports(part):
    """`file:line imports keras_seq.X` for each import `ALLOWED` refuses."""
    allowed = ALLOWED[part] | {part}
    return [
        f"{_where(path, line)} imports {name} ({part} may import: "
        f"{', '.join(sorted(ALLOWED[part])) or 'nothing of keras_seq'})"
        for path in _modules()
        if _part(path) == part
        for line, name in imports(path)
        if _keras_seq_part(name) not in (None, *allowed)
    ]


def architecture_table(text):
    """{part: set of parts} from ARCHITECTURE.md's "Who may import whom"."""
    section = text.split("\n## Who may import whom\n", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        part = cells[0].split("`")[1]
        names = re.findall(r"`([\w.]+)`", cells[1])
        table[part] = set(names)
    return table


def test_every_part_of_the_package_has_its_row():
    parts = {_part(path) for path in _modules()}
    assert not parts - set(ALLOWED), (
        f"parts of keras_seq with no row in ALLOWED (and ARCHITECTURE.md): "
        f"{sorted(parts - set(ALLOWED))}"
    )


def test_architecture_md_shows_the_same_table():
    table = architecture_table(ARCHITECTURE.read_text(encoding="utf-8"))
    assert table == ALLOWED, {
        part: (sorted(table.get(part, ())), sorted(ALLOWED.get(part, ())))
        for part in set(table) | set(ALLOWED)
        if table.get(part) != ALLOWED.get(part)
    }


def test_only_backend_serving_and_convert_import_the_backends():
    found = backend_imports_outside_backend()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_part_imports_only_what_it_may(part):
    found = forbidden_imports(part)
    assert not found, "\n".join(found)


def test_no_package_module_is_over_the_line_limit():
    long = [
        f"{path.relative_to(REPO)}: {count} lines"
        for path in _modules()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long, "\n".join(long)


def test_the_checks_read_every_kind_of_import(tmp_path):
    """Imports inside functions, relative ones and importlib's are all read."""
    module = tmp_path / "keras_seq" / "layers" / "example.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "import importlib\n"
        "from keras import src\n"
        "from ..applications import vit\n"
        "def f(name):\n"
        "    import torch.nn\n"
        "    from keras_seq import cli\n"
        "    importlib.import_module(f'keras_seq.datasets.{name}')\n"
        "    return importlib.import_module('jax.numpy')\n"
    )
    names = sorted(name for _, name in imports(module, root=tmp_path))
    assert names == [
        "importlib",
        "jax.numpy",
        "keras.src",
        "keras_seq.applications.vit",
        "keras_seq.cli",
        "keras_seq.datasets",
        "torch.nn",
    ]
    assert [name for name in names if _is_backend_library(name)] == [
        "jax.numpy",
        "keras.src",
        "torch.nn",
    ]
