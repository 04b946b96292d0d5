"""Scores a person gives: the rubric sheet of a batch and its import into the gradebook.

What a person grades (explanations, justifications, reports, code read by a grader) is declared in the
manifest: a part's ``manual_points`` are the points a person gives in it, on top of the ``points`` its
tests carry (e.g. ``[parts."written"]`` of mlp_cifar10: 0 points of tests that collect the answers, 5
manual points). As with nbgrader's formgrader and Gradescope's manual questions, the person grades
each student's part with points and a comment.

``python -m autograder manual OUTDIR`` writes ``OUTDIR/rubric.csv``, one row per student (latest run in
the gradebook) and part with manual points, columns RUBRIC_COLUMNS:

- Student: the student's folder in ``OUTDIR/submissions`` (the key; do not edit), Name;
- Part, Part name, Max points (the manifest's ``manual_points``);
- Points, Comment, Grader: filled in by the person (the latest import, if any, is filled in already; points
  are compared to 4 decimals, as the sheet writes them);
- Feedback page: the student's page, relative to OUTDIR (the grader view shows every answer and artifact);
- Answer: the messages of the part's tests in the latest run: the collected free-text answers.

``python -m autograder manual OUTDIR --import FILE.csv`` checks every row first (a known student and
part, points a number from 0 to the maximum, a grader named) and imports nothing when one is wrong,
naming each wrong row. Rows without points are left ungraded; rows equal to the latest import are left
alone; the others are added to the gradebook's ``manual_scores`` table with the grader, the time and the
sheet, so a later import supersedes an earlier one and both are kept. grades.csv and the feedback pages
of the students whose points changed are then rewritten.

Cells a spreadsheet would read as a formula (starting with =, +, - or @) are written after an apostrophe,
which the import removes: a student's answer cannot run in the grader's spreadsheet.
"""

import csv
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from autograder.feedback import FEEDBACK_FILE, write_feedback_pages
from autograder.gradebook import (latest_manual_scores, latest_runs, open_database, points_text, record_runs, resolve_manifest_path,
                                  write_grades_csv)
from autograder.manifest import ManifestError, load_manifest
from autograder.plain_text import plain_text

SHEET_NAME = "rubric.csv"
RUBRIC_COLUMNS = ("Student", "Name", "Part", "Part name", "Max points", "Points", "Comment", "Grader", "Feedback page", "Answer")
REQUIRED_COLUMNS = ("Student", "Part", "Max points", "Points", "Comment", "Grader")
FORMULA_STARTS = ("=", "+", "-", "@")
MAX_ANSWER_CHARS = 30_000  # spreadsheets hold at most 32,767 characters in a cell


