"""Checks on a submitted file's syntax tree, before anything of it runs.

A file is read and parsed once per grading process whatever the number of tests that import it
(``analyse`` is cached by content), and a source larger than ``MAX_SOURCE_BYTES`` is refused before it is
parsed: parsing a multi-megabyte literal costs the grading process seconds and gigabytes.
"""

import ast
import functools
from dataclasses import dataclass

MAX_SOURCE_BYTES = 2**20


def imported_modules(tree):
    """Top-level names of the modules a syntax tree imports (absolute imports only).

    Also catches ``__import__("x")`` and ``importlib.import_module("x")`` with a literal name.
    """
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and dynamic_import_name(node):
            names.add(dynamic_import_name(node).split(".")[0])
    return names


def dynamic_import_name(call):
    """The literal module name of an ``__import__``/``import_module`` call, else None."""
    func = call.func
    called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    if called in ("__import__", "import_module") and call.args and isinstance(call.args[0], ast.Constant):
        value = call.args[0].value
        return value if isinstance(value, str) else None
    return None


@dataclass(frozen=True)
class Analysis:
    """What the static checks found in one source: ``problem`` (why it cannot be parsed, or None) and ``imports``
    (the top-level names it imports, see ``imported_modules``)."""

    problem: str = None
    imports: frozenset = frozenset()


@functools.lru_cache(maxsize=64)
def analyse(source, filename):
    """The ``Analysis`` of a submitted file's text (str or UTF-8 bytes), parsed at most once per content."""
    size = len(source.encode("utf-8") if isinstance(source, str) else source)
    if size > MAX_SOURCE_BYTES:
        return Analysis(problem=(f"{filename} is {size / 2**20:.1f} MB, more than the {MAX_SOURCE_BYTES // 2**20} MB a submitted "
                                 "source file may have; data belongs in a data file, not in the code"))
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        return Analysis(problem=f"{filename} has a syntax error at line {exc.lineno}: {exc.msg}")
    except (ValueError, MemoryError, RecursionError) as exc:
        return Analysis(problem=f"{filename} cannot be parsed: {type(exc).__name__}: {exc}")
    return Analysis(imports=frozenset(imported_modules(tree)))


def check_source(source, filename, allowed_imports):
    """Problems that forbid running a submitted file; an empty list when it may run.

    Inputs:
    - source: the file's text.
    - filename: its name, for messages.
    - allowed_imports: top-level module names the file may import.
    """
    analysis = analyse(source, filename)
    if analysis.problem:
        return [analysis.problem]
    forbidden = sorted(analysis.imports - set(allowed_imports) - {"__future__"})
    if forbidden:
        return [
            f"{filename} imports {', '.join(forbidden)}, which this assignment does not allow "
            f"(allowed: {', '.join(sorted(allowed_imports))})"
        ]
    return []
