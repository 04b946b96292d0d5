"""The gradebook of a batch: runs recorded once each in SQLite, grades.csv per handout part, the summary."""

import csv
import json
import sqlite3

import pytest
from conftest import write_batch_run

from autograder.gradebook import SCHEMA, gradebook_summary, main, update_gradebook
from autograder.manifest import load_manifest
from autograder.results import GradedTest

MANIFEST = """
[assignment]
name = "batch_toy"
title = "Batch toy"

[files."net.py"]
allowed_imports = ["numpy"]

[parts."1"]
name = "layers"
file = "net.py"
points = 3

[parts."2"]
name = "trained model, by accuracy"
file = "net.py"
points = 2
extra_credit = 3
"""

HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
          "1 layers [3 pts]", "2 trained model, by accuracy [2 pts]", "Total [5 pts]", "Points not graded yet"]
UNREADABLE = "The submission could not be read: not a zip file. It was graded as an empty submission."


def graded_tests(*, relu=True, shape=True, awarded=None, grader_error=False):
    """The three tests of the toy assignment: two of part 1 (1 and 2 points), a tiered one of part 2 (2 + 3 extra).

    ``grader_error`` marks the failure of the relu test as a grader error.
    """
    return [
        GradedTest(name="relu is zero below zero", number="1", max_score=1, visibility="visible", passed=relu,
                   output="" if relu else "expected [0, 1], got [-1, 1]", grader_error=grader_error),
        GradedTest(name="forward keeps the shape", number="1", max_score=2, visibility="after_published", passed=shape,
                   output="" if shape else "expected shape (2, 3), got (3, 2)"),
        GradedTest(name="test accuracy in tiers", number="2", max_score=2, visibility="after_published", extra_credit=3,
                   passed=awarded is not None, awarded=awarded, output="test accuracy 0.91" if awarded else "expected a model"),
    ]


def write_run(out_dir, student, records, *, graded_at, output="Batch toy: graded.", **metadata):
    """A graded run of the toy batch assignment in OUTDIR (see ``write_batch_run``)."""
    write_batch_run(out_dir, student, records, assignment="batch_toy", graded_at=graded_at, output=output, **metadata)


@pytest.fixture
def manifest_root(tmp_path):
    """A repository-like root holding assignments/batch_toy/assignment.toml."""
    path = tmp_path / "repo" / "assignments" / "batch_toy" / "assignment.toml"
    path.parent.mkdir(parents=True)
    path.write_text(MANIFEST, encoding="utf-8")
    return tmp_path / "repo"


@pytest.fixture
def manifest(manifest_root):
    """The toy batch assignment's Manifest."""
    return load_manifest(manifest_root / "assignments" / "batch_toy" / "assignment.toml")


@pytest.fixture
def batch(tmp_path):
    """A graded batch of four: full marks with extra credit, a failed test, a batch timeout, an unreadable zip."""
    out_dir = tmp_path / "out"
    write_run(out_dir, "alice", graded_tests(awarded=5), graded_at="2024-05-01T10:00:00Z",
              name="Alice Doe", sid="1001", email="alice@uni.edu")
    write_run(out_dir, "bob", graded_tests(shape=False, awarded=1), graded_at="2024-05-01T10:01:00Z", name="Bob Roe", sid="1002")
    write_run(out_dir, "carol", [], graded_at="2024-05-01T10:02:00Z", output="Grading timed out (not your fault).",
              error="grading timed out after 600 s")
    write_run(out_dir, "dave", graded_tests(relu=False, shape=False), graded_at="2024-05-01T10:03:00Z",
              output=UNREADABLE, email="dave@uni.edu")
    return out_dir