class RubricError(Exception):
    """A rubric sheet that cannot be imported; ``problems`` (list of str) names each wrong row."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class ManualScore:
    """One graded row of a sheet: student, part (str), points (float), comment and grader (str), row (int, its number)."""

    student: str
    part: str
    points: float
    comment: str
    grader: str
    row: int


@dataclass
class ImportPlan:
    """What an import would do: ``changed`` ([ManualScore] differing from the latest import), ``unchanged`` and
    ``ungraded`` (int: rows equal to the latest import, rows without points)."""

    changed: list = field(default_factory=list)
    unchanged: int = 0
    ungraded: int = 0

    def describe(self):
        """One line of counts (str)."""
        return (f"imported {counted(len(self.changed), 'score')}; {counted(self.unchanged, 'row')} unchanged since the last import, "
                f"{counted(self.ungraded, 'row')} without points left ungraded")


def counted(count, noun):
    """"1 row", "2 rows"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def to_cell(text):
    """``text`` (str) as a spreadsheet shows it: plain text, after an apostrophe when it would start a formula."""
    text = plain_text(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def from_cell(text):
    """A cell's ``text`` (str or None) as ``to_cell`` had it: stripped, without the apostrophe that kept it from being a formula."""
    text = (text or "").strip()
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def answers_of_part(connection, run_id, part):
    """The messages of the tests of ``part`` (str) in the run ``run_id`` (int), each after its test's name, as one str
    cut at MAX_ANSWER_CHARS; ``connection`` is the gradebook's sqlite3.Connection."""
    rows = connection.execute("SELECT name, output FROM test_results WHERE run_id = ? AND number = ? AND output != '' ORDER BY rowid",
                              (run_id, part))
    text = "\n\n".join(f"{row['name']}\n{row['output']}" for row in rows)
    return text if len(text) <= MAX_ANSWER_CHARS else text[:MAX_ANSWER_CHARS] + "\n[... cut: see the feedback page]"


def write_rubric_sheet(out_dir, manifest):
    """Write ``OUTDIR/rubric.csv`` (see the module docstring) from the gradebook; returns (its Path, rows, rows graded already).

    Inputs: out_dir (Path of the batch folder, its runs recorded), manifest (Manifest with manual parts).
    Raises RubricError when the sheet already there holds grading not imported yet, or cannot be read.
    """
    path = Path(out_dir) / SHEET_NAME
    if path.exists():
        try:
            pending = plan_import(out_dir, manifest, path).changed
        except RubricError as exc:
            raise RubricError([f"{path} is there already and cannot be read as a rubric sheet ({exc}); move it away first"]) from exc
        if pending:
            raise RubricError([f"{path} holds {counted(len(pending), 'score')} not imported yet (row {pending[0].row} first): "
                               f"import it with --import {path}, or move it away"])
    rows, graded = [], 0
    with open_database(out_dir) as connection:
        manual = latest_manual_scores(connection)
        for run in latest_runs(connection):
            for number, part in manifest.manual_parts.items():
                given = manual.get(run["student"], {}).get(number)
                graded += given is not None
                rows.append([run["student"], run["name"] or "", number, part.name, points_text(part.manual_points),
                             points_text(given["points"]) if given else "", given["comment"] if given else "",
                             given["grader"] if given else "", f"submissions/{run['student']}/{FEEDBACK_FILE}",
                             answers_of_part(connection, run["id"], number)])
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(RUBRIC_COLUMNS)
        writer.writerows([[to_cell(cell) for cell in row] for row in rows])
    partial.replace(path)
    return path, len(rows), graded


def read_sheet(sheet):
    """The rows of the CSV file ``sheet`` (Path) as (row number, {column: cell}) pairs, numbered as a spreadsheet
    shows them (the header is row 1, whatever line breaks the cells hold); raises RubricError when it cannot be
    read or lacks a REQUIRED_COLUMNS column. A byte order mark (as spreadsheets write) is allowed."""
    try:
        with Path(sheet).open(newline="", encoding="utf-8-sig") as stream:
            reader = csv.DictReader(stream)
            missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
            if missing:
                raise RubricError([f"{sheet}: no column {', '.join(repr(column) for column in missing)} in its first row "
                                   f"(expected the columns {', '.join(RUBRIC_COLUMNS)})"])
            return list(enumerate(reader, start=2))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RubricError([f"{sheet} cannot be read as a UTF-8 CSV file: {exc}"]) from exc


def parse_points(text):
    """Points (float) from a cell; raises ValueError when the cell is not a finite number."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def check_row(line, row, manifest, students):
    """(ManualScore or None for a row without points, [problems as str]) of one sheet row.

    Inputs: line (int, the row's number in a spreadsheet), row ({column: cell}), manifest (Manifest), students
    (set of str: the students with a run in the gradebook).
    """
    student, number, points_cell = from_cell(row.get("Student")), from_cell(row.get("Part")), from_cell(row.get("Points"))
    comment, grader = from_cell(row.get("Comment")), from_cell(row.get("Grader"))
    where = f"row {line}"
    problems = []
    if student not in students:
        problems.append(f"{where}: unknown student {student!r} (no graded run of that name in the gradebook)")
    part = manifest.manual_parts.get(number)
    if part is None:
        kind = "is not graded by a person (no manual_points in the manifest)" if number in manifest.parts else "is not a part of the manifest"
        problems.append(f"{where}: part {number!r} {kind}; the parts a person grades: {', '.join(manifest.manual_parts)}")
    if not points_cell:
        if comment or grader:
            problems.append(f"{where}: a comment or a grader but no points (fill in Points, or clear the row's Comment and Grader)")
        return None, problems
    try:
        points = parse_points(points_cell)
    except ValueError:
        problems.append(f"{where}: points {points_cell!r} is not a number (write it with a decimal point, e.g. 2.5)")
        return None, problems
    if points < 0:
        problems.append(f"{where}: points {points:g} is negative; expected 0 to the part's maximum")
    if part is not None:
        max_cell = from_cell(row.get("Max points"))
        try:
            stated = parse_points(max_cell) if max_cell else part.manual_points
        except ValueError:
            stated = None
        if stated is None or not math.isclose(stated, part.manual_points):
            problems.append(f"{where}: Max points {max_cell!r} differs from the manifest's {part.manual_points:g} for part {number} "
                            "(write a new sheet)")
        elif points > part.manual_points:
            problems.append(f"{where}: points {points:g} exceed the maximum {part.manual_points:g} of part {number}")
    if not grader:
        problems.append(f"{where}: no grader (write who graded it in the Grader column)")
    return ManualScore(student, number, points, comment, grader, line), problems


def plan_import(out_dir, manifest, sheet):
    """Check every row of ``sheet`` (Path) against the gradebook of ``out_dir`` (Path) and ``manifest``; returns an ImportPlan.

    Raises RubricError naming every wrong row (see ``check_row``) and every student's part graded twice.
    """
    with open_database(out_dir) as connection:
        students = {run["student"] for run in latest_runs(connection)}
        latest = latest_manual_scores(connection)
    plan, problems, first_rows = ImportPlan(), [], {}
    for line, row in read_sheet(sheet):
        if not any((cell or "").strip() for cell in row.values() if isinstance(cell, str)):
            continue
        score, row_problems = check_row(line, row, manifest, students)
        problems += row_problems
        if row_problems or score is None:
            plan.ungraded += not row_problems
            continue
        key = (score.student, score.part)
        if key in first_rows:
            problems.append(f"row {line}: {score.student}'s part {score.part} is graded on row {first_rows[key]} already")
            continue
        first_rows[key] = line
        given = latest.get(score.student, {}).get(score.part)
        if given is not None and (points_text(given["points"]), given["comment"], given["grader"]) == \
                (points_text(score.points), score.comment, score.grader):
            plan.unchanged += 1
        else:
            plan.changed.append(score)
    if problems:
        raise RubricError(problems)
    return plan


def import_rubric_sheet(out_dir, manifest, sheet):
    """Import the graded rows of ``sheet`` (Path) into the gradebook of ``out_dir`` (Path), all or none; returns the ImportPlan.

    Each changed row is added to ``manual_scores`` with the grader, the time of the import, the sheet's path and
    the fingerprint of the student's latest run. Raises RubricError (nothing imported) when a row is wrong.
    """
    plan = plan_import(out_dir, manifest, sheet)
    imported_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with open_database(out_dir) as connection:
        fingerprints = {run["student"]: run["fingerprint"] for run in latest_runs(connection)}
        connection.executemany(
            "INSERT INTO manual_scores (student, part, part_name, points, max_points, comment, grader, imported_at, sheet, fingerprint)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(score.student, score.part, manifest.parts[score.part].name, score.points, manifest.parts[score.part].manual_points,
              score.comment, score.grader, imported_at, str(sheet), fingerprints[score.student]) for score in plan.changed])
    return plan


def run_manual(out_dir, *, sheet=None, assignment=None, manifest_path=None, root, audience="student", published=False):
    """``python -m autograder manual``: write the rubric sheet, or import ``sheet`` and rewrite grades.csv and the pages.

    Inputs: out_dir (Path of the batch folder), sheet (Path of a filled sheet to import, or None to write one),
    assignment and manifest_path (as for ``gradebook``), root (Path of the repository), audience and published
    (the view of the feedback pages rewritten after an import). Prints what was done; returns the exit status
    (int): 0, or 1 when nothing could be done (no batch, no manifest, no part graded by a person, a wrong sheet).
    """
    try:
        record_runs(out_dir)
    except FileNotFoundError as exc:
        print(f"manual: {exc}")
        return 1
    found, why_none = resolve_manifest_path(out_dir, assignment, manifest_path, root)
    try:
        manifest = load_manifest(found) if found else None
    except ManifestError as exc:
        why_none = str(exc)
        manifest = None
    if manifest is None:
        print(f"manual: no manifest: {why_none}")
        return 1
    if not manifest.manual_parts:
        print(f"manual: {manifest.name} has no part graded by a person (give a part manual_points in {manifest.path})")
        return 1
    try:
        if sheet is None:
            path, rows, graded = write_rubric_sheet(out_dir, manifest)
            print(f"wrote {path}: {rows} rows ({graded} graded already) for the parts {', '.join(manifest.manual_parts)}; "
                  f"fill in Points, Comment and Grader, then run: python -m autograder manual {out_dir} --import {path}")
            return 0
        plan = import_rubric_sheet(out_dir, manifest, sheet)
    except RubricError as exc:
        problems = counted(len(exc.problems), "problem")
        print(f"manual: nothing imported; {problems}:" if sheet else f"manual: rubric sheet not written; {problems}:")
        print("\n".join(f"  {problem}" for problem in exc.problems))
        return 1
    print(plan.describe())
    print(f"grades written to {write_grades_csv(out_dir, manifest)}")
    pages = write_feedback_pages(out_dir, students={score.student for score in plan.changed}, audience=audience, published=published)
    print(f"rewrote {len(pages)} feedback pages ({audience} view{', published' if published else ''})")
    return 0
