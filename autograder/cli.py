"""``python -m autograder``: grade, check, validate, pack and release assignments, scaffold a new one (new);
staff tools for batches (grade-batch, gradebook, feedback, manual, similarity)."""

import argparse
import json
import tempfile
from pathlib import Path

from autograder.budget import (REFERENCE_TIMING, GradingBudget, gradescope_timeout_minutes, read_reference_timing, timing_is_stale,
                               timing_problems, write_reference_timing)
from autograder.grading import AssignmentLayout, grade_submission
from autograder.manifest import load_manifest
from autograder.results import format_messages, format_report, format_table, not_run_of, validation_problems

REPO_ROOT = Path(__file__).resolve().parent.parent


def build_parser():
    """The argument parser with one sub-command per job."""
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository (or autograder source) root; default: the engine's parent folder")
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade one submission (a folder or a zip) and write results.json")
    grade.add_argument("assignment")
    grade.add_argument("submission", type=Path)
    grade.add_argument("--out", type=Path, default=Path("results.json"), help="where to write results.json (default: ./results.json)")
    grade.add_argument("--quiet", action="store_true", help="do not print the table")

    check = commands.add_parser("check", help="student side: run the public tests of the handout in the current folder")
    check.add_argument("--file", action="append", help="only the tests of this submitted file (repeatable)")
    check.add_argument("--folder", type=Path, default=Path.cwd(), help="the handout folder (default: current folder)")

    validate = commands.add_parser("validate", help="the reference gets full marks, the handout 0, no grader errors, the handout is fresh")
    validate.add_argument("assignment")
    validate.add_argument("--out", type=Path, default=Path("out"), help="folder for the two results.json files (default: ./out)")
    validate.add_argument("--stale-is-a-note", action="store_true",
                          help="report a stale committed handout as a note instead of failing (what `make demo` does)")
    validate.add_argument("--keep-timing", action="store_true",
                          help="measure the reference's grading time without recording or judging it (a simulated CPU)")
    validate.add_argument("--notebooks", action="store_true",
                          help="also run the notebook edition, filled with the reference and untouched, in a headless kernel "
                               "and grade the saved notebooks: the same per-test results as the .py files (what `make validate` does)")

    pack = commands.add_parser("pack", help="student side: zip exactly the files the assignment asks for")
    pack.add_argument("--folder", type=Path, default=Path.cwd(), help="the handout folder (default: current folder)")
    pack.add_argument("--out", type=Path, help="the zip to write (default: <folder>/<assignment>-submission.zip)")
    pack.add_argument("--notebook", type=Path, help="take the Python files from this notebook's %%%%writefile cells (the notebook edition)")

    release = commands.add_parser("release", help="regenerate the handout and build the handout and autograder zips")
    release.add_argument("assignment")

    new = commands.add_parser("new", help="scaffold a working one-file assignment in solutions/NAME/ and tests/NAME/ (docs/new_assignment.md)")
    new.add_argument("name", metavar="NAME", help="the assignment's name: lower-case letters, digits and _")

    batch = commands.add_parser("grade-batch", help="grade every submission of a folder (or a Gradescope export) in parallel on Dask")
    batch.add_argument("assignment")
    batch.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR", help="one folder or .zip per student, or a Gradescope \"export submissions\" folder")
    batch.add_argument("--out", type=Path, required=True, metavar="OUTDIR", help="the batch output folder (OUTDIR/submissions/<student>/...)")
    where = batch.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N", help="worker processes of a local Dask cluster (default and most: the CPU cores "
                       "divided by the threads each grading computes with, [limits] threads)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="address of a running Dask scheduler to use instead (e.g. tcp://host:8786)")
    batch.add_argument("--task-seconds", type=float, help="wall-clock budget of one grading (default: the grading's own wall-clock backstop plus 2 minutes)")
    batch.add_argument("--no-progress", action="store_true", help="no progress bar")
    batch.add_argument("--only", action="append", metavar="STUDENT",
                       help="regrade only this student's submission, changed or not (repeatable); the others are left as they are")

    gradebook = commands.add_parser("gradebook", help="record a batch's runs in OUTDIR/gradebook.sqlite, write OUTDIR/grades.csv, print a summary")
    gradebook.add_argument("out_dir", type=Path, metavar="OUTDIR", help="the batch output folder (holds submissions/)")
    gradebook.add_argument("--assignment", help="the assignment (default: the one the runs' metadata.json names)")
    gradebook.add_argument("--manifest", type=Path, help="the assignment.toml to use (overrides --assignment)")

    feedback = commands.add_parser("feedback", help="write OUTDIR/submissions/<student>/feedback.html for every graded submission")
    feedback.add_argument("out_dir", type=Path, metavar="OUTDIR")
    feedback.add_argument("--audience", choices=("student", "grader"), default="student", help="student: Gradescope visibility; grader: every test")
    feedback.add_argument("--published", action="store_true", help="grades are published: show after_published tests to students")

    manual = commands.add_parser("manual", help="write OUTDIR/rubric.csv for the parts a person grades, or --import a filled one "
                                                "into the gradebook, grades.csv and the feedback pages")
    manual.add_argument("out_dir", type=Path, metavar="OUTDIR", help="the batch output folder (holds submissions/)")
    manual.add_argument("--import", dest="sheet", type=Path, metavar="FILE.csv", help="import the points of a filled rubric sheet")
    manual.add_argument("--assignment", help="the assignment (default: the one the runs' metadata.json names)")
    manual.add_argument("--manifest", type=Path, help="the assignment.toml to use (overrides --assignment)")
    manual.add_argument("--audience", choices=("student", "grader"), default="student", help="view of the feedback pages rewritten after an import")
    manual.add_argument("--published", action="store_true", help="grades are published: students see a person's points and comments")

    similarity = commands.add_parser("similarity", help="rank pairs of students by code similarity (copydetect); write similarity.csv and .html")
    similarity.add_argument("assignment")
    similarity.add_argument("submissions", type=Path, help="folder with one entry (a folder, a .zip or a notebook) per student")
    similarity.add_argument("--out", type=Path, default=Path("similarity"), help="folder for similarity.csv and similarity.html")
    similarity.add_argument("--threshold", type=float, default=0.33, help="show the copied code of pairs above this similarity in the report")
    return parser


def main(argv=None):
    """Run one command; returns the process exit status."""
    args = build_parser().parse_args(argv)
    commands = {"grade": grade, "check": check, "validate": validate, "pack": pack, "release": release, "new": new,
                "grade-batch": grade_batch, "gradebook": gradebook, "feedback": feedback, "manual": manual, "similarity": similarity}
    return commands[args.command](args)


def grade(args):
    """Grade one submission; exit status 0 whenever results.json was written.

    ``--out OUTDIR/submissions/<student>/results.json`` (a batch's layout) regrades that student of the batch:
    metadata.json and the artifacts are written too, so that ``gradebook OUTDIR`` records the new run.
    """
    layout = AssignmentLayout.in_repository(args.root, args.assignment)
    out = args.out.resolve()
    if out.name == "results.json" and out.parent.parent.name == "submissions":
        from autograder.batch import record_single_grading

        results = record_single_grading(layout, args.assignment, args.submission, out.parent.parent.parent, out.parent.name)
    else:
        results = grade_submission(layout, args.submission, out=args.out)
    if not args.quiet:
        print(format_report(results))
        print(f"results written to {args.out}")
    return 0


def check(args):
    """Student side: public tests of the handout in ``--folder``; exit status 1 when a test fails."""
    results = grade_submission(AssignmentLayout.in_handout(args.folder), args.folder, files=args.file, working_folder=True)
    print(format_report(results))
    print("Passing the public tests does not guarantee full credit: hidden tests grade more.")
    return 0 if results["tests"] and all(test["status"] == "passed" for test in results["tests"]) else 1


def validate(args):
    """Grade the reference and the untouched handout and check what each must get.

    The reference's grading is timed: its timing is recorded in tests/<a>/reference_timing.json (the default
    grading budget is three times its CPU time, see ``autograder.budget``) when none is recorded or it changed by
    more than TIMING_TOLERANCE, but only when every data set of the manifest is here (stand-in data would give a
    budget too small for the real data); the limits must leave the reference twice the CPU time it used.
    With ``--notebooks``, the notebook edition is checked too (``notebook_problems``).
    """
    from autograder.notebook_validation import notebook_problems
    from autograder.release import handout_differences, write_reference_submission

    layout = AssignmentLayout.in_repository(args.root, args.assignment)
    stale = handout_differences(args.assignment, args.root)
    freshness = [f"the committed handout is stale (run make release): {'; '.join(stale)}"] if stale else []
    notes, problems = (freshness, []) if args.stale_is_a_note else ([], list(freshness))
    timing, graded = {}, {}
    with tempfile.TemporaryDirectory(prefix="reference-") as scratch:
        reference = write_reference_submission(args.assignment, args.root, Path(scratch) / args.assignment)
        for label, folder, shown, expect_full in (
            ("reference", reference, f"solutions/{args.assignment}", True),
            ("handout", args.root / "assignments" / args.assignment, f"assignments/{args.assignment}", False),
        ):
            graded[label], found = grade_and_check(layout, folder, args.out / args.assignment / f"{label}-results.json", f"{label}: {shown}",
                                                   expect_full, timing if expect_full else None)
            problems += found
        if args.notebooks:
            problems += notebook_problems(args.assignment, args.root, layout, reference, graded, args.out / args.assignment, Path(scratch))
    if timing:
        notes.append(describe_timing(timing))
    if timing and not args.keep_timing:
        manifest = load_manifest(layout.manifest_path)
        problems += [f"reference: {problem}" for problem in timing_problems(manifest.limits, timing)]
        missing = missing_datasets(manifest)
        if missing:
            notes.append(f"the reference's timing is not recorded: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing here, "
                         "so the time of a grading with stand-in data says nothing of one with the real data (gradings get the default budget)")
        elif timing_is_stale(read_reference_timing(layout.timing_folder), timing):
            write_reference_timing(layout.timing_folder, timing)
            notes.append(f"recorded the reference's timing in {layout.timing_folder / REFERENCE_TIMING} (commit it, then run make release)")
        notes.append(describe_budget(layout))
    print()
    for note in notes:
        print(f"NOTE: {note}")
    for problem in problems:
        print(f"FAILED: {problem}")
    print("validate: " + ("failed" if problems else "the reference gets full marks, the handout 0, no grader errors"))
    return 1 if problems else 0


def missing_datasets(manifest):
    """The manifest's data sets this machine does not have (their test split cannot be loaded)."""
    from utils.data import DatasetNotFound, load_dataset

    missing = []
    for name in manifest.datasets:
        try:
            load_dataset(name, "test")
        except DatasetNotFound:
            missing.append(name)
    return missing


def describe_timing(timing):
    """The reference's grading time in words."""
    return (f"the reference's grading took {timing['wall_seconds']:g} s: {timing['worker_cpu_seconds']:g} s of CPU time in its workers "
            f"({timing['threads']} thread(s) each), {timing['grader_cpu_seconds']:g} s in the grader; the most CPU time of one call "
            f"under each limit: {timing['longest_call_cpu_seconds']}")


def describe_budget(layout):
    """The time budget a grading gets with the recorded reference timing, in words."""
    budget = GradingBudget.for_grading(load_manifest(layout.manifest_path).limits, read_reference_timing(layout.timing_folder))
    return (f"a grading's budget: {budget.cpu_seconds:g} s of CPU time, wall-clock backstop {budget.wall_seconds:g} s "
            f"(Gradescope timeout: {gradescope_timeout_minutes(budget.wall_seconds)} minutes)")


def grade_and_check(layout, folder, out, label, expect_full, timing=None):
    """Grade ``folder``, print its table (and messages, for the reference); returns (its results, what it got wrong).
    ``timing``: a dict to fill with what the grading took."""
    results = grade_submission(layout, folder, out=out, locations=True, timing=timing)
    print(f"\n== {label} ==")
    print(format_table(results))
    if expect_full:
        print(format_messages(results))
    return results, [f"{label.partition(':')[0]}: {problem}" for problem in expectation_problems(results, expect_full)]


def expectation_problems(results, expect_full):
    """Why ``results`` (graded with locations) is not what the reference (full marks) or the handout (zero) must get.

    Each problem with a test starts with where the test is defined ("tests/<a>/<suite>/<file>.py:<line> <test>")
    when the results hold locations.
    A reference test that could not run because the course's data is missing ("skipped: CIFAR-10 not found
    at ...", 0 of 0 points) is not counted against it: its message is printed with the table.
    """
    problems = [f"results.json: {problem}" for problem in validation_problems(json.loads(json.dumps(results)))]
    if not results["tests"]:
        problems.append(f"no test ran: {results['output']}")
    for test in results["tests"]:
        where = f"{test['extra_data']['location']}: " if "location" in test["extra_data"] else ""
        if test["extra_data"]["grader_error"]:
            problems.append(f"{where}grader error in {test['number']} {test['name']}: {test['output'][:300]}")
        elif expect_full and not_run_of(test):
            continue
        elif expect_full and test["status"] != "passed":
            problems.append(f"{where}{test['number']} {test['name']} failed: {test['output'][:300]}")
        elif not expect_full and test["score"] > 0:
            problems.append(f"{where}{test['number']} {test['name']} gave the untouched handout {test['score']:g} points")
    return problems


def pack(args):
    """Student side: write the submission zip; exit status 1 (and nothing written) when a required file is missing.

    With ``--notebook``, the Python files come from the notebook's ``%%writefile`` cells."""
    from autograder.pack import PackError, pack_submission

    try:
        path, warnings = pack_submission(args.folder, args.out, notebook=args.notebook)
    except PackError as exc:
        print(exc)
        return 1
    for warning in warnings:
        print(f"warning: {warning}")
    print(f"wrote {path}: upload it")
    return 0


def release(args):
    """Regenerate assignments/<a>/ and dist/<a>-{handout,autograder}.zip; exit status 1 when a source file is at fault."""
    from autograder.release import ReleaseError, release as build_release

    try:
        build_release(args.assignment, args.root)
    except ReleaseError as exc:
        print(f"release: {exc}")
        return 1
    print(f"released {args.assignment}: assignments/{args.assignment}/, dist/{args.assignment}-handout.zip, dist/{args.assignment}-autograder.zip")
    return 0


def new(args):
    """Scaffold assignment NAME under ``--root``; exit status 1 when the name is not valid or already taken."""
    from autograder.scaffold import ScaffoldError, scaffold

    try:
        written = scaffold(args.name, args.root)
    except ScaffoldError as exc:
        print(f"new: {exc}")
        return 1
    print(f"wrote {', '.join(written)}")
    print(f"next: python -m autograder release {args.name} && python -m autograder validate {args.name} "
          "(docs/new_assignment.md says how to grow it)")
    return 0


def grade_batch(args):
    """Grade every submission of a folder (or those of ``--only``) on a Dask cluster, then update the gradebook
    and grades.csv and write the feedback pages of the submissions graded.

    Exit status 0 once every results.json is written, 2 when the batch cannot start (no manifest, no folder,
    a student of ``--only`` without a submission).
    """
    from autograder.batch import grade_batch as run_batch
    from autograder.feedback import write_feedback_pages
    from autograder.gradebook import gradebook_summary, update_gradebook
    from autograder.manifest import ManifestError

    layout = AssignmentLayout.in_repository(args.root, args.assignment)
    try:
        summary = run_batch(layout, args.submissions, args.out, workers=args.workers, scheduler=args.scheduler,
                            task_seconds=args.task_seconds, progress=not args.no_progress, only=args.only)
    except (ManifestError, FileNotFoundError, ValueError) as exc:
        print(f"grade-batch: {exc}")
        return 2
    print(summary.describe())
    update_gradebook(args.out, load_manifest(layout.manifest_path))
    pages = write_feedback_pages(args.out, students=args.only)
    print(f"results in {args.out / 'submissions'}; {len(pages)} feedback pages; grades in {args.out / 'grades.csv'}\n")
    print(gradebook_summary(args.out))
    return 0


def gradebook(args):
    """Record a batch's runs, write grades.csv when the assignment's manifest is found, print the summary."""
    from autograder.gradebook import run_gradebook

    return run_gradebook(args.out_dir, assignment=args.assignment, manifest_path=args.manifest, root=args.root)


def feedback(args):
    """Write the feedback page of every graded submission of a batch."""
    from autograder.feedback import write_feedback_pages

    pages = write_feedback_pages(args.out_dir, audience=args.audience, published=args.published)
    print(f"wrote {len(pages)} feedback pages ({args.audience} view{', published' if args.published else ''})")
    return 0


def manual(args):
    """Write the rubric sheet of the parts a person grades, or import a filled one."""
    from autograder.manual import run_manual

    return run_manual(args.out_dir, sheet=args.sheet, assignment=args.assignment, manifest_path=args.manifest, root=args.root,
                      audience=args.audience, published=args.published)


def similarity(args):
    """Rank pairs of students by the similarity of their submitted Python files."""
    from autograder.similarity import run

    return run(args)
