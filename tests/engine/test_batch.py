"""Batch grading on a Dask cluster: the batch layout, scores, a hung submission, re-runs and Gradescope exports."""

import csv
import json
import os
import re
import sqlite3
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import CORRECT_CALC, CORRECT_OTHER, run_cli, write

from autograder import batch
from autograder.batch import TASK_MARGIN_SECONDS, concurrent_gradings, default_task_seconds, grade_batch, grade_in_worker, grading_threads
from autograder.budget import WALL_CEILING_SECONDS
from autograder.grading import AssignmentLayout
from autograder.manifest import load_manifest
from autograder.results import validation_problems

METADATA_KEYS = {"student", "name", "sid", "email", "source", "fingerprint", "graded_at", "seconds", "assignment", "error"}
HANG_MARK = "batch-test-hangs-here"
HANGING_CALC = f"import time\n\ntime.sleep(600)  # {HANG_MARK}\n"
WRONG_CALC = "def double(x):\n    return x + 1\n"
# Sandbox calls may last 30 s: longer than the batch budget of the hung-submission test, so the batch's timeout fires first.
SANDBOX_CALL_SECONDS = 30
BATCH_BUDGET_SECONDS = 8

GRADESCOPE_WITH_COLONS = """
submission_111:
  :submitters:
  - :name: Solo Student
    :sid: '100'
    :email: solo@example.edu
  :created_at: 2026-01-01 10:00:00.000000000 -08:00
  :score: 0.0
submission_222:
  :submitters:
  - :name: Pair One
    :sid: '200'
    :email: one@example.edu
  - :name: Pair Two
    :sid: 201
    :email: two@example.edu
"""
GRADESCOPE_WITHOUT_COLONS = GRADESCOPE_WITH_COLONS.replace(":submitters:", "submitters:").replace(":name:", "name:") \
    .replace(":sid:", "sid:").replace(":email:", "email:")


@pytest.fixture
def layout(toy_root):
    """The toy assignment, with sandbox calls allowed SANDBOX_CALL_SECONDS."""
    manifest = toy_root / "assignments" / "toy" / "assignment.toml"
    manifest.write_text(manifest.read_text().replace("call_seconds = 5", f"call_seconds = {SANDBOX_CALL_SECONDS}"))
    return AssignmentLayout.in_repository(toy_root, "toy")


def correct_folder(folder):
    """Write a full-marks submission into ``folder``; returns it."""
    write(folder / "calc.py", CORRECT_CALC)
    write(folder / "other.py", CORRECT_OTHER)
    return folder


def read_student(out_dir, student):
    """(results, metadata) of ``student`` in the batch layout, after checking results.json and metadata.json's keys."""
    folder = out_dir / "submissions" / student
    results = json.loads((folder / "results.json").read_text())
    metadata = json.loads((folder / "metadata.json").read_text())
    assert validation_problems(results) == [], f"{student}: expected a valid results.json, got problems {validation_problems(results)}"
    assert set(metadata) == METADATA_KEYS, f"{student}: expected metadata keys {sorted(METADATA_KEYS)}, got {sorted(metadata)}"
    assert re.fullmatch("[0-9a-f]{64}", metadata["fingerprint"]), f"{student}: expected a sha256 hex fingerprint, got {metadata['fingerprint']!r}"
    assert datetime.fromisoformat(metadata["graded_at"]).utcoffset() == timedelta(0), f"{student}: expected a UTC time, got {metadata['graded_at']!r}"
    assert isinstance(metadata["seconds"], float), f"{student}: expected seconds as a float, got {metadata['seconds']!r}"
    return results, metadata


def processes_running_the_hang():
    """PIDs of processes whose working folder holds the hanging calc.py (sandboxed workers still grading it)."""
    pids = []
    for cwd in Path("/proc").glob("[0-9]*/cwd"):
        try:
            if HANG_MARK in (cwd / "calc.py").read_text():
                pids.append(int(cwd.parent.name))
        except OSError:
            continue
    return pids


