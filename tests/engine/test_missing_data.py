"""A test that cannot run because the course's data is missing counts 0 of 0 points everywhere, and the staff are told.

End to end on a batch: results.json, the printed table, the gradebook, grades.csv, the staff's summary and the
feedback page in Chromium agree; once the data is installed, a re-run of grade-batch grades the test.
"""

import csv
import json
import sqlite3

import pytest
from conftest import CORRECT_CALC, CORRECT_OTHER, open_page, run_cli, write

from autograder.batch import grade_batch
from autograder.cli import expectation_problems
from autograder.grading import AssignmentLayout
from autograder.results import format_report, validation_problems

DATA_PART = '''

[parts."3"]
name = "double on the course's data"
file = "calc.py"
points = 2
'''

DATA_TEST = '''

from pathlib import Path

DATA = Path({data!r})


@pytest.mark.graded(part="3", points=2)
def test_double_on_the_course_data(submission):
    """double() on the course's data set."""
    if not DATA.is_file():
        pytest.skip(f"skipped: CIFAR-10 not found at {{DATA.parent}}")
    out = submission.module("calc").double(float(DATA.read_text()))
    assert out == 4.0, f"expected 4.0, got {{out}}"
'''
WRONG_CALC = "def double(x):\n    return x + 1\n"
NOT_RUN_REASON = "CIFAR-10 not found at {root}"


@pytest.fixture
def data_file(tmp_path):
    """Where the course's data set would be (missing until a test writes it)."""
    return tmp_path / "data" / "cifar10.txt"


@pytest.fixture
def data_root(toy_root, data_file):
    """The toy assignment with a part 3 whose hidden test needs the course's data set at ``data_file``."""
    manifest = toy_root / "assignments" / "toy" / "assignment.toml"
    manifest.write_text(manifest.read_text() + DATA_PART)
    hidden = toy_root / "tests" / "toy" / "hidden" / "test_hidden.py"
    hidden.write_text(hidden.read_text() + DATA_TEST.format(data=str(data_file)))
    return toy_root


def submissions_of_alice_and_bob(tmp_path):
    """alice: every test passes; bob: double() is wrong (1 point: the hidden shape test)."""
    submissions = tmp_path / "submissions"
    write(submissions / "alice" / "calc.py", CORRECT_CALC)
    write(submissions / "alice" / "other.py", CORRECT_OTHER)
    write(submissions / "bob" / "calc.py", WRONG_CALC)
    write(submissions / "bob" / "other.py", CORRECT_OTHER)
    return submissions


def read_grades(out):
    """grades.csv as {Student: row}."""
    with open(out / "grades.csv", newline="", encoding="utf-8") as table:
        return {row["Student"]: row for row in csv.DictReader(table)}


