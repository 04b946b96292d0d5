"""``python -m autograder``: grade, check, validate and release assignments."""

import argparse
import json
import tempfile
from pathlib import Path

from autograder.grading import AssignmentLayout, grade_submission
from autograder.results import format_messages, format_table, validation_problems

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

    pack = commands.add_parser("pack", help="student side: zip exactly the files the assignment asks for")
    pack.add_argument("--folder", type=Path, default=Path.cwd(), help="the handout folder (default: current folder)")
    pack.add_argument("--out", type=Path, help="the zip to write (default: <folder>/<assignment>-submission.zip)")

    release = commands.add_parser("release", help="regenerate the handout and build the handout and autograder zips")
    release.add_argument("assignment")
    return parser


def main(argv=None):
    """Run one command; returns the process exit status."""
    args = build_parser().parse_args(argv)
    return {"grade": grade, "check": check, "validate": validate, "pack": pack, "release": release}[args.command](args)


def grade(args):
    """Grade one submission; exit status 0 whenever results.json was written."""
    results = grade_submission(AssignmentLayout.in_repository(args.root, args.assignment), args.submission, out=args.out)
    if not args.quiet:
        print_report(results)
        print(f"results written to {args.out}")
    return 0


def check(args):
    """Student side: public tests of the handout in ``--folder``; exit status 1 when a test fails."""
    results = grade_submission(AssignmentLayout.in_handout(args.folder), args.folder, files=args.file)
    print_report(results)
    print("Passing the public tests does not guarantee full credit: hidden tests grade more.")
    return 0 if results["tests"] and all(test["status"] == "passed" for test in results["tests"]) else 1


def validate(args):
    """Grade the reference and the untouched handout and check what each must get."""
    from autograder.release import handout_differences, write_reference_submission

    layout = AssignmentLayout.in_repository(args.root, args.assignment)
    problems = [f"the committed handout is stale (run make release): {', '.join(diffs)}"
                for diffs in [handout_differences(args.assignment, args.root)] if diffs]
    with tempfile.TemporaryDirectory(prefix="reference-") as scratch:
        reference = write_reference_submission(args.assignment, args.root, Path(scratch) / args.assignment)
        for label, folder, shown, expect_full in (
            ("reference", reference, f"solutions/{args.assignment}", True),
            ("handout", args.root / "assignments" / args.assignment, f"assignments/{args.assignment}", False),
        ):
            problems += grade_and_check(layout, folder, args.out / args.assignment / f"{label}-results.json", f"{label}: {shown}", expect_full)
    print()
    for problem in problems:
        print(f"FAILED: {problem}")
    print("validate: " + ("failed" if problems else "the reference gets full marks, the handout 0, no grader errors"))
    return 1 if problems else 0


def grade_and_check(layout, folder, out, label, expect_full):
    """Grade ``folder``, print its table (and messages, for the reference) and return what it got wrong."""
    results = grade_submission(layout, folder, out=out)
    print(f"\n== {label} ==")
    print(format_table(results))
    if expect_full:
        print(format_messages(results))
    return [f"{label.partition(':')[0]}: {problem}" for problem in expectation_problems(results, expect_full)]


def print_report(results):
    """Print the score table, the tests' messages and the overall message of a results document."""
    print(format_table(results))
    messages = format_messages(results)
    if messages:
        print("\n" + messages)
    print("\n" + results["output"])


def expectation_problems(results, expect_full):
    """Why ``results`` is not what the reference (full marks) or the handout (zero) must get.

    A reference test skipped because its data is missing ("skipped: CIFAR-10 not found at ...") is not
    counted against it: its message is printed with the table.
    """
    problems = [f"results.json: {problem}" for problem in validation_problems(json.loads(json.dumps(results)))]
    if not results["tests"]:
        problems.append(f"no test ran: {results['output']}")
    for test in results["tests"]:
        if test["extra_data"]["grader_error"]:
            problems.append(f"grader error in {test['number']} {test['name']}: {test['output'][:300]}")
        elif expect_full and test["output"].startswith("skipped:"):
            continue
        elif expect_full and test["status"] != "passed":
            problems.append(f"{test['number']} {test['name']} failed: {test['output'][:300]}")
        elif not expect_full and test["score"] > 0:
            problems.append(f"{test['number']} {test['name']} gave the untouched handout {test['score']:g} points")
    return problems


def pack(args):
    """Student side: write the submission zip; exit status 1 (and nothing written) when a required file is missing."""
    from autograder.pack import PackError, pack_submission

    try:
        path, warnings = pack_submission(args.folder, args.out)
    except PackError as exc:
        print(exc)
        return 1
    for warning in warnings:
        print(f"warning: {warning}")
    print(f"wrote {path}: upload it")
    return 0


def release(args):
    """Regenerate assignments/<a>/ and dist/<a>-{handout,autograder}.zip."""
    from autograder.release import release as build_release

    build_release(args.assignment, args.root)
    print(f"released {args.assignment}: assignments/{args.assignment}/, dist/{args.assignment}-handout.zip, dist/{args.assignment}-autograder.zip")
    return 0