def test_a_folder_of_mixed_submissions_is_graded_into_the_layout_and_a_hung_one_is_stopped(layout, tmp_path, capsys):
    submissions = tmp_path / "submissions"
    write(submissions / "aaron" / "calc.py", HANGING_CALC)
    write(submissions / "aaron" / "other.py", CORRECT_OTHER)
    correct_folder(submissions / "alice")
    with zipfile.ZipFile(submissions / "bob.zip", "w") as bundle:
        bundle.writestr("hw3/calc.py", CORRECT_CALC)
        bundle.writestr("hw3/other.py", CORRECT_OTHER)
    write(submissions / "carol" / "calc.py", CORRECT_CALC)
    write(submissions / "carol" / "other.py", "def triple(x)\n    return 3 * x\n")
    write(submissions / "dave.zip", "this is not a zip")
    write(submissions / "notes.txt", "not a submission")
    out = tmp_path / "out"

    # One worker: the batch can only finish if the hung submission's worker is replaced.
    summary = grade_batch(layout, submissions, out, workers=1, task_seconds=BATCH_BUDGET_SECONDS)

    expected_scores = {"aaron": 0, "alice": 3, "bob": 3, "carol": 2, "dave": 0}
    assert summary.scores == expected_scores, f"expected scores {expected_scores}, got {summary.scores}"
    assert (summary.graded, summary.failed, summary.skipped) == (4, 1, 0), \
        f"expected 4 graded, 1 failed, 0 skipped, got {summary.graded}, {summary.failed}, {summary.skipped}"
    assert summary.ignored == {"notes.txt": "neither a folder, a .zip file nor a notebook"}, f"expected notes.txt ignored, got {summary.ignored}"
    scores_on_disk = {}
    for student in expected_scores:
        results, metadata = read_student(out, student)
        scores_on_disk[student] = results["score"]
        assert metadata["student"] == student and metadata["assignment"] == "toy", f"{student}: got metadata {metadata}"
    assert scores_on_disk == expected_scores, f"expected results.json scores {expected_scores}, got {scores_on_disk}"

    aaron, aaron_metadata = read_student(out, "aaron")
    assert aaron_metadata["error"] == f"timed out after {BATCH_BUDGET_SECONDS} s", f"expected a timeout error, got {aaron_metadata['error']!r}"
    assert aaron["tests"] == [] and f"time budget of {BATCH_BUDGET_SECONDS} s" in aaron["output"], f"expected the timeout told in results.json, got {aaron}"
    assert summary.seconds < 3 * SANDBOX_CALL_SECONDS, f"expected the batch not to wait for the hung submission, it took {summary.seconds:.0f} s"
    assert processes_running_the_hang() == [], f"expected no process left running the hung submission, got PIDs {processes_running_the_hang()}"

    bob, bob_metadata = read_student(out, "bob")
    assert "found calc.py at hw3/calc.py" in bob["output"] and bob_metadata["source"] == str(submissions / "bob.zip"), (bob["output"], bob_metadata)
    carol, _ = read_student(out, "carol")
    assert any("syntax error" in test["output"] for test in carol["tests"]), f"expected carol's syntax error reported, got {carol['tests']}"
    dave, dave_metadata = read_student(out, "dave")
    assert "could not be read" in dave["output"] and dave_metadata["error"] is None, (dave["output"], dave_metadata)

    bar = capsys.readouterr().err
    assert "done=5, failed=1, running=0" in bar, f"expected the progress bar's final counts, got {bar[-300:]!r}"


def test_a_rerun_skips_unchanged_submissions_and_regrades_a_changed_one(layout, tmp_path, cluster):
    submissions = tmp_path / "submissions"
    correct_folder(submissions / "alice")
    correct_folder(submissions / "bob")
    out = tmp_path / "out"
    first = grade_batch(layout, submissions, out, scheduler=cluster.scheduler_address, progress=False)
    assert (first.graded, first.skipped) == (2, 0), f"expected 2 graded on the first run, got {first.describe()}"
    alice_metadata = (out / "submissions" / "alice" / "metadata.json").read_text()

    os.utime(submissions / "alice" / "calc.py", (1, 1))  # a new time without new content is not a change
    second = grade_batch(layout, submissions, out, scheduler=cluster.scheduler_address, progress=False)
    assert (second.graded, second.skipped) == (0, 2), f"expected both skipped, got {second.describe()}"
    assert "skipped 2" in second.describe() and second.scores == {"alice": 3, "bob": 3}, second.describe()

    write(submissions / "bob" / "calc.py", WRONG_CALC)
    third = grade_batch(layout, submissions, out, scheduler=cluster.scheduler_address, progress=False)
    assert (third.graded, third.skipped) == (1, 1), f"expected bob regraded and alice skipped, got {third.describe()}"
    bob, bob_metadata = read_student(out, "bob")
    assert bob["score"] == 1 and third.scores == {"alice": 3, "bob": 1}, f"expected bob's new score 1, got {bob['score']} ({third.scores})"
    assert (out / "submissions" / "alice" / "metadata.json").read_text() == alice_metadata, "expected alice's metadata.json untouched"


