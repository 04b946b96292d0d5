"""Scores a person gives: the rubric sheet, its import into the gradebook and grades.csv, and the feedback page."""

import csv
import sqlite3

import pytest
from conftest import open_page, write_batch_run

from autograder.cli import main
from autograder.manifest import ManifestError, load_manifest
from autograder.manual import RUBRIC_COLUMNS
from autograder.results import GradedTest

MANIFEST = """
[assignment]
name = "manual_toy"
title = "Manual toy"

[files."net.py"]
allowed_imports = ["numpy"]

[files."answers.py"]

[parts."1"]
name = "layers"
file = "net.py"
points = 3

[parts."2"]
name = "report"
file = "net.py"
points = 1
manual_points = 4

[parts."written"]
name = "written answers (graded by a person)"
file = "answers.py"
points = 0
manual_points = 5
"""
PARTS = ["1 layers [3 pts]", "2 report [5 pts]", "written written answers (graded by a person) [5 pts]", "Total [13 pts]",
         "Points not graded yet"]
ALICE_ANSWER = "Q1 explanation: collected for grading by a person.\n=ReLU is zero below zero, so no gradient flows."
FORMULA_NAME = '=HYPERLINK("http://example.com","Alice")'


def graded_tests(passed):
    """The toy's tests: layers (1 and 2 points), the report file (1 point) and a collected answer (0 points); all pass or most fail."""
    answer = ALICE_ANSWER if passed else "Q1 explanation: expected a written answer (a non-empty string), got None"
    return [
        GradedTest(name="relu is zero below zero", number="1", max_score=1, visibility="visible", passed=passed),
        GradedTest(name="forward keeps the shape", number="1", max_score=2, visibility="visible", passed=True),
        GradedTest(name="the report is a PDF", number="2", max_score=1, visibility="visible", passed=passed),
        GradedTest(name="Q1 explanation (collected for a person to grade)", number="written", max_score=0,
                   visibility="after_published", passed=passed, output=answer),
    ]


def write_run(out_dir, student, passed, name=None):
    """A graded run of the manual toy assignment in OUTDIR (see ``write_batch_run``)."""
    write_batch_run(out_dir, student, graded_tests(passed), assignment="manual_toy", graded_at="2026-01-01T10:00:00+00:00",
                    output="Manual toy: graded.", name=name)


@pytest.fixture
def root(tmp_path):
    """A repository-like root holding assignments/manual_toy/assignment.toml."""
    path = tmp_path / "repo" / "assignments" / "manual_toy" / "assignment.toml"
    path.parent.mkdir(parents=True)
    path.write_text(MANIFEST, encoding="utf-8")
    return tmp_path / "repo"


@pytest.fixture
def batch(tmp_path, root):
    """A graded batch of two, its gradebook and pages written: alice (4 points of tests) and bob (2)."""
    out = tmp_path / "out"
    write_run(out, "alice", passed=True, name=FORMULA_NAME)
    write_run(out, "bob", passed=False)
    assert main(["--root", str(root), "gradebook", str(out)]) == 0
    assert main(["feedback", str(out)]) == 0
    return out


def manual(root, out, *args):
    """Run ``python -m autograder manual OUTDIR *args`` in this process; returns the exit status."""
    return main(["--root", str(root), "manual", str(out), *map(str, args)])


def read_csv(path):
    """A CSV file as a list of dicts."""
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def fill(sheet, path, grades):
    """Write to ``path`` the rubric ``sheet`` (Path) with {(student, part): (points, comment, grader)} filled in."""
    rows = read_csv(sheet)
    for row in rows:
        if (row["Student"], row["Part"]) in grades:
            row["Points"], row["Comment"], row["Grader"] = grades[row["Student"], row["Part"]]
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=RUBRIC_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def grades(out):
    """{Student: [part columns, Total, Points not graded yet]} of grades.csv."""
    return {row["Student"]: [row[column] for column in PARTS] for row in read_csv(out / "grades.csv")}


def history(out):
    """Every import in the gradebook: (student, part, points, comment, grader, sheet's name), oldest first, and their times."""
    with sqlite3.connect(out / "gradebook.sqlite") as connection:
        rows = connection.execute("SELECT student, part, points, comment, grader, sheet, imported_at FROM manual_scores ORDER BY id").fetchall()
    return [row[:5] + (row[5].rsplit("/", 1)[-1],) for row in rows], [row[6] for row in rows]


