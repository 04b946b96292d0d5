"""The gradebook of a batch-graded assignment: every run in SQLite, the latest grades in a CSV, a summary.

Reads the batch layout ``OUTDIR/submissions/<student>/{results.json, metadata.json}`` (the contract
shared with the batch grader) and writes:

- ``OUTDIR/gradebook.sqlite``: every graded run (table ``runs``) with its per-test results (table
  ``test_results``). A run is identified by its student, the submission's fingerprint and its
  ``graded_at`` time: recording the same folder again adds nothing, a re-grade adds a run, so the
  history is kept. The points a person gives (``autograder.manual``) are in table ``manual_scores``,
  every import kept: the latest row of a student's part is the one that counts.
- ``OUTDIR/grades.csv``: one row per student (their latest run), importable into an LMS: the
  Canvas-style columns "Student", "ID", "SIS User ID", "SIS Login ID", "Section", one column per
  handout part of the manifest with the points earned in it (extra credit and a person's points
  included), the total, and the points not graded yet (tests that could not run because the course's
  data is missing, parts a person has not graded yet).
"""

import argparse
import csv
import json
import statistics
import sqlite3
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from autograder.grading import AssignmentLayout
from autograder.manifest import ManifestError, load_manifest
from autograder.plain_text import plain_document, plain_text
from autograder.results import not_run_of, validation_problems

