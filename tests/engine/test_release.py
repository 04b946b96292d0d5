"""The release tooling: clearing solutions, the handout, the two zips, and the committed Fashion-MNIST handout."""

import ast
import importlib.metadata
import io
import json
import shutil
import sys
import textwrap
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest
from conftest import run_cli

from autograder.budget import write_reference_timing
from autograder.grading import AssignmentLayout
from autograder.manifest import load_manifest
from autograder.notebook import read_notebook_files
from autograder.release import (
    GRADING_PACKAGES,
    ReleaseError,
    build_handout,
    build_zips,
    clear_solutions,
    handout_differences,
    pinned_requirements,
    reference_outputs,
    release,
    stale_reference_outputs,
    stored_differences,
)
from autograder.tolerance import CROSS_MACHINE_ULPS

REPO_ROOT = Path(__file__).resolve().parents[2]

SOLUTION_TEXT = '''\
"""A calculator."""

import numpy as np


class Calculator:
    """Adds and doubles."""

    def double(self, x):
        """Twice ``x`` (N,) -> (N,)."""
        ### BEGIN SOLUTION
        twice_the_input_values = 2 * np.asarray(x)
        return twice_the_input_values
        ### END SOLUTION

    def add(self, a, b):
        """``a + b``."""
        return a + b


def helper(values):
    """The sum of ``values``."""
    ### BEGIN SOLUTION
    return sum(values)
    ### END SOLUTION


if __name__ == "__main__":
    print(Calculator().add(1, 2))
'''

CLEARED_TEXT = '''\
"""A calculator."""

import numpy as np


class Calculator:
    """Adds and doubles."""

    def double(self, x):
        """Twice ``x`` (N,) -> (N,)."""
        raise NotImplementedError

    def add(self, a, b):
        """``a + b``."""
        return a + b


def helper(values):
    """The sum of ``values``."""
    raise NotImplementedError


if __name__ == "__main__":
    print(Calculator().add(1, 2))
'''

TOY_MANIFEST = """
[assignment]
name = "toy"
title = "Toy assignment"
dataset = "fashion_mnist"

[files."calc.py"]
allowed_imports = ["numpy"]

[parts."1"]
name = "double"
file = "calc.py"
points = 2
"""

TOY_REFERENCE_OUTPUTS = '''
"""Reference outputs of the toy assignment, computed with the reference calc.py."""

import numpy as np

from calc import Calculator


def build(split):
    """{name: array} for ``split``."""
    start = 0.0 if split == "public" else 10.0
    return {"doubled": Calculator().double(np.arange(start, start + 3.0)), "inputs": np.arange(start, start + 3.0)}
'''

TOY_PUBLIC_TEST = '''
import pytest


@pytest.mark.graded(part="1", points=1)
def test_double_doubles_small_numbers(submission, reference):
    """double() doubles small numbers."""
'''

TOY_HIDDEN_TEST = '''
import pytest


@pytest.mark.graded(part="1", points=1)
def test_double_doubles_large_numbers(submission, reference):
    """double() doubles large numbers."""
'''

HIDDEN_TEST_NAME = "test_secret_cases_of_double.py"


def write(path, text):
    """Write ``text`` (dedented) to ``path``, creating folders; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def toy_repo(tmp_path):
    """A repository with the toy assignment: solutions, suites, a utils/ and an autograder/ stand-in."""
    root = tmp_path / "repo"
    write(root / "solutions" / "toy" / "assignment.toml", TOY_MANIFEST)
    write(root / "solutions" / "toy" / "README.md", "# Toy\n\nImplement `double`.\n")
    write(root / "solutions" / "toy" / "calc.py", SOLUTION_TEXT)
    write(root / "solutions" / "toy" / "reference_outputs.py", TOY_REFERENCE_OUTPUTS)
    write(root / "tests" / "toy" / "conftest.py", '"""Toy fixtures."""\n')
    write(root / "tests" / "toy" / "toy_checks.py", '"""Toy assertions."""\n')
    write(root / "tests" / "toy" / "public" / "test_double_public.py", TOY_PUBLIC_TEST)
    write(root / "tests" / "toy" / "hidden" / HIDDEN_TEST_NAME, TOY_HIDDEN_TEST)
    write(root / "utils" / "__init__.py", '"""Toy helpers."""\n')
    write(root / "utils" / "tools.py", "def identity(x):\n    return x\n")
    write(root / "utils" / "notes.txt", "not Python\n")
    write(root / "utils" / "__pycache__" / "tools.cpython-311.pyc", "compiled\n")
    write(root / "autograder" / "__init__.py", '"""Engine stand-in."""\n')
    write(root / "autograder" / "__main__.py", "print('engine')\n")
    write(root / "autograder" / "release.py", '"""Release stand-in: mentions ### BEGIN SOLUTION."""\n')
    return root