@pytest.mark.parametrize("yaml_text", [GRADESCOPE_WITH_COLONS, GRADESCOPE_WITHOUT_COLONS], ids=["ruby-symbol-keys", "plain-keys"])
def test_a_gradescope_export_s_names_ids_and_emails_go_into_metadata(layout, tmp_path, cluster, yaml_text):
    export = tmp_path / "assignment_1_export"
    write(export / "submission_metadata.yml", yaml_text)
    correct_folder(export / "submission_111")
    write(export / "submission_222" / "calc.py", CORRECT_CALC)
    out = tmp_path / "out"
    summary = grade_batch(layout, export, out, scheduler=cluster.scheduler_address, progress=False)
    assert summary.scores == {"submission_111": 3, "submission_222": 2}, f"expected scores 3 and 2, got {summary.scores}"
    assert summary.ignored == {} and summary.notes == [], f"expected nothing ignored, got {summary.describe()}"
    identities = {student: tuple(read_student(out, student)[1][key] for key in ("name", "sid", "email"))
                  for student in ("submission_111", "submission_222")}
    expected = {"submission_111": ("Solo Student", "100", "solo@example.edu"),
                "submission_222": ("Pair One, Pair Two", "200, 201", "one@example.edu, two@example.edu")}
    assert identities == expected, f"expected identities {expected}, got {identities}"


def test_an_exception_while_grading_becomes_valid_results_with_an_error(layout, make_submission, tmp_path):
    submission = make_submission({"calc.py": CORRECT_CALC, "other.py": CORRECT_OTHER, "plot.png": "an artifact"})
    blocker = write(tmp_path / "blocker", "a file where the artifacts folder's parent should be")
    outcome = grade_in_worker(layout, submission, blocker / "artifacts", "grade-test")
    assert validation_problems(outcome.results) == [], f"expected valid results, got problems {validation_problems(outcome.results)}"
    assert outcome.results["score"] == 0 and outcome.results["tests"] == [], f"expected score 0 and no tests, got {outcome.results}"
    assert outcome.error is not None and outcome.error.startswith("grading crashed: "), f"expected a crash error, got {outcome.error!r}"
    assert "error in the grading system" in outcome.results["output"], f"expected an explanation, got {outcome.results['output']!r}"


def test_an_unreadable_gradescope_yaml_is_noted_and_the_export_still_graded(layout, tmp_path, cluster):
    export = tmp_path / "assignment_1_export"
    write(export / "submission_metadata.yml", "submission_111: [unclosed\n")
    correct_folder(export / "submission_111")
    out = tmp_path / "out"
    summary = grade_batch(layout, export, out, scheduler=cluster.scheduler_address, progress=False)
    assert summary.scores == {"submission_111": 3}, f"expected submission_111 graded with 3 points, got {summary.scores}"
    assert len(summary.notes) == 1 and "submission_metadata.yml could not be read" in summary.notes[0], f"expected a note, got {summary.notes}"
    _, metadata = read_student(out, "submission_111")
    assert (metadata["name"], metadata["sid"], metadata["email"]) == (None, None, None), f"expected no identity, got {metadata}"


def test_the_grade_batch_command_writes_results_gradebook_and_feedback_pages(toy_root, cluster, tmp_path):
    submissions = tmp_path / "submissions"
    write(submissions / "alice" / "calc.py", CORRECT_CALC)
    write(submissions / "alice" / "other.py", CORRECT_OTHER)
    write(submissions / "bob" / "calc.py", WRONG_CALC)
    out = tmp_path / "out"
    completed = run_cli("--root", toy_root, "grade-batch", "toy", submissions, "--out", out, "--scheduler", cluster.scheduler_address, "--no-progress")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with open(out / "grades.csv", newline="") as table:
        rows = {row["Student"]: row for row in csv.DictReader(table)}
    assert {name: rows[name]["Total [3 pts]"] for name in rows} == {"alice": "3", "bob": "1"}, rows
    for student in ("alice", "bob"):
        page = (out / "submissions" / student / "feedback.html").read_text()
        assert "double() doubles every entry." in page, f"expected {student}'s feedback page to list the public test"
    assert "2 students, 2 graded runs recorded" in completed.stdout, completed.stdout


