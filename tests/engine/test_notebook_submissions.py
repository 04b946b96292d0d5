"""Notebook submissions: the files come from the notebook's ``%%writefile`` cells, read as data, never run."""

import json
import zipfile

from conftest import CORRECT_CALC, CORRECT_OTHER, run_cli

from autograder.batch import find_submissions
from autograder.grading import AssignmentLayout, grade_submission
from autograder.notebook import MAX_NOTEBOOK_BYTES
from autograder.results import validation_problems
from autograder.similarity import unpack_submissions
from autograder.submission import unpack

EXPECTED = ["calc.py", "other.py", "plot.png"]


def notebook_json(*cells):
    """A format-4 notebook (text) whose cells are ("markdown" | "code", source) pairs; code cells carry an output."""
    def cell(kind, source):
        made = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
        if kind == "code":
            made.update(execution_count=1, outputs=[{"output_type": "stream", "name": "stdout", "text": ["ran\n"]}])
        return made
    return json.dumps({"cells": [cell(*c) for c in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def writefile(name, text):
    """A code cell writing ``text`` to ``name``, as the notebook edition has it (no final newline)."""
    return ("code", f"%%writefile {name}\n{text.rstrip()}")


FULL_NOTEBOOK = notebook_json(("markdown", "# Toy\n"), writefile("calc.py", CORRECT_CALC), ("code", "!python -m autograder check\n"),
                              writefile("other.py", CORRECT_OTHER))


def unpacked_from(tmp_path, source):
    """unpack() of ``source`` into a fresh folder; returns (Unpacked, {name: text} of what was written)."""
    unpacked = unpack(source, EXPECTED, tmp_path / "unpacked")
    return unpacked, {path.name: path.read_text() for path in sorted(unpacked.folder.iterdir())}


def test_each_file_comes_from_its_writefile_cell_and_the_message_says_which(tmp_path):
    """A notebook alone gives each file its cell's text after the first line, and a note names the cell."""
    source = tmp_path / "hw.ipynb"
    source.write_text(FULL_NOTEBOOK)
    unpacked, written = unpacked_from(tmp_path, source)
    assert written == {"calc.py": CORRECT_CALC, "other.py": CORRECT_OTHER}, f"expected both files from their cells, got {written}"
    for note in ("calc.py from cell 2 of hw.ipynb", "other.py from cell 4 of hw.ipynb"):
        assert note in unpacked.notes, f"expected the note {note!r}, got {unpacked.notes}"
    assert unpacked.missing == ["plot.png"], f"expected only the optional plot missing, got {unpacked.missing}"


def test_a_py_file_beside_the_notebook_wins_and_a_note_says_so(tmp_path):
    """In a zip with the notebook, hw/calc.py is graded instead of the notebook's differing cell; other.py still comes from the notebook."""
    archive = tmp_path / "submission.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("hw/hw.ipynb", notebook_json(writefile("calc.py", "def double(x):\n    return x\n"), writefile("other.py", CORRECT_OTHER)))
        bundle.writestr("hw/calc.py", CORRECT_CALC)
        bundle.writestr("hw/.ipynb_checkpoints/hw-checkpoint.ipynb", "{not json")
    unpacked, written = unpacked_from(tmp_path, archive)
    assert written == {"calc.py": CORRECT_CALC, "other.py": CORRECT_OTHER}, f"expected the .py file and the notebook's other.py, got {written}"
    note = "calc.py: graded the file hw/calc.py, not cell 1 of hw/hw.ipynb, which differs from it (a .py file beside the notebook wins)"
    assert note in unpacked.notes, f"expected the note {note!r}, got {unpacked.notes}"
    assert not any("checkpoint" in n for n in unpacked.notes), f"expected Jupyter's checkpoint copy ignored silently, got {unpacked.notes}"


def test_a_notebook_that_is_not_json_gives_no_file_and_a_message(tmp_path):
    """A damaged notebook: none of its files, one message saying so."""
    source = tmp_path / "hw.ipynb"
    source.write_text(FULL_NOTEBOOK[:-40])
    unpacked, written = unpacked_from(tmp_path, source)
    assert written == {} and unpacked.missing == EXPECTED, f"expected nothing unpacked, got {written}, missing {unpacked.missing}"
    assert any(n.startswith("hw.ipynb is not a readable notebook (JSONDecodeError") for n in unpacked.notes), unpacked.notes


def test_a_file_without_a_cell_or_with_two_cells_is_not_taken_and_the_others_are(tmp_path):
    """No cell for other.py in one notebook, two cells for it in another: each says so, calc.py is taken from both."""
    cases = {
        "none.ipynb": (notebook_json(writefile("calc.py", CORRECT_CALC)), "none.ipynb has no code cell starting with `%%writefile other.py`"),
        "two.ipynb": (notebook_json(writefile("other.py", CORRECT_OTHER), writefile("calc.py", CORRECT_CALC), writefile("other.py", "x = 1\n")),
                      "two.ipynb has 2 cells starting with `%%writefile other.py` (cells 1, 3): keep one; other.py was not taken from the notebook"),
    }
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text)
        unpacked = unpack(tmp_path / name, EXPECTED, tmp_path / name.replace(".", "-"))
        assert sorted(unpacked.found) == ["calc.py"] and message in unpacked.notes, f"{name}: expected calc.py alone and {message!r}, got {unpacked}"


def test_a_notebook_over_the_size_limit_is_not_parsed_and_the_message_says_why(tmp_path):
    """A notebook saved with huge outputs, alone and zipped (small compressed): refused after a bounded read, with the way out."""
    huge = notebook_json(writefile("calc.py", CORRECT_CALC), ("code", "print('x' * 10**8)\n"))
    huge = huge.replace('"text": ["ran\\n"]', '"text": ["' + "x" * (MAX_NOTEBOOK_BYTES + 10) + '"]', 1)
    (tmp_path / "big.ipynb").write_text(huge)
    with zipfile.ZipFile(tmp_path / "big.zip", "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("big.ipynb", huge)
    for source in (tmp_path / "big.ipynb", tmp_path / "big.zip"):
        unpacked = unpack(source, EXPECTED, tmp_path / f"out-{source.suffix[1:]}")
        assert unpacked.found == {}, f"{source.name}: expected nothing taken from an oversized notebook, got {unpacked.found}"
        assert any(n.startswith("big.ipynb is larger than 20 MB") and "clear its outputs" in n for n in unpacked.notes), unpacked.notes


def test_a_graded_notebook_gets_full_marks_and_the_top_level_message_names_the_cells(toy_root, tmp_path):
    """End to end: grading the notebook alone gives what grading the .py files gives, and results.json says where each came from."""
    source = tmp_path / "hw.ipynb"
    source.write_text(FULL_NOTEBOOK)
    results = grade_submission(AssignmentLayout.in_repository(toy_root, "toy"), source)
    assert validation_problems(results) == [] and results["score"] == 3, f"expected 3 points, got {results['score']}: {results['output']}"
    assert "calc.py from cell 2 of hw.ipynb" in results["output"], results["output"]


def test_a_broken_notebook_costs_only_what_depends_on_it(toy_root, tmp_path):
    """A .py for calc.py and a notebook without other.py's cell: calc.py's 2 points, other.py missing, both said."""
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "calc.py").write_text(CORRECT_CALC)
    (folder / "hw.ipynb").write_text(notebook_json(("markdown", "nothing here\n")))
    results = grade_submission(AssignmentLayout.in_repository(toy_root, "toy"), folder)
    assert validation_problems(results) == [] and results["score"] == 2, f"expected 2 points, got {results['score']}: {results['output']}"
    for message in ("hw.ipynb has no code cell starting with `%%writefile other.py`", "Missing files: other.py"):
        assert message in results["output"], f"expected {message!r} in the top-level message, got {results['output']}"


def test_pack_with_a_notebook_zips_its_cells_as_the_files(toy_root, tmp_path):
    """`pack --notebook` zips each Python file from its cell (even over an older .py beside it); a missing cell stops it."""
    handout = tmp_path / "handout"
    handout.mkdir()
    (handout / "assignment.toml").write_text((toy_root / "assignments" / "toy" / "assignment.toml").read_text())
    (handout / "calc.py").write_text("def double(x):\n    raise NotImplementedError\n")
    (handout / "toy.ipynb").write_text(FULL_NOTEBOOK)
    completed = run_cli("pack", "--folder", handout, "--notebook", handout / "toy.ipynb")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with zipfile.ZipFile(handout / "toy-submission.zip") as archive:
        packed = {name: archive.read(name).decode() for name in archive.namelist()}
    assert packed == {"calc.py": CORRECT_CALC, "other.py": CORRECT_OTHER}, f"expected the notebook's two files, got {packed}"
    (handout / "toy.ipynb").write_text(notebook_json(writefile("calc.py", CORRECT_CALC)))
    refused = run_cli("pack", "--folder", handout, "--notebook", handout / "toy.ipynb")
    assert refused.returncode == 1 and "toy.ipynb has no code cell starting with `%%writefile other.py`" in refused.stdout, refused.stdout


def test_a_notebook_is_one_students_submission_in_a_batch_and_for_similarity(tmp_path):
    """In a submissions folder, alice.ipynb is alice's submission for grade-batch and similarity alike."""
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    (submissions / "alice.ipynb").write_text(FULL_NOTEBOOK)
    entries, ignored, _ = find_submissions(submissions)
    assert [(entry.student, entry.source.name) for entry in entries] == [("alice", "alice.ipynb")] and not ignored, (entries, ignored)
    students = unpack_submissions(submissions, ["calc.py", "other.py"], tmp_path / "students")
    assert students == ["alice"] and (tmp_path / "students" / "alice" / "calc.py").read_text() == CORRECT_CALC, students


def test_a_damaged_notebook_entry_in_a_zip_gives_a_message_and_the_other_files(tmp_path):
    """A notebook whose zipped bytes fail their CRC: a message, and calc.py beside it still unpacked."""
    archive = tmp_path / "submission.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as bundle:
        bundle.writestr("calc.py", CORRECT_CALC)
        bundle.writestr("hw.ipynb", FULL_NOTEBOOK)
    data = archive.read_bytes()
    at = data.index(b'"cells"')
    archive.write_bytes(data[:at] + b'"CELLS"' + data[at + 7:])
    unpacked = unpack(archive, EXPECTED, tmp_path / "unpacked")
    assert sorted(unpacked.found) == ["calc.py"], f"expected calc.py alone, got {unpacked.found}"
    assert any(n.startswith("hw.ipynb could not be read (BadZipFile") for n in unpacked.notes), unpacked.notes