def zip_entries(path):
    """{entry name: (bytes, unix mode)} of the zip at ``path``."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: (archive.read(info), info.external_attr >> 16) for info in archive.infolist()}


def relative_files(folder):
    """Sorted paths (posix) of the files below ``folder``."""
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())


def test_clearing_replaces_each_region_by_a_stub_at_its_indentation_and_keeps_the_rest():
    """Each solution region becomes ``raise NotImplementedError``; docstrings and code outside regions stay."""
    cleared = clear_solutions(SOLUTION_TEXT, filename="calc.py")
    assert cleared == CLEARED_TEXT, f"expected:\n{CLEARED_TEXT}\ngot:\n{cleared}"


def test_clearing_leaves_a_file_without_regions_unchanged():
    """A file with no solution region comes back as it was (nbgrader would otherwise replace it whole)."""
    text = "def keep():\n    return 1\n"
    cleared = clear_solutions(text, filename="keep.py")
    assert cleared == text, f"expected the text unchanged, got {cleared!r}"


@pytest.mark.parametrize("text, line", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", 2),
    ("def f():\n    return 1\n    ### END SOLUTION\n", 3),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n    ### END SOLUTION\n", 3),
    ("def f():\n    ### END SOLUTION\n    return 1\n    ### BEGIN SOLUTION\n", 2),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n\n\ndef g():\n    return 2\n    ### END SOLUTION\n", 9),
], ids=["missing end", "stray end", "nested begin", "end before begin", "stray end after a good region"])
def test_unbalanced_markers_raise_an_error_naming_the_file_and_the_line_of_the_unmatched_marker(text, line):
    """Unbalanced or nested markers raise a ReleaseError whose message starts with file:line of the unmatched marker."""
    with pytest.raises(ReleaseError) as raised:
        clear_solutions(text, filename="solutions/toy/broken.py")
    assert str(raised.value).startswith(f"solutions/toy/broken.py:{line}: "), f"expected the message to start with file:{line}, got {raised.value}"


def test_a_release_with_an_unmatched_marker_names_the_file_and_line(toy_repo):
    solution = toy_repo / "solutions" / "toy" / "calc.py"
    solution.write_text(SOLUTION_TEXT.replace("        ### END SOLUTION\n", "", 1))
    completed = run_cli("--root", toy_repo, "release", "toy")
    expected = "solutions/toy/calc.py:22: BEGIN SOLUTION inside the region opened at line 11 (regions do not nest)"
    assert completed.returncode != 0 and expected in completed.stdout + completed.stderr, completed.stdout + completed.stderr[-2000:]


def test_the_handout_has_the_cleared_files_the_public_suite_and_no_hidden_test_or_solution(toy_repo, tmp_path):
    """The handout holds README, manifest, cleared files and the public suite with its support files: no engine, nothing secret."""
    out = tmp_path / "handout"
    build_handout("toy", toy_repo, out)
    expected = [
        "README.md", "assignment.toml", "calc.py",
        "tests/conftest.py", "tests/public/reference_outputs.npz", "tests/public/test_double_public.py", "tests/toy_checks.py",
        "toy.ipynb",
    ]
    assert relative_files(out) == expected, f"expected the files {expected}, got {relative_files(out)}"
    calc = (out / "calc.py").read_text()
    assert calc == CLEARED_TEXT, f"expected the cleared calc.py:\n{CLEARED_TEXT}\ngot:\n{calc}"
    for name in ("README.md", "assignment.toml"):
        copied, source = (out / name).read_bytes(), (toy_repo / "solutions" / "toy" / name).read_bytes()
        assert copied == source, f"expected {name} copied verbatim, got {copied!r}"
    texts = {name: (out / name).read_bytes() for name in relative_files(out)}
    for secret in (b"BEGIN SOLUTION", b"twice_the_input_values", HIDDEN_TEST_NAME.encode(), b"large numbers"):
        holders = [name for name, content in texts.items() if secret in content]
        assert not holders, f"expected no handout file to contain {secret!r}, got it in {holders}"
    layout = AssignmentLayout.in_handout(out)
    assert layout.manifest_path.is_file() and all(suite.is_dir() for suite in layout.suites), (
        f"expected the handout laid out as the engine reads it ({layout}), got the files {relative_files(out)}")


def test_the_handout_build_writes_the_reference_outputs_of_both_splits_once(toy_repo, tmp_path):
    """build("public") and build("hidden") land in tests/<a>/<split>/reference_outputs.npz, rewritten only when they change."""
    before_path, before_modules = list(sys.path), set(sys.modules)
    build_handout("toy", toy_repo, tmp_path / "handout")
    assert sys.path == before_path, f"expected sys.path restored, got {sys.path[:3]}... instead of {before_path[:3]}..."
    leftovers = sorted(name for name in set(sys.modules) - before_modules if name in ("calc", "reference_outputs"))
    assert not leftovers, f"expected the solution modules forgotten after the build, got {leftovers} still loaded"
    for split, start in (("public", 0.0), ("hidden", 10.0)):
        path = toy_repo / "tests" / "toy" / split / "reference_outputs.npz"
        with np.load(path) as stored:
            got = {name: stored[name].tolist() for name in stored.files}
        want = {"doubled": [2 * (start + i) for i in range(3)], "inputs": [start + i for i in range(3)]}
        assert got == want, f"expected {split} reference outputs {want}, got {got}"
    stamps = {split: (toy_repo / "tests" / "toy" / split / "reference_outputs.npz").stat().st_mtime_ns for split in ("public", "hidden")}
    build_handout("toy", toy_repo, tmp_path / "handout")
    again = {split: (toy_repo / "tests" / "toy" / split / "reference_outputs.npz").stat().st_mtime_ns for split in ("public", "hidden")}
    assert again == stamps, f"expected unchanged arrays to leave the files alone (mtimes {stamps}), got mtimes {again}"


def test_the_autograder_zip_is_in_gradescope_format_with_both_suites_and_no_solution(toy_repo, tmp_path):
    """setup.sh and run_autograder at the root (0755), pinned requirements, both suites, the engine, never the solution."""
    build_handout("toy", toy_repo, tmp_path / "handout")
    _, autograder_zip = build_zips("toy", toy_repo, tmp_path / "dist")
    entries = zip_entries(autograder_zip)
    for script in ("setup.sh", "run_autograder"):
        assert script in entries, f"expected {script} at the zip root, got entries {sorted(entries)}"
        assert entries[script][1] == 0o100755, f"expected {script} with mode 0755, got {oct(entries[script][1])}"
    for name in ("requirements.txt", "assignments/toy/assignment.toml", "tests/toy/conftest.py", "tests/toy/toy_checks.py",
                 "tests/toy/public/test_double_public.py", f"tests/toy/hidden/{HIDDEN_TEST_NAME}",
                 "tests/toy/public/reference_outputs.npz", "tests/toy/hidden/reference_outputs.npz",
                 "autograder/__main__.py", "utils/tools.py"):
        assert name in entries, f"expected {name} in the autograder zip, got entries {sorted(entries)}"
    requirements = entries["requirements.txt"][0].decode().splitlines()
    for package in GRADING_PACKAGES:
        pin = f"{package}=={importlib.metadata.version(package).partition('+')[0]}"
        assert pin in requirements, f"expected the pin {pin} in requirements.txt, got {requirements}"
    assert not any(line.startswith("nbgrader") for line in requirements), f"expected no nbgrader pin, got {requirements}"
    run_autograder = entries["run_autograder"][0].decode()
    command = 'python3 -m autograder grade toy "$root/submission" --out "$root/results/results.json"'
    expected = ['root="${AUTOGRADER_ROOT:-/autograder}"', 'export AUTOGRADER_DATA="${AUTOGRADER_DATA:-$root/source/data}"', 'cd "$root/source"', command]
    assert all(line in run_autograder.splitlines() for line in expected), f"expected the lines {expected}, got:\n{run_autograder}"
    setup = entries["setup.sh"][0].decode()
    for needed in ("set -euo pipefail", "dataset-fashion-mnist", "pip install --no-cache-dir -r /autograder/source/requirements.txt",
                   "export AUTOGRADER_DATA=/autograder/source/data"):
        assert needed in setup, f"expected setup.sh to contain {needed!r}, got:\n{setup}"
    leaked = sorted(name for name, (content, _) in entries.items()
                    if name.startswith("solutions/") or name.endswith("calc.py") or b"twice_the_input_values" in content)
    assert not leaked, f"expected no solution in the autograder zip, got {leaked}"


def test_the_autograder_zip_extracts_to_the_layout_the_engine_grades_from(toy_repo, tmp_path):
    """Extracted as Gradescope does into /autograder/source, the zip has the manifest and both suites where the engine looks."""
    build_handout("toy", toy_repo, tmp_path / "handout")
    _, autograder_zip = build_zips("toy", toy_repo, tmp_path / "dist")
    source = tmp_path / "source"
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(source)
    layout = AssignmentLayout.in_repository(source, "toy")
    assert layout.manifest_path.is_file() and layout.complete, (
        f"expected assignments/toy/assignment.toml and tests/toy/{{public,hidden}}, got {relative_files(source)}")
    assert load_manifest(layout.manifest_path).name == "toy", "expected the toy manifest in the extracted autograder"


def test_the_handout_zip_holds_the_handout_and_the_student_side_runner_under_a_top_folder(toy_repo, tmp_path):
    """The handout zip holds, under toy/, every file of the handout folder, the engine less its staff tools, utils/ and requirements.txt."""
    out = tmp_path / "handout"
    build_handout("toy", toy_repo, out)
    handout_zip, _ = build_zips("toy", toy_repo, tmp_path / "dist")
    entries = {name: content for name, (content, _) in zip_entries(handout_zip).items()}
    expected = {f"toy/{name}": (out / name).read_bytes() for name in relative_files(out)}
    for name in ("autograder/__init__.py", "autograder/__main__.py", "utils/__init__.py", "utils/tools.py"):
        expected[f"toy/{name}"] = (toy_repo / name).read_bytes()
    expected["toy/requirements.txt"] = pinned_requirements().encode("utf-8")
    assert entries == expected, f"expected the entries {sorted(expected)}, got {sorted(entries)} (or different bytes)"


def test_building_twice_gives_byte_identical_zips(toy_repo, tmp_path):
    """Two builds of the same repository give the same bytes (sorted entries, fixed timestamps)."""
    build_handout("toy", toy_repo, tmp_path / "handout")
    first = [path.read_bytes() for path in build_zips("toy", toy_repo, tmp_path / "dist1")]
    build_handout("toy", toy_repo, tmp_path / "handout")
    second = [path.read_bytes() for path in build_zips("toy", toy_repo, tmp_path / "dist2")]
    assert first == second, f"expected identical zips, got sizes {[len(b) for b in first]} and {[len(b) for b in second]}"
    with zipfile.ZipFile(io.BytesIO(first[1])) as archive:
        names = archive.namelist()
        dates = {info.date_time for info in archive.infolist()}
    assert names == sorted(names), f"expected sorted entries, got {names}"
    assert dates == {(1980, 1, 1, 0, 0, 0)}, f"expected every entry dated 1980-01-01, got {dates}"


def test_handout_differences_lists_stale_extra_and_changed_files(toy_repo):
    """Fresh after a release; then an edited file, an extra file and changed reference outputs are each listed."""
    release("toy", toy_repo)
    assert handout_differences("toy", toy_repo) == [], f"expected a fresh handout, got {handout_differences('toy', toy_repo)}"
    handout = toy_repo / "assignments" / "toy"
    (handout / "calc.py").write_text("edited\n")
    (handout / "extra.py").write_text("extra\n")
    reference = toy_repo / "solutions" / "toy" / "reference_outputs.py"
    reference.write_text(reference.read_text().replace("10.0", "20.0"))
    npz = toy_repo / "tests" / "toy" / "hidden" / "reference_outputs.npz"
    stored = npz.read_bytes()
    got = handout_differences("toy", toy_repo)
    assert got[1:] == ["assignments/toy/calc.py", "assignments/toy/extra.py"], f"expected the edited and the extra file listed, got {got}"
    assert got[0].startswith("tests/toy/hidden/reference_outputs.npz (doubled: largest difference 20 at index (0,)"), (
        f"expected the stale hidden outputs listed with the array, its largest difference and index, got {got[0]!r}"
    )
    assert "inputs: largest difference 10" in got[0] and "tolerance" in got[0], f"expected every differing array and the tolerance named, got {got[0]!r}"
    assert npz.read_bytes() == stored, "expected handout_differences to leave tests/toy/hidden/reference_outputs.npz untouched, got it rewritten"


def test_the_notebook_edition_holds_the_readme_and_each_cleared_file_in_its_writefile_cell(toy_repo, tmp_path):
    """toy.ipynb: a set-up cell, the README, then calc.py's cleared text after `%%writefile calc.py` (read back byte for byte,
    marked as an nbgrader solution cell) and a locked cell running its public tests; valid nbformat, identical on a rebuild."""
    build_handout("toy", toy_repo, tmp_path / "first")
    build_handout("toy", toy_repo, tmp_path / "second")
    data = (tmp_path / "first" / "toy.ipynb").read_bytes()
    assert data == (tmp_path / "second" / "toy.ipynb").read_bytes(), "expected two builds of the notebook to give identical bytes"
    notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    nbformat.validate(notebook)
    cells = [(cell.cell_type, cell.source, cell.metadata.get("nbgrader", {})) for cell in notebook.cells]
    assert cells[0][0] == "code" and "toy-handout.zip" in cells[0][1] and "AUTOGRADER_DATA" in cells[0][1], f"expected the set-up cell first, got {cells[0]}"
    assert cells[1] == ("markdown", "# Toy\n\nImplement `double`.", cells[1][2]) and cells[1][2]["locked"], f"expected the README locked next, got {cells[1]}"
    file_cells = [cell for cell in cells if cell[1].startswith("%%writefile")]
    assert [cell[1] for cell in file_cells] == ["%%writefile calc.py\n" + CLEARED_TEXT.rstrip("\n")], f"expected calc.py's cleared text, got {file_cells}"
    assert file_cells[0][2] == {"grade": False, "grade_id": "file_calc", "locked": False, "schema_version": 3, "solution": True}, file_cells[0][2]
    following = cells[cells.index(file_cells[0]) + 1]
    assert following[1] == "!python -m autograder check --file calc.py" and following[2]["locked"], f"expected the check cell after it, got {following}"
    read = read_notebook_files("toy.ipynb", lambda limit: data, ["calc.py"])
    assert read.files == {"calc.py": (CLEARED_TEXT, 4)}, f"expected the grader to read the cleared calc.py back from cell 4, got {read}"


def test_a_stale_notebook_edition_is_caught(toy_repo):
    """An edited notebook, and a README changed in the solutions, each make assignments/toy/toy.ipynb stale."""
    release("toy", toy_repo)
    notebook = toy_repo / "assignments" / "toy" / "toy.ipynb"
    notebook.write_bytes(notebook.read_bytes().replace(b"Implement", b"Write"))
    assert handout_differences("toy", toy_repo) == ["assignments/toy/toy.ipynb"], handout_differences("toy", toy_repo)
    release("toy", toy_repo)
    (toy_repo / "solutions" / "toy" / "README.md").write_text("# Toy\n\nImplement `double` well.\n")
    assert handout_differences("toy", toy_repo) == ["assignments/toy/README.md", "assignments/toy/toy.ipynb"], handout_differences("toy", toy_repo)


def test_building_a_handout_over_the_solutions_is_refused(toy_repo):
    """An out_dir that holds the solutions folder is not deleted."""
    with pytest.raises(ReleaseError):
        build_handout("toy", toy_repo, toy_repo)
    assert (toy_repo / "solutions" / "toy" / "calc.py").is_file(), "expected the solutions kept, got them deleted"


# The real assignments: each committed handout must be fresh and must not leak.

ASSIGNMENTS = sorted(path.parent.name for path in (REPO_ROOT / "solutions").glob("*/assignment.toml"))


def solution_regions(text):
    """(lines inside solution regions, lines outside them) of a reference file, each stripped."""
    inside, outside, in_region = [], [], False
    for line in text.splitlines():
        if "BEGIN SOLUTION" in line:
            in_region = True
        elif "END SOLUTION" in line:
            in_region = False
        else:
            (inside if in_region else outside).append(line.strip())
    return inside, outside


def definitions(tree):
    """{name: set of method names} for the classes of a module, and {name: set()} for its functions."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            found[node.name] = {item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = set()
    return found