def test_the_rubric_sheet_has_a_row_per_student_and_part_a_person_grades_with_the_answer_and_the_feedback_page(root, batch, capsys):
    assert manual(root, batch) == 0, capsys.readouterr().out
    sheet = batch / "rubric.csv"
    with open(sheet, newline="", encoding="utf-8") as stream:
        header = next(csv.reader(stream))
    assert tuple(header) == RUBRIC_COLUMNS, f"expected the columns {RUBRIC_COLUMNS}, got {header}"
    rows = read_csv(sheet)
    got = [(row["Student"], row["Part"], row["Part name"], row["Max points"], row["Points"], row["Feedback page"]) for row in rows]
    expected = [("alice", "2", "report", "4", "", "submissions/alice/feedback.html"),
                ("alice", "written", "written answers (graded by a person)", "5", "", "submissions/alice/feedback.html"),
                ("bob", "2", "report", "4", "", "submissions/bob/feedback.html"),
                ("bob", "written", "written answers (graded by a person)", "5", "", "submissions/bob/feedback.html")]
    assert got == expected, f"expected the rows {expected}, got {got}"
    answer = rows[1]["Answer"]
    assert answer == f"Q1 explanation (collected for a person to grade)\n{ALICE_ANSWER}", f"expected alice's collected answer, got {answer!r}"
    assert rows[0]["Name"] == "'" + FORMULA_NAME, f"expected a name that reads as a formula kept as text after an apostrophe, got {rows[0]['Name']!r}"
    assert (batch / "submissions" / "alice" / "feedback.html").is_file(), "expected the page the sheet links to"
    assert "wrote" in capsys.readouterr().out


def test_an_import_adds_the_points_to_grades_csv_and_a_later_import_supersedes_an_earlier_one_keeping_both(root, batch, tmp_path, capsys):
    before = grades(batch)
    assert before == {FORMULA_NAME: ["3", "1", "0", "4", "9"], "bob": ["2", "0", "0", "2", "9"]}, f"expected grades.csv before any import, got {before}"
    manual(root, batch)
    first = fill(batch / "rubric.csv", tmp_path / "first.csv", {("alice", "2"): ("3.5", "a clear report", "TA One"),
                                                                ("alice", "written"): ("4", "clear", "TA One"),
                                                                ("bob", "written"): ("2", "too short", "TA One")})
    assert manual(root, batch, "--import", first) == 0, capsys.readouterr().out
    after_first = grades(batch)
    assert after_first == {FORMULA_NAME: ["3", "4.5", "4", "11.5", "0"], "bob": ["2", "0", "2", "4", "4"]}, \
        f"expected the points in the part columns, the Total and bob's part 2 (4 points) not graded yet, got {after_first}"

    capsys.readouterr()
    second = fill(first, tmp_path / "second.csv", {("alice", "written"): ("5", "regraded: full marks", "TA Two")})
    assert manual(root, batch, "--import", second) == 0
    printed = capsys.readouterr().out
    assert "imported 1 score; 2 rows unchanged since the last import, 1 row without points left ungraded" in printed, printed
    assert grades(batch)[FORMULA_NAME] == ["3", "4.5", "5", "12.5", "0"], f"expected alice's written part 5 after the second import, got {grades(batch)}"
    rows, times = history(batch)
    expected = [("alice", "2", 3.5, "a clear report", "TA One", "first.csv"), ("alice", "written", 4.0, "clear", "TA One", "first.csv"),
                ("bob", "written", 2.0, "too short", "TA One", "first.csv"), ("alice", "written", 5.0, "regraded: full marks", "TA Two", "second.csv")]
    assert rows == expected, f"expected both imports kept in the gradebook {expected}, got {rows}"
    assert all(time.endswith("+00:00") for time in times), f"expected UTC import times, got {times}"


