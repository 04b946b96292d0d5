"""The notebook edition as a student uses it: filled with the reference it grades as the reference does; untouched, it
holds exactly the cleared handout files (which `validate` grades 0)."""

import os
import sys
import zipfile
from pathlib import Path
from unittest import mock

import nbformat
import pytest

from autograder.grading import AssignmentLayout, grade_submission
from autograder.manifest import load_manifest
from autograder.notebook import WRITEFILE
from autograder.release import build_zips, write_reference_submission
from autograder.submission import unpack
from utils import data

REPO_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(path.parent.name for path in (REPO_ROOT / "solutions").glob("*/assignment.toml"))


def filled_notebook(assignment, files, path):
    """The committed notebook of ``assignment`` with each ``%%writefile`` cell holding ``files[name]``, saved with nbformat at ``path``."""
    notebook = nbformat.read(REPO_ROOT / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)
    for cell in notebook.cells:
        first, _, _ = cell.source.partition("\n")
        if cell.cell_type == "code" and first.startswith(WRITEFILE):
            name = first.split()[1]
            cell.source = f"{WRITEFILE} {name}\n{files[name]}"
    nbformat.write(notebook, path)
    return path


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
    notebook = filled_notebook(assignment, reference, tmp_path / f"{assignment}.ipynb")
    assert unpacked_texts(notebook, names, tmp_path / "filled") == reference, f"{assignment}: expected the filled notebook to hold the reference files"


def test_the_reference_in_the_notebook_grades_as_the_reference_files_and_the_untouched_notebook_gets_0(tmp_path):
    """fashion_mnist's answers.py: the same per-test results from the filled notebook as from the reference .py files;
    the untouched notebook scores 0 with no grader error."""
    layout = AssignmentLayout.in_repository(REPO_ROOT, "fashion_mnist")
    reference = write_reference_submission("fashion_mnist", REPO_ROOT, tmp_path / "reference")
    files = {name: (reference / name).read_text(encoding="utf-8") for name in ("numpy_ann.py", "pytorch_ann.py", "pytorch_cnn.py", "answers.py")}
    notebook = filled_notebook("fashion_mnist", files, tmp_path / "fashion_mnist.ipynb")

    def outcomes(source):
        results = grade_submission(layout, source, files=["answers.py"])
        return results, [(test["name"], test["status"], test["score"], test["extra_data"]["grader_error"]) for test in results["tests"]]

    from_files, expected = outcomes(reference)
    from_notebook, got = outcomes(notebook)
    assert expected and got == expected, f"expected the notebook graded as the files ({expected}), got {got}"
    assert from_files["score"] == from_notebook["score"] > 0, (from_files["score"], from_notebook["score"])
    assert "answers.py from cell" in from_notebook["output"], from_notebook["output"]
    untouched, rows = outcomes(REPO_ROOT / "assignments" / "fashion_mnist" / "fashion_mnist.ipynb")
    assert untouched["score"] == 0 and rows and not any(row[3] for row in rows), f"expected 0 and no grader error, got {untouched['score']}: {rows}"



def test_the_filled_notebook_runs_headlessly_in_the_unzipped_handout_and_its_public_tests_pass(tmp_path):
    """nbclient runs fashion_mnist.ipynb (the reference filled in) with ipykernel in the unzipped handout: the set-up cell,
    every %%writefile cell (they write the reference files), answers.py's public-test cell (it passes) and the pack cell
    (its zip holds the reference files) run without error. The other files' public-test cells train networks for minutes
    and are left out here; each runs the same `check --file` command."""
    nbclient = pytest.importorskip("nbclient")
    handout_zip, _ = build_zips("fashion_mnist", REPO_ROOT, tmp_path / "dist")
    with zipfile.ZipFile(handout_zip) as archive:
        archive.extractall(tmp_path / "student")
    folder = tmp_path / "student" / "fashion_mnist"
    reference = {name: (REPO_ROOT / "solutions" / "fashion_mnist" / name).read_text(encoding="utf-8")
                 for name in load_manifest(folder / "assignment.toml").source_files}
    notebook = nbformat.read(filled_notebook("fashion_mnist", reference, folder / "fashion_mnist.ipynb"), as_version=4)
    slow = {f"check-{name.removesuffix('.py')}" for name in reference if name != "answers.py"}
    notebook.cells = [cell for cell in notebook.cells if cell.id not in slow]
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    environment.pop("PYTHONPATH", None)
    with mock.patch.dict(os.environ, environment, clear=True):
        nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    assert {name: (folder / name).read_text(encoding="utf-8") for name in reference} == reference, "expected the cells to write the reference files"
    check = next(cell for cell in notebook.cells if cell.id == "check-answers")
    text = "".join(output.get("text", "") for output in check.outputs)
    rows = [line for line in text.splitlines() if "answers.py imports and defines a function for every question" in line]
    assert rows and all(" pass " in row for row in rows) and "TOTAL" in text, f"expected answers.py's public test to pass, got:\n{text[-3000:]}"
    with zipfile.ZipFile(folder / "fashion_mnist-submission.zip") as archive:
        packed = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    assert packed == reference, f"expected the pack cell's zip to hold the reference files, got {sorted(packed)}"


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