def handout_texts(assignment):
    """{path relative to the committed handout: text} of its text files."""
    texts = {}
    handout = REPO_ROOT / "assignments" / assignment
    for path in sorted(handout.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".npz":
            texts[path.relative_to(handout).as_posix()] = path.read_text(encoding="utf-8")
    return texts


def test_every_assignment_has_a_committed_handout():
    """Each folder of solutions/ with a manifest has its handout under assignments/."""
    missing = [name for name in ASSIGNMENTS if not (REPO_ROOT / "assignments" / name / "assignment.toml").is_file()]
    assert ASSIGNMENTS and not missing, f"expected a committed handout for each of {ASSIGNMENTS} (run `make release`), missing: {missing}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_committed_handout_is_not_stale(assignment):
    """assignments/<a>/ is what a release builds now from the solutions and suites."""
    differences = handout_differences(assignment, REPO_ROOT)
    assert differences == [], f"expected a fresh handout, got these paths differing (run `make release`): {differences}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_committed_handout_leaks_no_marker_hidden_test_or_solution_line(assignment):
    """No handout file holds a solution marker, a hidden test's file name, or a line found only inside a solution region.

    Lines that the repository's shared code (``utils``, ``autograder``) also holds are not solution lines.
    """
    texts = handout_texts(assignment)
    solutions = REPO_ROOT / "solutions" / assignment
    assert texts, f"expected a committed handout in assignments/{assignment}/ (run `make release`), got none"
    hidden_names = sorted(path.stem for path in (REPO_ROOT / "tests" / assignment / "hidden").glob("test_*.py"))
    inside_regions, outside_regions = set(), set()
    for filename in load_manifest(solutions / "assignment.toml").source_files:
        inside, outside = solution_regions((solutions / filename).read_text(encoding="utf-8"))
        inside_regions.update(line for line in inside if len(line) > 20)
        outside_regions.update(outside)
    for shared in ("utils", "autograder"):
        for path in (REPO_ROOT / shared).rglob("*.py"):
            outside_regions.update(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    solution_lines = inside_regions - outside_regions
    leaks = []
    for name, text in texts.items():
        leaks += [f"{name}: solution marker" for marker in ("BEGIN SOLUTION", "END SOLUTION") if marker in text]
        leaks += [f"{name}: hidden test name {hidden}" for hidden in hidden_names if hidden in text]
        leaks += [f"{name}: solution line {line!r}" for line in sorted(solution_lines & {line.strip() for line in text.splitlines()})]
    assert not leaks, "expected no leak in the committed handout, got:\n" + "\n".join(leaks)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_skeletons_parse_and_define_every_class_and_method_of_the_reference(assignment):
    """Each skeleton is valid Python and still defines the reference's classes, methods and functions."""
    solutions = REPO_ROOT / "solutions" / assignment
    for filename in load_manifest(solutions / "assignment.toml").source_files:
        skeleton_path = REPO_ROOT / "assignments" / assignment / filename
        assert skeleton_path.is_file(), f"expected {skeleton_path.relative_to(REPO_ROOT)} in the committed handout (run `make release`), got no file"
        try:
            skeleton = definitions(ast.parse(skeleton_path.read_text(encoding="utf-8"), filename=filename))
        except SyntaxError as exc:
            pytest.fail(f"expected the skeleton {filename} to parse, got {exc}")
        reference = definitions(ast.parse((solutions / filename).read_text(encoding="utf-8"), filename=filename))
        missing = [name for name in reference if name not in skeleton]
        missing += [f"{name}.{method}" for name, methods in reference.items() if name in skeleton for method in sorted(methods - skeleton[name])]
        assert not missing, f"expected {filename}'s skeleton to define everything the reference defines, got these missing: {missing}"


def stubs_above_kept_code(tree):
    """(line of the stub, the statement after it) for each ``raise NotImplementedError`` followed by more code in its block."""
    found = []
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if not isinstance(block, list):
                continue
            for stmt, after in zip(block, block[1:]):
                if isinstance(stmt, ast.Raise) and isinstance(stmt.exc, ast.Name) and stmt.exc.id == "NotImplementedError":
                    found.append((stmt.lineno, ast.unparse(after).splitlines()[0]))
    return found


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_stub_sits_above_code_the_student_must_keep(assignment):
    """Each ``raise NotImplementedError`` of a skeleton ends its block: what follows a stub would be dead code to the student."""
    found = []
    for filename in load_manifest(REPO_ROOT / "solutions" / assignment / "assignment.toml").source_files:
        tree = ast.parse((REPO_ROOT / "assignments" / assignment / filename).read_text(encoding="utf-8"))
        found += [f"{filename}:{line}: the stub is followed by {after!r}" for line, after in stubs_above_kept_code(tree)]
    assert not found, "expected every stub to end its block (end the solution region with the function), got:\n" + "\n".join(found)


def docstrings(path):
    """{"Class.method" or "function": docstring} of the module at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            found.update({f"{node.name}.{item.name}": ast.get_docstring(item) or "" for item in node.body if isinstance(item, ast.FunctionDef)})
        elif isinstance(node, ast.FunctionDef):
            found[node.name] = ast.get_docstring(node) or ""
    return found


@pytest.mark.parametrize("filename, where, words", [
    ("numpy_ann.py", "NumpyANN.train", ["self._cross_entropy(y_val, self.predict(X_val))", "divided by C"]),
    ("numpy_ann.py", "NumpyANN._backward", ["NOT divided by", "C times smaller"]),
    ("numpy_ann.py", "NumpyANN._cross_entropy", ["history", "without the 1/C"]),
    ("numpy_ann.py", "NumpyANN._forward", ["``self.z1``", "with training=False"]),
    ("pytorch_cnn.py", "PyTorchCNN.__init__", ["documented order", "right after ``torch.manual_seed(seed)``", "bias=True"]),
])
def test_the_fashion_mnist_skeletons_state_what_the_tests_rely_on(filename, where, words):
    """What an honest student would otherwise guess is in the handout's docstrings: the loss the history reports and
    the one _backward descends, the stored forward values, the CNN's layer order and biases under a seed."""
    docstring = docstrings(REPO_ROOT / "assignments" / "fashion_mnist" / filename).get(where, "")
    missing = [word for word in words if word not in " ".join(docstring.split())]
    assert not missing, f"expected the docstring of {where} in the handout's {filename} to say {missing}, got:\n{docstring}"


def test_data_files_of_the_manifest_never_reach_the_handout():
    """Trained weights that the reference produces (p1_model.npz, p2_model.pkl) are not shipped to students."""
    shipped = []
    for assignment in ASSIGNMENTS:
        manifest = load_manifest(REPO_ROOT / "solutions" / assignment / "assignment.toml")
        data_files = set(manifest.files) - set(manifest.source_files)
        shipped += [f"{assignment}/{path.name}" for path in (REPO_ROOT / "assignments" / assignment).rglob("*") if path.name in data_files]
    assert not shipped, f"expected no reference data file in a handout, got {shipped}"


def test_rounding_of_another_cpu_keeps_the_stored_outputs_fresh_where_a_real_change_does_not(tmp_path):
    """Differences of a few ulps of an array's scale are fresh, even on its small elements; larger ones are stale and named."""
    logits = np.array([[0.8, -0.4, 0.003], [0.25, 0.5, -0.0001]], dtype=np.float32)
    weights = np.linspace(-1.0, 1.0, 7)
    path = tmp_path / "reference_outputs.npz"
    np.savez(path, logits=logits, weights=weights, counts=np.array([3, 4]))
    eps32 = np.finfo(np.float32).eps
    rounded = logits.copy()
    rounded[0, 2] += np.float32(2 * eps32 * 0.8)
    rounded[1, 2] -= np.float32(3 * eps32 * 0.8)
    fresh = {"logits": rounded, "weights": weights * (1 + 8 * np.finfo(np.float64).eps), "counts": np.array([3, 4])}
    assert stored_differences(path, fresh) == [], f"expected rounding differences to be fresh, got {stored_differences(path, fresh)}"

    changed = {**fresh, "logits": logits * np.float32(1.001), "counts": np.array([3, 5])}
    problems = stored_differences(path, changed)
    assert len(problems) == 2, f"expected the logits and the counts named, got {problems}"
    assert problems[0].startswith("counts: values differ"), f"expected integer arrays compared exactly, got {problems[0]!r}"
    tolerance = CROSS_MACHINE_ULPS * eps32 * 0.8
    assert problems[1].startswith("logits: largest difference 0.0008 at index (0, 0)") and f"tolerance {tolerance:.3g}" in problems[1], (
        f"expected the logits' largest difference, its index and the tolerance {tolerance:.3g} in the message, got {problems[1]!r}"
    )


def test_a_changed_dtype_shape_or_name_set_is_stale(tmp_path):
    """A stored array of another dtype or shape, a missing one and an extra one are each named."""
    path = tmp_path / "reference_outputs.npz"
    np.savez(path, a=np.zeros(3, dtype=np.float32), b=np.zeros((2, 2)), gone=np.ones(1))
    problems = stored_differences(path, {"a": np.zeros(3), "b": np.zeros((2, 3)), "new": np.ones(1)})
    assert problems == [
        "gone: no longer computed", "new: not stored",
        "a: stored float32 (3,), computed float64 (3,)", "b: stored float64 (2, 2), computed float64 (2, 3)",
    ], f"expected each of the four differences named, got {problems}"


def test_a_real_change_to_a_reference_computation_is_stale_and_names_its_arrays(tmp_path):
    """Logits made 0.1% larger in the reference pytorch_ann.py: both splits' logits are named stale, rounding is not."""
    root = tmp_path / "repo"
    for folder in ("solutions/fashion_mnist", "tests/fashion_mnist", "utils"):
        shutil.copytree(REPO_ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    solution = root / "solutions" / "fashion_mnist" / "pytorch_ann.py"
    source = solution.read_text(encoding="utf-8")
    assert "        return self.model(X)\n" in source, "expected the reference forward to return self.model(X)"
    solution.write_text(source.replace("        return self.model(X)\n", "        return self.model(X) * 1.001\n"), encoding="utf-8")

    stale = stale_reference_outputs("fashion_mnist", root, reference_outputs("fashion_mnist", root))
    named = {split: sorted(problem.partition(":")[0] for problem in problems) for split, problems in stale.items()}
    expected = ["cnn_logits_eval", "torch0_logits", "torch1_logits"]
    assert named == {"public": expected, "hidden": expected}, f"expected exactly the logits named stale in both splits, got {stale}"
    assert all("largest difference" in problem and "tolerance" in problem for problems in stale.values() for problem in problems), (
        f"expected each stale array's largest difference and tolerance in its message, got {stale}"
    )


def test_the_autograder_zip_ships_the_reference_timing_and_names_the_gradescope_timeout_its_budget_needs(toy_repo, tmp_path):
    """The zip's README.md states the grading's budget and backstop and the Gradescope timeout to set; the timing travels."""
    write_reference_timing(toy_repo / "tests" / "toy", {"worker_cpu_seconds": 100, "wall_seconds": 130, "cpus": 2})
    build_handout("toy", toy_repo, tmp_path / "handout")
    _, autograder_zip = build_zips("toy", toy_repo, tmp_path / "dist")
    entries = zip_entries(autograder_zip)
    assert json.loads(entries["tests/toy/reference_timing.json"][0])["worker_cpu_seconds"] == 100, sorted(entries)
    readme = entries["README.md"][0].decode()
    for needed in ("300 s of CPU time in all", "after 900 s of wall-clock time", "at least **18 minutes**"):
        assert needed in readme, f"expected the zip's README.md to say {needed!r}, got:\n{readme}"
    assert "README.md" in entries["setup.sh"][0].decode(), "expected setup.sh to point to README.md for the timeout"
    assert "reference_timing.json" not in "".join(relative_files(tmp_path / "handout")), "expected no timing in the student handout"