SURROGATE_CALC = 'def double(x):\n    raise ValueError("\\x1b[2J\\x1b]0;owned\\x07no double: \\ud800")\n'


def test_a_lone_surrogate_in_one_submission_leaves_grades_csv_and_every_feedback_page_written(toy_root, cluster, tmp_path):
    submissions = tmp_path / "submissions"
    correct_folder(submissions / "alice")
    write(submissions / "mallory" / "calc.py", SURROGATE_CALC)
    write(submissions / "mallory" / "other.py", CORRECT_OTHER)
    out = tmp_path / "out"
    completed = run_cli("--root", toy_root, "grade-batch", "toy", submissions, "--out", out, "--scheduler", cluster.scheduler_address, "--no-progress")
    assert completed.returncode == 0, f"expected exit status 0, got {completed.returncode}:\n{completed.stdout}{completed.stderr[-3000:]}"
    with open(out / "grades.csv", newline="", encoding="utf-8") as table:
        totals = {row["Student"]: row["Total [3 pts]"] for row in csv.DictReader(table)}
    assert totals == {"alice": "3", "mallory": "0"}, f"expected grades.csv rows alice 3 and mallory 0, got {totals}"
    for student in ("alice", "mallory"):
        page = (out / "submissions" / student / "feedback.html").read_text(encoding="utf-8")
        assert "double() doubles every entry." in page, f"expected {student}'s feedback page to list the public test"
    page = (out / "submissions" / "mallory" / "feedback.html").read_text(encoding="utf-8")
    assert "no double: \ufffd" in page and "\x1b" not in page, "expected mallory's message on the page as plain text"


def graded_runs(out_dir, student):
    """(graded_at, score) of every recorded run of ``student``, oldest first."""
    with sqlite3.connect(out_dir / "gradebook.sqlite") as connection:
        return connection.execute("SELECT graded_at, score FROM runs WHERE student = ? ORDER BY id", (student,)).fetchall()


def totals_in_grades_csv(out_dir):
    """{Student: Total} of grades.csv."""
    with open(out_dir / "grades.csv", newline="") as table:
        return {row["Student"]: row["Total [3 pts]"] for row in csv.DictReader(table)}


def test_only_regrades_the_named_student_and_updates_the_gradebook_grades_and_only_their_feedback_page(toy_root, cluster, tmp_path):
    submissions = tmp_path / "submissions"
    correct_folder(submissions / "alice")
    correct_folder(submissions / "bob")
    out = tmp_path / "out"
    first = run_cli("--root", toy_root, "grade-batch", "toy", submissions, "--out", out, "--scheduler", cluster.scheduler_address, "--no-progress")
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    alice_files = {name: (out / "submissions" / "alice" / name).read_bytes() for name in ("results.json", "metadata.json", "feedback.html")}
    bob_page = out / "submissions" / "bob" / "feedback.html"
    bob_page.write_text("the page of bob's first grading")

    write(submissions / "bob" / "calc.py", WRONG_CALC)
    write(submissions / "alice" / "calc.py", WRONG_CALC)  # changed too, but not named: left as it was
    again = run_cli("--root", toy_root, "grade-batch", "toy", submissions, "--out", out, "--scheduler", cluster.scheduler_address,
                    "--no-progress", "--only", "bob")
    assert again.returncode == 0, again.stdout + again.stderr[-3000:]
    assert "graded 1, failed 0, skipped 0" in again.stdout, f"expected only bob graded, got\n{again.stdout}"
    assert totals_in_grades_csv(out) == {"alice": "3", "bob": "1"}, f"expected grades.csv alice 3 (kept) and bob 1 (regraded), got {totals_in_grades_csv(out)}"
    assert [score for _, score in graded_runs(out, "bob")] == [3.0, 1.0], f"expected bob's runs 3 then 1 in the gradebook, got {graded_runs(out, 'bob')}"
    assert len(graded_runs(out, "alice")) == 1, f"expected alice's one run only, got {graded_runs(out, 'alice')}"
    unchanged = [name for name, content in alice_files.items() if (out / "submissions" / "alice" / name).read_bytes() == content]
    assert unchanged == list(alice_files), f"expected alice's results, metadata and page untouched, only {unchanged} are"
    assert "double() doubles every entry." in bob_page.read_text(), "expected bob's feedback page rewritten"