def test_a_sheet_with_wrong_rows_is_refused_whole_and_each_wrong_row_is_named(root, batch, tmp_path, capsys):
    sheet = tmp_path / "wrong.csv"
    rows = [("alice", "written", "5", "4", "fine", "TA"),           # row 2: right
            ("zed", "written", "5", "4", "", "TA"),                 # row 3: no such student
            ("alice", "1", "5", "2", "", "TA"),                     # row 4: a part no person grades
            ("alice", "9", "5", "2", "", "TA"),                     # row 5: no such part
            ("bob", "written", "5", "6", "", "TA"),                 # row 6: above the maximum
            ("bob", "2", "4", "-1", "", "TA"),                      # row 7: negative
            ("bob", "2", "4", "five", "", "TA"),                    # row 8: not a number
            ("bob", "2", "4", "nan", "", "TA"),                     # row 9: not a number either
            ("bob", "written", "5", "3", "good", ""),               # row 10: no grader
            ("alice", "2", "4", "", "where are the points?", ""),   # row 11: a comment without points
            ("alice", "written", "5", "3", "", "TA"),               # row 12: graded twice
            ("bob", "written", "6", "3", "", "TA")]                 # row 13: another maximum than the manifest's
    with open(sheet, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Student", "Part", "Max points", "Points", "Comment", "Grader"])
        writer.writerows(rows)
    grades_before = (batch / "grades.csv").read_bytes()
    capsys.readouterr()
    assert manual(root, batch, "--import", sheet) == 1, "expected exit status 1"
    printed = capsys.readouterr().out.splitlines()
    expected = [
        "manual: nothing imported; 11 problems:",
        "  row 3: unknown student 'zed' (no graded run of that name in the gradebook)",
        "  row 4: part '1' is not graded by a person (no manual_points in the manifest); the parts a person grades: 2, written",
        "  row 5: part '9' is not a part of the manifest; the parts a person grades: 2, written",
        "  row 6: points 6 exceed the maximum 5 of part written",
        "  row 7: points -1 is negative; expected 0 to the part's maximum",
        "  row 8: points 'five' is not a number (write it with a decimal point, e.g. 2.5)",
        "  row 9: points 'nan' is not a number (write it with a decimal point, e.g. 2.5)",
        "  row 10: no grader (write who graded it in the Grader column)",
        "  row 11: a comment or a grader but no points (fill in Points, or clear the row's Comment and Grader)",
        "  row 12: alice's part written is graded on row 2 already",
        "  row 13: Max points '6' differs from the manifest's 5 for part written (write a new sheet)",
    ]
    assert printed == expected, "expected every wrong row named:\n" + "\n".join(expected) + "\ngot:\n" + "\n".join(printed)
    assert history(batch)[0] == [], f"expected nothing imported, got {history(batch)[0]}"
    assert (batch / "grades.csv").read_bytes() == grades_before, "expected grades.csv untouched"


def test_writing_the_sheet_again_keeps_points_not_imported_yet_and_then_fills_in_the_imported_ones(root, batch, tmp_path, capsys):
    manual(root, batch)
    sheet = batch / "rubric.csv"
    fill(sheet, sheet, {("bob", "2"): ("1", "no figures", "TA One")})
    filled = sheet.read_bytes()
    capsys.readouterr()
    assert manual(root, batch) == 1, "expected the sheet holding points not imported yet to be kept"
    printed = capsys.readouterr().out
    assert f"{sheet} holds 1 score not imported yet (row 4 first): import it with --import {sheet}" in printed, printed
    assert sheet.read_bytes() == filled, "expected the filled sheet untouched"
    assert manual(root, batch, "--import", sheet) == 0
    assert manual(root, batch) == 0, capsys.readouterr().out
    bob = read_csv(sheet)[2]
    assert (bob["Points"], bob["Comment"], bob["Grader"]) == ("1", "no figures", "TA One"), f"expected bob's imported grade filled in, got {bob}"


def test_the_feedback_page_shows_the_persons_points_and_comment_once_published(root, batch, tmp_path, browser, capsys):
    manual(root, batch)
    sheet = fill(batch / "rubric.csv", tmp_path / "graded.csv", {("alice", "written"): ("4", "clear; <b>cite</b> the lecture", "TA One")})
    assert manual(root, batch, "--import", sheet, "--audience", "grader") == 0, capsys.readouterr().out
    page, requests, errors = open_page(browser, batch / "submissions" / "alice" / "feedback.html")
    row = page.locator('tr.manual[data-part="written"]')
    shown = [cell.strip() for cell in row.locator("td").all_text_contents()]
    assert shown[:4] == ["written written answers (graded by a person)", "4/5", "clear; <b>cite</b> the lecture", "TA One"], \
        f"expected the part, 4/5, the comment as text and the grader on the grader's page, got {shown}"
    assert page.text_content("#total") == "Total: 8 / 9", f"expected the total 4 of tests and 4 of a person out of 4 + 5, got {page.text_content('#total')!r}"
    assert all(url.startswith(("data:", "file:")) for url in requests) and errors == [], (requests, errors)
    page.close()

    assert main(["feedback", str(batch)]) == 0
    unpublished = (batch / "submissions" / "alice" / "feedback.html").read_text()
    assert "Graded by a person" not in unpublished, "expected a person's points withheld from students until grades are published"
    assert main(["feedback", str(batch), "--published"]) == 0
    page, _, _ = open_page(browser, batch / "submissions" / "alice" / "feedback.html")
    shown = [cell.strip() for cell in page.locator('tr.manual[data-part="written"] td').all_text_contents()]
    assert shown == ["written written answers (graded by a person)", "4/5", "clear; <b>cite</b> the lecture"], \
        f"expected the part, points and comment without the grader on the published student page, got {shown}"
    assert page.text_content("#total") == "Total: 8 / 9", f"expected the published total 8 / 9, got {page.text_content('#total')!r}"
    page.close()


def test_a_manifest_with_negative_manual_points_is_refused(tmp_path):
    path = tmp_path / "assignment.toml"
    path.write_text(MANIFEST.replace("manual_points = 4", "manual_points = -4"), encoding="utf-8")
    with pytest.raises(ManifestError, match="part 2's manual_points must be a number of points, 0 or more, got -4"):
        load_manifest(path)
