"""Checks on a submitted file's syntax tree, made before any of it runs."""

import ast

from autograder import static_checks
from autograder.static_checks import check_source


def test_a_file_importing_only_allowed_modules_passes():
    assert check_source("import numpy as np\nfrom math import exp\n", "a.py", ["numpy", "math"]) == []


def test_a_forbidden_import_is_named_with_the_allowed_list():
    problems = check_source("import numpy\nimport torch.nn as nn\n", "numpy_ann.py", ["numpy"])
    assert problems == ["numpy_ann.py imports torch, which this assignment does not allow (allowed: numpy)"], problems


def test_from_imports_and_literal_dynamic_imports_are_caught():
    source = "from sklearn.linear_model import LinearRegression\nm = __import__('torch')\nimport importlib\nk = importlib.import_module('keras')\n"
    problems = check_source(source, "a.py", ["importlib"])
    assert len(problems) == 1 and "keras, sklearn, torch" in problems[0], problems


def test_a_syntax_error_is_reported_with_its_line():
    problems = check_source("def f(:\n    pass\n", "a.py", [])
    assert len(problems) == 1 and problems[0].startswith("a.py has a syntax error at line 1"), problems


def test_a_source_over_the_size_limit_is_refused_before_it_is_parsed(monkeypatch):
    parsed = []
    real_parse = ast.parse
    monkeypatch.setattr(static_checks.ast, "parse", lambda *args, **kwargs: parsed.append(args[1:]) or real_parse(*args, **kwargs))
    source = "TABLE = [" + "0, " * (static_checks.MAX_SOURCE_BYTES // 3) + "]\n"
    problems = check_source(source, "numpy_ann.py", ["numpy"])
    assert len(problems) == 1 and problems[0].startswith("numpy_ann.py is 1.0 MB, more than the 1 MB"), problems
    assert not parsed, f"expected the oversized source refused without parsing it, got {len(parsed)} parse(s)"


def test_a_file_that_many_tests_import_is_parsed_once(sandboxed, monkeypatch):
    static_checks.analyse.cache_clear()
    parsed = []
    real_parse = ast.parse
    monkeypatch.setattr(static_checks.ast, "parse", lambda *args, **kwargs: parsed.append(args[1:]) or real_parse(*args, **kwargs))
    submission = sandboxed({"calc.py": "import numpy as np\n\n\ndef double(x):\n    return 2 * x\n"})
    for _ in range(5):
        submission.module("calc")
    assert len(parsed) == 1, f"expected calc.py parsed once for five imports, got {len(parsed)} parses"