def test_a_test_without_its_data_counts_0_of_0_in_results_table_gradebook_grades_csv_and_feedback_page(
        data_root, data_file, cluster, tmp_path, browser):
    submissions = submissions_of_alice_and_bob(tmp_path)
    out = tmp_path / "out"
    completed = run_cli("--root", data_root, "grade-batch", "toy", submissions, "--out", out, "--scheduler", cluster.scheduler_address,
                        "--no-progress")
    assert completed.returncode == 0, completed.stdout + completed.stderr[-3000:]
    reason = NOT_RUN_REASON.format(root=data_file.parent)

    results = json.loads((out / "submissions" / "alice" / "results.json").read_text())
    assert validation_problems(results) == [], validation_problems(results)
    data_test = next(test for test in results["tests"] if test["number"] == "3")
    got = (data_test["score"], data_test["max_score"], data_test["extra_data"]["not_run"])
    expected = (0.0, 0.0, {"reason": reason, "points": 2.0, "extra_credit": 0.0})
    assert got == expected, f"expected the data test's score, max_score and not_run {expected}, got {got}"
    maximum = sum(test["max_score"] for test in results["tests"])
    assert (results["score"], maximum) == (3, 3), f"expected alice's results.json 3 of 3, got {results['score']} of {maximum}"
    student_message = (f"1 test could not run because the course's data is missing ({reason}): part 3. It counts 0 of 0 points: "
                       "its 2 points are left out of the score and of the maximum, not lost")
    assert student_message in results["output"], f"expected the top-level message {student_message!r}, got {results['output']!r}"

    report = format_report(results)
    totals = [line.split()[-1] for line in report.splitlines() if line.lstrip().startswith("TOTAL")]
    assert totals == ["3/3"], f"expected the table's one TOTAL 3/3 as in results.json, got {totals} in\n{report}"
    assert expectation_problems(results, expect_full=True) == [], "expected validate not to count the missing data against the reference"

    with sqlite3.connect(out / "gradebook.sqlite") as connection:
        runs = dict(connection.execute("SELECT student, max_score FROM runs").fetchall())
        not_run = connection.execute("SELECT DISTINCT not_run, points_not_run FROM test_results WHERE number = '3'").fetchall()
    assert runs == {"alice": 3.0, "bob": 3.0}, f"expected both runs out of 3 in the gradebook, got {runs}"
    assert not_run == [(reason, 2.0)], f"expected the gradebook to record the test as not run for 2 points, got {not_run}"

    rows = read_grades(out)
    got = {student: (row["3 double on the course's data [2 pts]"], row["Total [5 pts]"], row["Points not graded yet"])
           for student, row in rows.items()}
    assert got == {"alice": ("0", "3", "2"), "bob": ("0", "1", "2")}, \
        f"expected grades.csv's part 3, Total and 'Points not graded yet' alice (0, 3, 2) and bob (0, 1, 2), got {got}"

    staff_message = (f"2 tests could not run because the course's data is missing: {reason} (part 3, in 2 submissions). "
                     "No student lost points for them")
    assert staff_message in completed.stdout, f"expected the staff's message {staff_message!r} in\n{completed.stdout}"

    published = run_cli("feedback", out, "--published")
    assert published.returncode == 0, published.stdout + published.stderr[-3000:]
    page, requests, errors = open_page(browser, out / "submissions" / "alice" / "feedback.html")
    row = page.locator('tr.test[data-number="3"]')
    shown = (row.get_attribute("data-result"), row.locator("td.points").text_content(), page.text_content("#total"))
    assert shown == ("skip", "0/0", "Total: 3 / 3"), \
        f"expected part 3 as 'skip', '0/0' and the total 3 / 3 of results.json on alice's published page, got {shown}"
    assert student_message in page.text_content("pre"), "expected the top-level message on alice's page"
    assert all(url.startswith(("data:", "file:")) for url in requests) and errors == [], (requests, errors)
    page.close()


def test_once_the_data_is_installed_a_rerun_grades_the_tests_that_could_not_run(data_root, data_file, cluster, tmp_path):
    submissions = submissions_of_alice_and_bob(tmp_path)
    out = tmp_path / "out"
    layout = AssignmentLayout.in_repository(data_root, "toy")
    first = grade_batch(layout, submissions, out, scheduler=cluster.scheduler_address, progress=False)
    write(data_file, "2.0")
    second = grade_batch(layout, submissions, out, scheduler=cluster.scheduler_address, progress=False)
    assert (second.graded, second.skipped) == (2, 0), f"expected both submissions regraded once the data is there, got {second.describe()}"
    scores = (first.scores, second.scores)
    assert scores == ({"alice": 3, "bob": 1}, {"alice": 5, "bob": 1}), f"expected alice 3 then 5, bob 1 then 1, got {scores}"
    third = grade_batch(layout, submissions, out, scheduler=cluster.scheduler_address, progress=False)
    assert (third.graded, third.skipped) == (0, 2), f"expected both skipped once every test ran, got {third.describe()}"