def test_only_with_a_student_without_a_submission_stops_and_names_the_close_ones(toy_root, tmp_path):
    submissions = tmp_path / "submissions"
    correct_folder(submissions / "alice")
    completed = run_cli("--root", toy_root, "grade-batch", "toy", submissions, "--out", tmp_path / "out", "--only", "alcie", "--no-progress")
    expected = f"grade-batch: no submission in {submissions} for: alcie (close: alice)"
    assert (completed.returncode, completed.stdout.strip()) == (2, expected), \
        f"expected exit status 2 and {expected!r}, got {completed.returncode} and {completed.stdout.strip()!r}"
    assert not (tmp_path / "out").exists(), "expected nothing written"


def test_grade_into_a_batch_folder_then_gradebook_records_a_new_run_and_keeps_the_students_identity(toy_root, cluster, tmp_path):
    export = tmp_path / "export"
    write(export / "submission_metadata.yml", GRADESCOPE_WITH_COLONS)
    correct_folder(export / "submission_111")
    out = tmp_path / "out"
    first = run_cli("--root", toy_root, "grade-batch", "toy", export, "--out", out, "--scheduler", cluster.scheduler_address, "--no-progress")
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]

    resubmitted = write(tmp_path / "late" / "calc.py", WRONG_CALC).parent
    write(resubmitted / "other.py", CORRECT_OTHER)
    folder = out / "submissions" / "submission_111"
    graded = run_cli("--root", toy_root, "grade", "toy", resubmitted, "--out", folder / "results.json", "--quiet")
    assert graded.returncode == 0, graded.stdout + graded.stderr[-3000:]
    _, metadata = read_student(out, "submission_111")
    identity = (metadata["name"], metadata["sid"], metadata["email"], metadata["source"])
    expected_identity = ("Solo Student", "100", "solo@example.edu", str(resubmitted))
    assert identity == expected_identity, f"expected the identity kept and the new source {expected_identity}, got {identity}"

    recorded = run_cli("--root", toy_root, "gradebook", out)
    assert recorded.returncode == 0 and "recorded 1 new runs" in recorded.stdout, recorded.stdout + recorded.stderr[-3000:]
    assert [score for _, score in graded_runs(out, "submission_111")] == [3.0, 1.0], \
        f"expected the runs 3 then 1 in the gradebook, got {graded_runs(out, 'submission_111')}"
    assert totals_in_grades_csv(out) == {"Solo Student": "1"}, f"expected grades.csv's total 1, got {totals_in_grades_csv(out)}"


def test_gradings_run_at_most_one_per_core_per_thread_and_a_task_outlasts_its_gradings_backstop(layout, tmp_path, monkeypatch):
    manifest = load_manifest(layout.manifest_path)
    monkeypatch.setattr(batch, "available_cpus", lambda: 4)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert grading_threads(manifest) == 1 and [concurrent_gradings(threads) for threads in (1, 2, 3, 8)] == [4, 2, 1, 1]
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert grading_threads(manifest) == 2, "expected the batch's own OMP_NUM_THREADS (which reaches the workers) to count"
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert default_task_seconds(manifest, layout) == WALL_CEILING_SECONDS + TASK_MARGIN_SECONDS, "expected the task to outlast the grading's backstop"

    monkeypatch.setattr(batch, "available_cpus", lambda: 1)
    sizes, start_client = [], batch.batch_client
    monkeypatch.setattr(batch, "batch_client", lambda n_workers, scheduler: sizes.append(n_workers) or start_client(n_workers, scheduler))
    submissions = tmp_path / "submissions"
    correct_folder(submissions / "alice")
    correct_folder(submissions / "bob")
    summary = grade_batch(layout, submissions, tmp_path / "out", workers=3, progress=False)
    assert sizes == [1] and summary.scores == {"alice": 3, "bob": 3}, f"expected one worker grading both, got {sizes} and {summary.scores}"
    assert summary.notes == ["3 workers asked, 1 used: each grading computes with 1 thread(s) and this machine has 1 CPU(s)"], summary.notes