def read_grades(out_dir):
    """grades.csv as (header, {Student column: row dict})."""
    with (out_dir / "grades.csv").open(newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        return reader.fieldnames, {row["Student"]: row for row in reader}


def count_rows(out_dir, table):
    """Rows of ``table`` in the batch's gradebook.sqlite."""
    with sqlite3.connect(out_dir / "gradebook.sqlite") as connection:
        return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_grades_csv_has_the_identity_part_and_total_columns_with_the_points_of_each_part(batch, manifest):
    update_gradebook(batch, manifest)
    header, rows = read_grades(batch)
    assert header == HEADER, f"expected the columns {HEADER}, got {header}"
    got = {student: [row[column] for column in HEADER[1:]] for student, row in rows.items()}
    expected = {
        "Alice Doe": ["", "1001", "alice@uni.edu", "", "3", "5", "8", "0"],
        "Bob Roe": ["", "1002", "", "", "1", "1", "2", "0"],
        "carol": ["", "", "", "", "0", "0", "0", "0"],
        "dave": ["", "", "dave@uni.edu", "", "0", "0", "0", "0"],
    }
    assert got == expected, f"expected the rows {expected}, got {got}"
    assert list(rows) == list(expected), f"expected rows sorted by student {list(expected)}, got {list(rows)}"


def test_updating_again_records_no_run_twice_and_a_folder_without_results_is_skipped(batch, manifest):
    (batch / "submissions" / "frank").mkdir()
    first = update_gradebook(batch, manifest)
    second = update_gradebook(batch, manifest)
    assert second.skipped == {"frank": "no results.json"}, f"expected frank skipped for 'no results.json', got {second.skipped}"
    assert (first.added, second.added, second.already_recorded) == (4, 0, 4), \
        f"expected 4 runs added, then 0 added and 4 already recorded, got {first} then {second}"
    counts = (count_rows(batch, "runs"), count_rows(batch, "test_results"))
    assert counts == (4, 9), f"expected 4 runs and 9 test results, got {counts}"


def test_a_regrade_adds_a_run_and_the_csv_shows_the_latest(batch, manifest):
    update_gradebook(batch, manifest)
    write_run(batch, "bob", graded_tests(awarded=3), graded_at="2024-05-02T09:00:00Z", name="Bob Roe", sid="1002", content="v2")
    update_gradebook(batch, manifest)
    with sqlite3.connect(batch / "gradebook.sqlite") as connection:
        history = connection.execute("SELECT graded_at, score FROM runs WHERE student = 'bob' ORDER BY id").fetchall()
    expected_history = [("2024-05-01T10:01:00Z", 2.0), ("2024-05-02T09:00:00Z", 6.0)]
    assert history == expected_history, f"expected bob's runs {expected_history}, got {history}"
    row = read_grades(batch)[1]["Bob Roe"]
    got = [row["1 layers [3 pts]"], row["2 trained model, by accuracy [2 pts]"], row["Total [5 pts]"]]
    assert got == ["3", "3", "6"], f"expected bob's latest points ['3', '3', '6'], got {got}"


def test_the_summary_names_the_most_failed_test_and_the_errored_submissions(batch, manifest):
    write_run(batch, "erin", graded_tests(relu=False, shape=False, grader_error=True, awarded=2), graded_at="2024-05-01T10:04:00Z")
    update_gradebook(batch, manifest)
    summary = gradebook_summary(batch)
    failed = summary.split("Most failed tests")[1].split("\n")[1]
    assert failed.split() == ["3", "1", "forward", "keeps", "the", "shape"], \
        f"expected the most failed test to be 1 'forward keeps the shape', failed 3 times, got {failed!r} in\n{summary}"
    expected_errors = [
        "carol: grading timed out after 600 s",
        f"dave: {UNREADABLE}",
        "erin: grader error in 1 relu is zero below zero: expected [0, 1], got [-1, 1]",
    ]
    errors = summary.split("Submissions with errors:\n")[1].splitlines()
    assert errors == [f"  {line}" for line in expected_errors], f"expected the errors {expected_errors}, got {errors}"
    assert "5 students" in summary and "mean 2.4, median 2, min 0, max 8" in summary, \
        f"expected 5 students, mean 2.4, median 2, min 0, max 8, got\n{summary}"
    assert "> 5" in summary, f"expected a histogram row for scores above 5 (extra credit), got\n{summary}"


def test_the_command_finds_the_manifest_from_metadata_writes_grades_and_prints_the_summary(batch, manifest_root, capsys):
    status = main([str(batch), "--root", str(manifest_root)])
    printed = capsys.readouterr().out
    assert status == 0, f"expected exit status 0, got {status}:\n{printed}"
    assert "recorded 4 new runs" in printed and "Most failed tests" in printed, f"expected the counts and the summary, got\n{printed}"
    assert read_grades(batch)[0] == HEADER, f"expected grades.csv with {HEADER}, got {read_grades(batch)[0]}"


def test_with_a_missing_manifest_the_command_records_runs_writes_no_grades_and_fails(batch, tmp_path, capsys):
    status = main([str(batch), "--root", str(tmp_path / "empty"), "--assignment", "batch_toy"])
    printed = capsys.readouterr().out
    assert status == 1 and "grades.csv not written: no manifest at" in printed, \
        f"expected status 1 and 'grades.csv not written: no manifest at ...', got {status}:\n{printed}"
    assert not (batch / "grades.csv").exists(), "expected no grades.csv, got one"
    assert count_rows(batch, "runs") == 4, f"expected 4 runs recorded, got {count_rows(batch, 'runs')}"


def test_a_results_json_holding_escapes_and_a_lone_surrogate_is_recorded_as_plain_text(batch, manifest):
    folder = batch / "submissions" / "mallory"
    write_run(batch, "mallory", graded_tests(relu=False, grader_error=True), graded_at="2024-05-01T10:05:00Z")
    results = json.loads((folder / "results.json").read_text())
    results["tests"][0]["output"] = "\x1b[2J\x1b]0;owned\x07ValueError: \ud800"  # as a grader without plain text wrote it
    (folder / "results.json").write_text(json.dumps(results), encoding="utf-8")
    update_gradebook(batch, manifest)
    assert "mallory" in read_grades(batch)[1], "expected a grades.csv row for the student whose results hold a lone surrogate"
    with sqlite3.connect(batch / "gradebook.sqlite") as connection:
        stored = connection.execute("SELECT t.output FROM test_results t JOIN runs r ON r.id = t.run_id "
                                    "WHERE r.student = 'mallory' AND t.name = 'relu is zero below zero'").fetchone()[0]
    assert stored == "ValueError: \ufffd", f"expected the plain text 'ValueError: \\ufffd' stored, got {stored!r}"
    summary = gradebook_summary(batch)
    assert "mallory: grader error in 1 relu is zero below zero: ValueError: \ufffd" in summary and "\x1b" not in summary, \
        f"expected mallory's error in plain text in the summary, got\n{summary}"


def test_a_gradebook_written_before_tests_could_be_recorded_as_not_run_gets_the_new_columns_and_is_updated(batch, manifest):
    with sqlite3.connect(batch / "gradebook.sqlite") as connection:
        connection.executescript(SCHEMA.replace(",\n    not_run TEXT,\n    points_not_run REAL NOT NULL DEFAULT 0", ""))
    update_gradebook(batch, manifest)
    with sqlite3.connect(batch / "gradebook.sqlite") as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(test_results)")]
    assert columns[-2:] == ["not_run", "points_not_run"], f"expected the columns not_run and points_not_run added, got {columns}"
    assert read_grades(batch)[1]["Alice Doe"]["Total [5 pts]"] == "8", "expected grades.csv written from the older gradebook"