REPO_ROOT = Path(__file__).resolve().parent.parent
DATABASE_NAME = "gradebook.sqlite"
GRADES_NAME = "grades.csv"
IDENTITY_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
NOT_GRADED_COLUMN = "Points not graded yet"
# Top-level messages of autograder.grading that mean the submission was not really graded.
UNUSABLE_MARKS = ("could not be read", "Grading could not run")
HISTOGRAM_BINS = 10
HISTOGRAM_WIDTH = 40
TOP_FAILED = 10
OLDEST = datetime.min.replace(tzinfo=timezone.utc)

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL,
    name TEXT,
    sid TEXT,
    email TEXT,
    assignment TEXT,
    fingerprint TEXT NOT NULL,
    graded_at TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    error TEXT,
    output TEXT NOT NULL,
    UNIQUE (student, fingerprint, graded_at)
);
CREATE TABLE IF NOT EXISTS test_results (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    number TEXT NOT NULL,
    name TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    status TEXT NOT NULL,
    visibility TEXT NOT NULL,
    grader_error INTEGER NOT NULL,
    output TEXT NOT NULL,
    not_run TEXT,
    points_not_run REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS test_results_by_run ON test_results (run_id);
CREATE TABLE IF NOT EXISTS manual_scores (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL,
    part TEXT NOT NULL,
    part_name TEXT NOT NULL,
    points REAL NOT NULL,
    max_points REAL NOT NULL,
    comment TEXT NOT NULL,
    grader TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    sheet TEXT NOT NULL,
    fingerprint TEXT
);
"""
# Columns added to tables after gradebooks were first written: added to an older gradebook when it is opened.
ADDED_COLUMNS = {"test_results": (("not_run", "TEXT"), ("points_not_run", "REAL NOT NULL DEFAULT 0"))}


@dataclass
class RecordedRuns:
    """What ``record_runs`` did: runs added, runs found already recorded, folders skipped {student: why}."""

    added: int = 0
    already_recorded: int = 0
    skipped: dict = field(default_factory=dict)

    def describe(self):
        """One line of counts, then one line per skipped folder (str)."""
        lines = [f"recorded {self.added} new runs ({self.already_recorded} already recorded)"]
        lines += [f"skipped {student}: {reason}" for student, reason in self.skipped.items()]
        return "\n".join(lines)


def update_gradebook(out_dir, manifest):
    """Record every run of ``OUTDIR/submissions`` in gradebook.sqlite, then rewrite grades.csv.

    Inputs:
    - out_dir: the batch output folder (str or Path).
    - manifest: the assignment's Manifest (its parts are the CSV's columns).

    Returns a RecordedRuns. Raises FileNotFoundError when there is no submissions folder, and
    ValueError when a student's latest run is of another assignment than ``manifest``.
    """
    recorded = record_runs(out_dir)
    write_grades_csv(out_dir, manifest)
    return recorded


def record_runs(out_dir):
    """Add to gradebook.sqlite every run found in ``OUTDIR/submissions/*/`` (out_dir: str or Path) not recorded yet.

    A folder whose results.json or metadata.json is missing or unusable is skipped, with the reason.
    Returns a RecordedRuns; raises FileNotFoundError when ``OUTDIR/submissions`` is not a folder.
    """
    submissions = Path(out_dir) / "submissions"
    if not submissions.is_dir():
        raise FileNotFoundError(f"no submissions folder at {submissions}")
    recorded = RecordedRuns()
    with open_database(out_dir) as connection:
        for folder in sorted(path for path in submissions.iterdir() if path.is_dir()):
            try:
                run, tests = read_run(folder)
            except ValueError as exc:
                recorded.skipped[folder.name] = str(exc)
                continue
            if insert_run(connection, run, tests):
                recorded.added += 1
            else:
                recorded.already_recorded += 1
    return recorded


def read_run(folder):
    """The run in one student's ``folder`` (Path): (a ``runs`` row as a dict, a list of ``test_results`` rows as dicts).

    Every string is plain text (``autograder.plain_text``), so that what a submission wrote can neither
    break the database (a lone surrogate cannot be stored) nor reach the summary's terminal as controls.
    Raises ValueError saying which file is missing or unusable.
    """
    results = plain_document(read_json(folder / "results.json"))
    metadata = plain_document(read_json(folder / "metadata.json"))
    problems = validation_problems(results)
    if problems:
        raise ValueError(f"results.json: {'; '.join(problems)}")
    missing = [key for key in ("fingerprint", "graded_at") if not metadata.get(key)]
    if missing:
        raise ValueError(f"metadata.json: no {' or '.join(missing)}")
    try:
        tests = [{
            "number": test["number"], "name": test["name"], "score": test["score"], "max_score": test["max_score"],
            "status": test["status"], "visibility": test["visibility"],
            "grader_error": bool(test["extra_data"]["grader_error"]), "output": test["output"],
            "not_run": (not_run_of(test) or {}).get("reason"), "points_not_run": (not_run_of(test) or {}).get("points", 0.0),
        } for test in results.get("tests", [])]
    except KeyError as exc:
        raise ValueError(f"results.json: a test has no {exc}") from exc
    run = {
        "student": plain_text(folder.name, one_line=True), "name": metadata.get("name"), "sid": metadata.get("sid"), "email": metadata.get("email"),
        "assignment": metadata.get("assignment"), "fingerprint": metadata["fingerprint"], "graded_at": metadata["graded_at"],
        "score": results.get("score", sum(test["score"] for test in tests)),
        "max_score": round(sum(test["max_score"] for test in tests), 4),
        "error": metadata.get("error"), "output": results.get("output", ""),
    }
    return run, tests


def read_json(path):
    """The JSON object in ``path`` (Path) as a dict; raises ValueError when it is missing or not a JSON object."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"no {path.name}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path.name} could not be read: {exc}") from exc
    if not isinstance(document, dict):
        raise ValueError(f"{path.name} is not a JSON object")
    return document


def insert_run(connection, run, tests):
    """Insert ``run`` (dict) and its ``tests`` (list of dicts) unless the run is recorded already.

    ``connection`` is a sqlite3.Connection; returns whether the run was added (bool).
    """
    columns = ", ".join(run)
    cursor = connection.execute(f"INSERT OR IGNORE INTO runs ({columns}) VALUES ({', '.join('?' * len(run))})",
                                tuple(run.values()))
    if cursor.rowcount == 0:
        return False
    connection.executemany(
        "INSERT INTO test_results (run_id, number, name, score, max_score, status, visibility, grader_error, output, not_run, points_not_run)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(cursor.lastrowid, t["number"], t["name"], t["score"], t["max_score"], t["status"], t["visibility"],
          t["grader_error"], t["output"], t["not_run"], t["points_not_run"]) for t in tests],
    )
    return True


@contextmanager
def open_database(out_dir):
    """A sqlite3.Connection to ``OUTDIR/gradebook.sqlite`` (out_dir: str or Path; created with its tables when
    missing, ADDED_COLUMNS added to an older one), rows as sqlite3.Row.

    What the block writes is committed when it ends normally, rolled back when it raises.
    """
    connection = sqlite3.connect(Path(out_dir) / DATABASE_NAME)
    try:
        connection.row_factory = sqlite3.Row
        connection.executescript(SCHEMA)
        with connection:
            add_missing_columns(connection)
            yield connection
    finally:
        connection.close()


def add_missing_columns(connection):
    """Add to the tables of ``connection`` (sqlite3.Connection) the ADDED_COLUMNS they lack (a gradebook written before them)."""
    for table, columns in ADDED_COLUMNS.items():
        present = {row["name"] for row in connection.execute(f"PRAGMA table_info({table})")}
        for name, declaration in columns:
            if name not in present:
                connection.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")


def latest_manual_scores(connection):
    """{student: {part number: sqlite3.Row of ``manual_scores``}}: the latest import of each student's part.

    ``connection``: sqlite3.Connection with rows as sqlite3.Row. A later import supersedes an earlier one;
    both stay in the table.
    """
    latest = {}
    for row in connection.execute("SELECT * FROM manual_scores ORDER BY id"):
        latest.setdefault(row["student"], {})[row["part"]] = row
    return latest


def manual_scores_of(out_dir, student):
    """The latest points a person gave ``student`` (str) in each part, as a list of dicts (part, part_name, points,
    max_points, comment, grader, imported_at), oldest import first; empty when OUTDIR has no gradebook.

    ``out_dir``: the batch folder (str or Path). The gradebook is only read: none is created.
    """
    if not (Path(out_dir) / DATABASE_NAME).is_file():
        return []
    with open_database(out_dir) as connection:
        rows = latest_manual_scores(connection).get(student, {})
        return [{key: row[key] for key in ("part", "part_name", "points", "max_points", "comment", "grader", "imported_at")}
                for row in sorted(rows.values(), key=lambda row: row["id"])]


def latest_runs(connection):
    """The latest run of each student (greatest graded_at, then the last recorded), sorted by student.

    ``connection``: sqlite3.Connection with rows as sqlite3.Row; returns a list of sqlite3.Row of ``runs``.
    """
    latest = {}
    for run in connection.execute("SELECT * FROM runs ORDER BY id"):
        current = latest.get(run["student"])
        if current is None or graded_time(run["graded_at"]) >= graded_time(current["graded_at"]):
            latest[run["student"]] = run
    return [latest[student] for student in sorted(latest)]


def graded_time(text):
    """An ISO 8601 time (str) as an aware datetime (UTC when it names no zone); the oldest time when it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return OLDEST
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def write_grades_csv(out_dir, manifest):
    """Write ``OUTDIR/grades.csv`` (out_dir: str or Path) from each student's latest run and the points a person gave; returns its Path.

    Columns: IDENTITY_COLUMNS (Student: the name, else the student's folder name; ID and Section
    empty; SIS User ID: the sid; SIS Login ID: the email), one column per manifest part in manifest
    order, "<number> <name> [<points> pts]" (the part's points and manual points), holding the sum of
    its tests' scores (extra credit included) and the latest points a person gave in it, "Total [<total
    points> pts]", the run's score and every part's points from a person (square brackets: Canvas reads a
    trailing "(number)" as an assignment id), and NOT_GRADED_COLUMN: the points of the run's tests that
    could not run (the course's data is missing) and of the manual parts no person has graded yet.
    Rows are sorted by student. ``manifest``: the assignment's Manifest. Raises ValueError when a latest
    run names another assignment.
    """
    with open_database(out_dir) as connection:
        runs = latest_runs(connection)
        others = [run["student"] for run in runs if run["assignment"] not in (None, manifest.name)]
        if others:
            raise ValueError(f"the latest runs of {', '.join(others)} are not of {manifest.name}")
        tested = {run["id"]: points_by_part(connection, run["id"]) for run in runs}
        not_run = {run["id"]: points_not_run(connection, run["id"]) for run in runs}
        manual = latest_manual_scores(connection)
    header = [*IDENTITY_COLUMNS,
              *(f"{part.number} {part.name} [{points_text(part.points + part.manual_points)} pts]" for part in manifest.parts.values()),
              f"Total [{points_text(manifest.total_points + sum(part.manual_points for part in manifest.manual_parts.values()))} pts]",
              NOT_GRADED_COLUMN]
    path = Path(out_dir) / GRADES_NAME
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for run in runs:
            given = {number: row["points"] for number, row in manual.get(run["student"], {}).items() if number in manifest.parts}
            earned = {number: tested[run["id"]].get(number, 0.0) + given.get(number, 0.0) for number in manifest.parts}
            ungraded = not_run[run["id"]] + sum(part.manual_points for number, part in manifest.manual_parts.items() if number not in given)
            writer.writerow([run["name"] or run["student"], "", run["sid"] or "", run["email"] or "", "",
                             *(points_text(points) for points in earned.values()), points_text(run["score"] + sum(given.values())),
                             points_text(ungraded)])
    partial.replace(path)
    return path


def points_by_part(connection, run_id):
    """{part number: points earned by the tests of that part} (dict of str to float) of the run ``run_id`` (int)."""
    rows = connection.execute("SELECT number, SUM(score) AS earned FROM test_results WHERE run_id = ? GROUP BY number", (run_id,))
    return {row["number"]: row["earned"] for row in rows}


def points_not_run(connection, run_id):
    """The points (float) of the tests of the run ``run_id`` (int) that could not run because the course's data is missing."""
    return connection.execute("SELECT COALESCE(SUM(points_not_run), 0) FROM test_results WHERE run_id = ? AND not_run IS NOT NULL",
                              (run_id,)).fetchone()[0]


def points_text(value):
    """Points (float) as the CSV and the summary write them (str): 3, 2.5, 0.3333."""
    return f"{round(value, 4):g}"


def gradebook_summary(out_dir):
    """A plain-text summary (str) of the latest run of each student in ``OUTDIR/gradebook.sqlite`` (out_dir: str or Path).

    It gives the number of students, the message for the staff on tests that could not run because the
    course's data is missing (``missing_data_message``), a histogram of scores with their mean, median,
    minimum and maximum, the tests most often failed (top TOP_FAILED, with their part number; grader
    errors and tests that could not run are not counted) and the submissions that errored, with why: a
    batch error in metadata.json, a top-level message saying the submission could not be read (or
    grading could not run), or a test with a grader error.
    """
    path = Path(out_dir) / DATABASE_NAME
    if not path.is_file():
        return f"No gradebook at {path}: no run recorded yet."
    with open_database(out_dir) as connection:
        runs = latest_runs(connection)
        run_count = connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        failed = most_failed_tests(connection, {run["id"] for run in runs})
        errors = {run["student"]: reasons for run in runs if (reasons := error_reasons(connection, run))}
        missing_data = missing_data_message(connection, {run["id"] for run in runs})
    max_points = max((run["max_score"] for run in runs), default=0.0)
    lines = [f"Gradebook of {out_dir}: {len(runs)} students, {run_count} graded runs recorded.", ""]
    if missing_data:
        lines += [missing_data, ""]
    lines.append(f"Scores (latest run of each student, out of {points_text(max_points)}):")
    lines += score_distribution([run["score"] for run in runs], max_points)
    lines += ["", f"Most failed tests (top {TOP_FAILED}; count, part, test):"]
    lines += [f"  {count:>4}  {number:<6} {name}" for (number, name), count in failed] or ["  none"]
    lines += ["", "Submissions with errors:"]
    lines += [f"  {student}: {'; '.join(reasons)}" for student, reasons in errors.items()] or ["  none"]
    return "\n".join(lines)


def score_distribution(scores, max_points):
    """Lines of a histogram of ``scores`` (list of float) over HISTOGRAM_BINS equal ranges of [0, max_points]
    (max_points: float), then their mean, median, minimum and maximum.

    Scores above ``max_points`` (extra credit) get a row of their own. Returns a list of str.
    """
    if not scores:
        return ["  no scores"]
    lines = []
    if max_points > 0:
        width = max_points / HISTOGRAM_BINS
        counts = Counter(min(int(score // width), HISTOGRAM_BINS - 1) for score in scores if score <= max_points)
        above = sum(score > max_points for score in scores)
        most = max([*counts.values(), above])
        rows = [(f"[{points_text(i * width)}, {points_text((i + 1) * width)}{']' if i == HISTOGRAM_BINS - 1 else ')'}", counts[i])
                for i in range(HISTOGRAM_BINS)]
        if above:
            rows.append((f"> {points_text(max_points)}", above))
        label_width = max(len(label) for label, _ in rows)
        lines += [f"  {label:<{label_width}} {'#' * round(HISTOGRAM_WIDTH * count / most):<{HISTOGRAM_WIDTH}} {count}".rstrip()
                  for label, count in rows]
    lines.append(f"  mean {points_text(statistics.mean(scores))}, median {points_text(statistics.median(scores))}, "
                 f"min {points_text(min(scores))}, max {points_text(max(scores))}")
    return lines


def most_failed_tests(connection, run_ids):
    """[((part number, test name), count)] of the tests failed in the runs ``run_ids`` (set of int), most failed
    first, at most TOP_FAILED; ``connection`` is a sqlite3.Connection.

    A test counts when its status is "failed" (a tiered test below its regular points too), unless it
    is a grader error or could not run because the course's data is missing.
    """
    rows = connection.execute("SELECT run_id, number, name FROM test_results WHERE status = 'failed' AND grader_error = 0 AND not_run IS NULL")
    counts = Counter((row["number"], row["name"]) for row in rows if row["run_id"] in run_ids)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_FAILED]


def missing_data_message(connection, run_ids):
    """The staff's message (str) on the tests of the runs ``run_ids`` (set of int) that could not run because the
    course's data is missing, or "" when every test ran; ``connection`` is a sqlite3.Connection.

    It counts the tests, names each missing data set with the parts and submissions it cost, and says that no
    student lost points for them and how to grade them.
    """
    rows = [row for row in connection.execute("SELECT run_id, number, not_run, points_not_run FROM test_results WHERE not_run IS NOT NULL"
                                              " ORDER BY rowid") if row["run_id"] in run_ids]
    if not rows:
        return ""
    causes = {}
    for row in rows:
        cause = causes.setdefault(row["not_run"], {"parts": {}, "runs": set()})
        cause["parts"][row["number"]] = cause["parts"].get(row["number"], 0.0) + row["points_not_run"]
        cause["runs"].add(row["run_id"])
    described = "; ".join(f"{reason} (part{'s' if len(cause['parts']) > 1 else ''} {', '.join(cause['parts'])}, "
                          f"in {len(cause['runs'])} submission{'s' if len(cause['runs']) > 1 else ''})" for reason, cause in causes.items())
    tests = "1 test" if len(rows) == 1 else f"{len(rows)} tests"
    return (f"{tests} could not run because the course's data is missing: {described}. No student lost points for them: "
            "each counts 0 of 0 points in results.json, the tables and the feedback pages, and grades.csv counts its points "
            f"under \"{NOT_GRADED_COLUMN}\". Install the data, then run grade-batch again: it regrades these submissions.")


def error_reasons(connection, run):
    """Why ``run`` (a sqlite3.Row of ``runs``) errored, as a list of str (empty when it did not).

    The reasons: its batch error, the top-level lines with an UNUSABLE_MARKS message, and one line per
    test with a grader error (read through ``connection``, a sqlite3.Connection).
    """
    reasons = [run["error"]] if run["error"] else []
    reasons += [line.strip() for line in run["output"].splitlines() if any(mark in line for mark in UNUSABLE_MARKS)]
    for test in connection.execute("SELECT number, name, output FROM test_results WHERE run_id = ? AND grader_error = 1 ORDER BY rowid",
                                   (run["id"],)):
        first_line = next(iter(test["output"].strip().splitlines()), "")
        reasons.append(f"grader error in {test['number']} {test['name']}: {first_line[:200]}")
    return list(dict.fromkeys(reasons))


def add_arguments(parser):
    """Add the gradebook command's arguments to ``parser`` (argparse.ArgumentParser): OUTDIR, --assignment, --manifest."""
    parser.add_argument("out_dir", type=Path, metavar="OUTDIR", help="the batch output folder (holds submissions/)")
    parser.add_argument("--assignment", help="the assignment (its manifest is assignments/NAME/assignment.toml); "
                                             "default: the one metadata.json names")
    parser.add_argument("--manifest", type=Path, help="path of the assignment.toml to use (overrides --assignment)")


def run_gradebook(out_dir, *, assignment=None, manifest_path=None, root=REPO_ROOT):
    """Record the runs of ``out_dir``, write grades.csv when a manifest is found, print what was done and the summary.

    Inputs:
    - out_dir: the batch output folder (Path).
    - assignment: the assignment's name, or None for the one the recorded runs name.
    - manifest_path: an assignment.toml to use (Path), or None to find it under ``root``.
    - root: the repository root holding assignments/<name>/assignment.toml (Path).

    Returns the exit status (int): 0, or 1 when there is no submissions folder, the manifest cannot be
    loaded, or it is of another assignment than the runs.
    """
    try:
        print(record_runs(out_dir).describe())
    except FileNotFoundError as exc:
        print(f"gradebook: {exc}")
        return 1
    status = 0
    manifest_path, why_none = resolve_manifest_path(out_dir, assignment, manifest_path, root)
    if manifest_path is None:
        print(f"{GRADES_NAME} not written: {why_none}")
    else:
        try:
            print(f"grades written to {write_grades_csv(out_dir, load_manifest(manifest_path))}")
        except (ManifestError, ValueError) as exc:
            print(f"{GRADES_NAME} not written: {exc}")
            status = 1
    print()
    print(gradebook_summary(out_dir))
    return status


def resolve_manifest_path(out_dir, assignment, manifest_path, root):
    """The manifest to grade with: ``manifest_path``, else ``assignment``'s, else that of the one assignment the latest runs name.

    Inputs: out_dir (Path), assignment (str or None), manifest_path (Path or None), root (Path).
    Returns (Path, "") or (None, why no manifest was found).
    """
    if manifest_path is not None:
        return manifest_path, ""
    if assignment is None:
        with open_database(out_dir) as connection:
            names = sorted({run["assignment"] for run in latest_runs(connection) if run["assignment"]})
        if len(names) != 1:
            named = f"the runs are of several assignments ({', '.join(names)})" if names else "no metadata.json names an assignment"
            return None, f"{named}; pass --assignment or --manifest"
        assignment = names[0]
    return AssignmentLayout.in_repository(root, assignment).manifest_path, ""


def main(argv=None):
    """``python -m autograder.gradebook OUTDIR [--assignment NAME] [--manifest PATH] [--root PATH]``.

    ``argv``: the arguments (list of str; None: sys.argv[1:]). Returns the exit status (int).
    """
    parser = argparse.ArgumentParser(prog="python -m autograder.gradebook", description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root (default: the engine's parent folder)")
    args = parser.parse_args(argv)
    return run_gradebook(args.out_dir, assignment=args.assignment, manifest_path=args.manifest, root=args.root)


if __name__ == "__main__":
    raise SystemExit(main())
