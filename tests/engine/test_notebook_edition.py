"""The notebook edition as a student uses it: filled with the reference it gives the grader the reference files; untouched,
exactly the cleared handout files. That each notebook runs headlessly and grades as the .py files do, filled and untouched,
is `validate --notebooks` (`make validate`), for every assignment; here its checks' messages and one run on a scaffold."""

import os
from pathlib import Path
from unittest import mock

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder.notebook_validation import check_table_problems, outcome_differences
from autograder.manifest import load_manifest
from autograder.notebook_edition import check_rows, filled_notebook, run_notebook
from autograder.results import format_report
from autograder.submission import unpack
from utils import data

REPO_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(path.parent.name for path in (REPO_ROOT / "solutions").glob("*/assignment.toml"))


def unpacked_texts(source, names, folder):
    """{name: text} of what the grader unpacks from ``source``."""
    unpacked = unpack(source, names, folder)
    return {name: (folder / name).read_text(encoding="utf-8") for name in unpacked.found}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_grader_reads_the_notebook_as_the_handout_files_and_the_filled_one_as_the_reference(assignment, tmp_path):
    """Untouched, the notebook gives the grader the handout's cleared .py files byte for byte; filled with the reference files
    (as a student would, saved by Jupyter), it gives the reference files byte for byte."""
    names = load_manifest(REPO_ROOT / "solutions" / assignment / "assignment.toml").source_files
    handout = REPO_ROOT / "assignments" / assignment
    untouched = unpacked_texts(handout / f"{assignment}.ipynb", names, tmp_path / "untouched")
    assert untouched == {name: (handout / name).read_text(encoding="utf-8") for name in names}, (
        f"{assignment}: expected the untouched notebook to hold the handout's files {names} unchanged")
    reference = {name: (REPO_ROOT / "solutions" / assignment / name).read_text(encoding="utf-8") for name in names}
    notebook = tmp_path / f"{assignment}.ipynb"
    notebook.write_bytes(filled_notebook((handout / f"{assignment}.ipynb").read_bytes(), reference))
    assert unpacked_texts(notebook, names, tmp_path / "filled") == reference, f"{assignment}: expected the filled notebook to hold the reference files"


def test_the_set_up_cell_points_no_data_root_into_the_handout_folder(tmp_path, monkeypatch):
    """Run as on a student's own machine, the set-up cell leaves the data root to utils.data: the user's cache folder,
    not the handout folder, whose files the student submits."""
    notebook = nbformat.read(REPO_ROOT / "assignments" / "fashion_mnist" / "fashion_mnist.ipynb", as_version=4)
    setup = next(cell.source for cell in notebook.cells if cell.cell_type == "code")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(data.DATA_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    with mock.patch.dict(os.environ):
        exec(compile(setup, "set-up cell", "exec"), {})
        root = data.configured_root()
    assert root == (tmp_path / "xdg" / "dl-autograder").resolve(), f"expected the user's cache folder as the data root, got {root}"


def graded(*outcomes):
    """A results document of public tests, one per (number, name, status word, score, max score)."""
    tests = [{"number": number, "name": name, "status": "passed" if word == "pass" else "failed", "score": score, "max_score": most,
              "visibility": "visible", "output": "", "extra_data": {"grader_error": word == "ERROR", "seconds": 0.5}}
             for number, name, word, score, most in outcomes]
    return {"tests": tests, "score": sum(test["score"] for test in tests), "output": "Toy: graded."}


def test_a_check_cells_table_and_a_notebooks_grading_are_compared_with_the_py_files_test_by_test():
    """What a check cell printed is read back row by row (seconds left out); a row the .py files' grading has not, a public test
    no cell showed and a test graded otherwise from the notebook are each named with what was expected and what came back."""
    files = graded(("1", "double doubles", "pass", 2, 2), ("2", "triple triples", "pass", 1, 1))
    shown = format_report(graded(("1", "double doubles", "pass", 2, 2)))
    executed = new_notebook(cells=[new_code_cell("!python -m autograder check --file calc.py"), new_code_cell("%%writefile calc.py")])
    executed.cells[0].id, executed.cells[1].id = "check-calc", "file-calc"
    executed.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=shown)]
    rows = check_rows(executed)
    assert list(rows) == ["check-calc"] and [row.split() for row in rows["check-calc"]] == [["1", "double", "doubles", "public", "pass", "2/2"]], rows
    missing = "2      triple triples" + " " * 51 + "public     pass            1/1"
    assert check_table_problems(files, rows) == [f"expected a check cell to show {missing!r}, as the .py files' grading does; no check cell did"], (
        check_table_problems(files, rows))
    assert check_table_problems(files, {"check-calc": None})[0] == "expected check-calc to print the table of its public tests, it printed none"
    notebook = graded(("1", "double doubles", "FAIL", 0, 2), ("2", "triple triples", "pass", 1, 1))
    assert outcome_differences(files, notebook) == [
        "1 double doubles: expected (status, score, grader error, not run) ('passed', 2, False, None), got ('failed', 0, False, None)"]
    assert outcome_differences(files, graded(("1", "double doubles", "pass", 2, 2))) == [
        "2 triple triples: expected (status, score, grader error, not run) ('passed', 1, False, None), got no such test"]


def test_filling_names_a_file_the_notebook_has_no_cell_for():
    """The reference is put into the notebook's cells only where a cell writes its file; a file without one is named."""
    committed = (REPO_ROOT / "assignments" / "fashion_mnist" / "fashion_mnist.ipynb").read_bytes()
    with pytest.raises(KeyError, match="the notebook has no code cell starting with `%%writefile cnn.py`"):
        filled_notebook(committed, {"cnn.py": "x = 1\n"})


def test_a_cell_that_raises_is_named_and_the_notebook_is_saved_as_far_as_it_ran(tmp_path):
    """run_notebook runs the cells in a headless kernel in the notebook's folder; the first that raises stops it and is named."""
    notebook = new_notebook(cells=[new_code_cell("import os\nprint(os.getcwd())"), new_code_cell("raise RuntimeError('boom')"),
                                   new_code_cell("print('never')")])
    for cell, cell_id in zip(notebook.cells, ("where", "boom", "after")):
        cell.id = cell_id
    path = tmp_path / "toy.ipynb"
    nbformat.write(notebook, path)
    executed, failure = run_notebook(path, timeout=60)
    assert failure == "cell boom (\"raise RuntimeError('boom')\") stopped the run: RuntimeError: boom", failure
    saved = nbformat.read(path, as_version=4)
    assert saved.cells[0].outputs[0]["text"].strip() == str(tmp_path) and saved.cells[2].outputs == [], saved.cells
