"""Checks on a submitted file's syntax tree, before anything of it runs."""

import ast


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


def check_source(source, filename, allowed_imports):
    """Problems that forbid running a submitted file; an empty list when it may run.

    Inputs:
    - source: the file's text.
    - filename: its name, for messages.
    - allowed_imports: top-level module names the file may import.
    """
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        return [f"{filename} has a syntax error at line {exc.lineno}: {exc.msg}"]
    except ValueError as exc:
        return [f"{filename} cannot be parsed: {exc}"]
    forbidden = sorted(imported_modules(tree) - set(allowed_imports) - {"__future__"})
    if forbidden:
        return [
            f"{filename} imports {', '.join(forbidden)}, which this assignment does not allow "
            f"(allowed: {', '.join(sorted(allowed_imports))})"
        ]
    return []
