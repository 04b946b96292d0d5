"""Grading a submission end to end through the command line: results.json is always written and valid."""

import json
import zipfile

from conftest import CORRECT_CALC, CORRECT_OTHER, HIDDEN_TEST, PUBLIC_TEST, REPO_ROOT, run_cli, write

from autograder.grading import AssignmentLayout, grade_submission
from autograder.results import validation_problems
from autograder.submission import unpack


def grade(toy_root, submission, tmp_path):
    out = tmp_path / "results.json"
    completed = run_cli("--root", toy_root, "grade", "toy", submission, "--out", out)
    assert completed.returncode == 0, f"expected exit status 0, got {completed.returncode}: {completed.stderr[-2000:]}"
    results = json.loads(out.read_text())
    assert validation_problems(results) == [], validation_problems(results)
    return results, completed.stdout


def outcomes(results):
    return {test["name"]: test["status"] for test in results["tests"]}


def test_a_correct_submission_gets_full_marks_with_public_and_hidden_visibility(toy_root, make_submission, tmp_path):
    results, table = grade(toy_root, make_submission({"calc.py": CORRECT_CALC, "other.py": CORRECT_OTHER}), tmp_path)
    assert results["score"] == 3, f"expected 3 points, got {results['score']}: {results['output']}"
    assert {t["visibility"] for t in results["tests"]} == {"visible", "after_published"}, results["tests"]
    assert "TOTAL" in table and "3/3" in table, table


def test_a_missing_file_costs_only_the_tests_that_need_it(toy_root, make_submission, tmp_path):
    results, _ = grade(toy_root, make_submission({"calc.py": CORRECT_CALC}), tmp_path)
    assert results["score"] == 2, f"expected the two calc.py points, got {results['score']}"
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert len(failed) == 1 and "other.py was not submitted" in failed[0]["output"], failed
    assert "Missing files: other.py" in results["output"], results["output"]


def test_a_wrong_function_fails_with_expected_and_received_values(toy_root, make_submission, tmp_path):
    results, _ = grade(toy_root, make_submission({"calc.py": "def double(x):\n    return x + 1\n", "other.py": "def triple(x):\n    return 3 * x\n"}), tmp_path)
    failed = {t["name"]: t["output"] for t in results["tests"] if t["status"] == "failed"}
    assert set(failed) == {"double() doubles every entry."} and "expected [0, 2, 4], got [1. 2. 3.]" in failed["double() doubles every entry."], failed
    assert results["score"] == 2, f"expected 2 points, got {results['score']}"


def test_a_nested_zip_is_found_and_the_place_is_reported(toy_root, tmp_path):
    archive = tmp_path / "submission.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("hw/calc.py", CORRECT_CALC)
        bundle.writestr("hw/other.py", CORRECT_OTHER)
        bundle.writestr("../evil.py", "x = 1\n")
    results, _ = grade(toy_root, archive, tmp_path)
    assert results["score"] == 3 and "found calc.py at hw/calc.py" in results["output"], results["output"]
    assert not (tmp_path.parent / "evil.py").exists(), "a ../ entry must never be written"


def test_a_file_that_is_not_a_zip_still_gives_valid_results_with_a_message(toy_root, tmp_path):
    archive = write(tmp_path / "submission.zip", "this is not a zip")
    results, _ = grade(toy_root, archive, tmp_path)
    assert results["score"] == 0 and "could not be read" in results["output"], results["output"]
    assert len(results["tests"]) == 3 and all("not submitted" in t["output"] for t in results["tests"]), results["tests"]


def test_an_error_in_a_test_itself_is_flagged_as_a_grader_error(toy_root, make_submission, tmp_path):
    write(toy_root / "tests" / "toy" / "hidden" / "test_hidden.py", '''
        import pytest

        @pytest.mark.graded(part="1", points=1)
        def test_broken():
            """A test with a bug."""
            return {}["missing"]
    ''')
    results, _ = grade(toy_root, make_submission({"calc.py": CORRECT_CALC, "other.py": CORRECT_OTHER}), tmp_path)
    broken = [t for t in results["tests"] if t["name"] == "A test with a bug."][0]
    assert broken["extra_data"]["grader_error"] and "grader error" in broken["output"] and "KeyError" in broken["output"], broken


def test_points_that_do_not_add_up_to_the_manifest_stop_grading_with_a_message(toy_root, make_submission, tmp_path):
    write(toy_root / "tests" / "toy" / "hidden" / "test_hidden.py", '''
        import pytest

        @pytest.mark.graded(part="1", points=5)
        def test_heavy(submission):
            """Too many points."""
    ''')
    results, _ = grade(toy_root, make_submission({"calc.py": CORRECT_CALC, "other.py": CORRECT_OTHER}), tmp_path)
    assert results["tests"] == [] and "part 1 (double) is worth 2 points but its tests carry 6" in results["output"], results["output"]


def test_check_runs_only_the_public_tests_of_a_handout(toy_root, tmp_path):
    handout = tmp_path / "handout"
    write(handout / "assignment.toml", (toy_root / "assignments" / "toy" / "assignment.toml").read_text())
    write(handout / "tests" / "public" / "test_public.py", (toy_root / "tests" / "toy" / "public" / "test_public.py").read_text())
    write(handout / "calc.py", CORRECT_CALC)
    write(handout / "other.py", CORRECT_OTHER)
    completed = run_cli("check", "--folder", handout, "--file", "calc.py")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "double() doubles every entry." in completed.stdout and "triple" not in completed.stdout, completed.stdout


DATA_LOADING_TEST = '''
import pytest

from utils import data


@pytest.mark.graded(part="1", points=1)
def test_the_data_set_loads(submission):
    """The test set of Fashion-MNIST loads in the grader."""
    try:
        data.load_fashion_mnist("test")
    except data.DatasetNotFound as exc:
        pytest.skip(f"skipped: {exc}")
'''


def big_file(path, megabytes=21):
    """A sparse file of ``megabytes`` MB at ``path`` (over the grader's 20 MB limit for a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        file.truncate(megabytes * 2**20)
    return path


def test_check_in_a_handout_writes_no_data_there_and_says_nothing_of_files_not_submitted(toy_root, tmp_path, monkeypatch):
    handout = tmp_path / "handout"
    write(handout / "assignment.toml", (toy_root / "assignments" / "toy" / "assignment.toml").read_text())
    write(handout / "tests" / "public" / "test_public.py", DATA_LOADING_TEST)
    write(handout / "calc.py", CORRECT_CALC)
    write(handout / "other.py", CORRECT_OTHER)
    big_file(handout / "mnist_train.csv")
    monkeypatch.delenv("AUTOGRADER_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))
    completed = run_cli("check", "--file", "calc.py", cwd=handout)
    assert "The test set of Fashion-MNIST loads in the grader." in completed.stdout, completed.stdout + completed.stderr
    assert not (handout / "data").exists(), f"expected no data/ in the handout, got {sorted((handout / 'data').rglob('*'))}"
    assert "ignored" not in completed.stdout, f"expected no word on files that are not submitted, got:\n{completed.stdout}"


def test_in_a_working_folder_only_left_out_entries_named_like_an_expected_file_are_noted(tmp_path):
    folder = tmp_path / "submission"
    write(folder / "calc.py", CORRECT_CALC)
    big_file(folder / "data" / "train-images-idx3-ubyte")
    big_file(folder / "old" / "other.py")
    unpacked = unpack(folder, ["calc.py", "other.py"], tmp_path / "checked", working_folder=True)
    assert unpacked.notes == ["ignored old/other.py (21 MB, over the 20 MB limit for a file)"], unpacked.notes
    submitted = unpack(folder, ["calc.py", "other.py"], tmp_path / "submitted")
    assert submitted.notes == ["ignored data/train-images-idx3-ubyte (21 MB, over the 20 MB limit for a file)",
                               "ignored old/other.py (21 MB, over the 20 MB limit for a file)"], submitted.notes


def test_test_locations_reach_results_only_when_asked(toy_root, make_submission):
    submission = make_submission({"calc.py": CORRECT_CALC, "other.py": CORRECT_OTHER})
    layout = AssignmentLayout.in_repository(toy_root, "toy")
    plain = json.dumps(grade_submission(layout, submission))
    assert "location" not in plain and "test_hidden" not in plain, f"expected no test file named in students' results, got {plain}"
    located = {test["name"]: test["extra_data"]["location"] for test in grade_submission(layout, submission, locations=True)["tests"]}
    expected = "tests/toy/hidden/test_hidden.py:6 test_double_keeps_the_shape"
    assert located["double() keeps the shape of a 2-D array."] == expected, located


def test_grading_twice_in_one_process_imports_each_assignments_own_suites(toy_root, make_submission, tmp_path):
    other_root = tmp_path / "other-repo"
    write(other_root / "assignments" / "toy" / "assignment.toml", (toy_root / "assignments" / "toy" / "assignment.toml").read_text())
    write(other_root / "tests" / "toy" / "public" / "test_public.py",
          PUBLIC_TEST.replace('"""double() doubles every entry."""', '"""double() doubles every entry, in the other suite."""'))
    write(other_root / "tests" / "toy" / "hidden" / "test_hidden.py", HIDDEN_TEST)
    submission = make_submission({"calc.py": CORRECT_CALC, "other.py": CORRECT_OTHER})
    first = grade_submission(AssignmentLayout.in_repository(toy_root, "toy"), submission)
    second = grade_submission(AssignmentLayout.in_repository(other_root, "toy"), submission)
    assert first["score"] == second["score"] == 3, (first["output"], second["output"])
    assert "double() doubles every entry, in the other suite." in outcomes(second), sorted(outcomes(second))
    assert "double() doubles every entry, in the other suite." not in outcomes(first), sorted(outcomes(first))


TIERED_PART = '''
[parts."3"]
name = "tiered"
file = "calc.py"
points = 1
extra_credit = 2
'''

TIERED_TEST = '''
import pytest


@pytest.mark.graded(part="3", points=1, extra_credit=2)
def test_tiers(submission, award, leaderboard):
    """double(5) earns points by tier."""
    value = float(submission.module("calc").double(5))
    leaderboard("Value", value)
    tiers = {10.0: 3, 9.0: 0.5, 99.0: 7}
    award(tiers.get(value, 0), f"double(5) = {value:g}: tier worth {tiers.get(value, 0):g}")
'''


def tiered_root(toy_root):
    """The toy assignment with a third part scored in tiers (1 point, 2 extra)."""
    manifest = toy_root / "assignments" / "toy" / "assignment.toml"
    manifest.write_text(manifest.read_text() + TIERED_PART)
    write(toy_root / "tests" / "toy" / "public" / "test_tiers.py", TIERED_TEST)
    return toy_root


def test_a_tiered_test_awards_extra_credit_and_posts_to_the_leaderboard(toy_root, make_submission, tmp_path):
    results, table = grade(tiered_root(toy_root), make_submission({"calc.py": CORRECT_CALC, "other.py": CORRECT_OTHER}), tmp_path)
    tiered = next(test for test in results["tests"] if test["number"] == "3")
    assert (tiered["score"], tiered["max_score"], tiered["status"]) == (3, 1, "passed"), tiered
    assert tiered["output"] == "double(5) = 10: tier worth 3", tiered
    assert results["score"] == 6 and results["leaderboard"] == [{"name": "Value", "value": 10.0, "order": "desc"}], results


def test_a_lower_tier_earns_part_of_the_points_and_is_shown_as_partial(toy_root, make_submission, tmp_path):
    calc = "def double(x):\n    return x * 2 - 1\n"
    results, table = grade(tiered_root(toy_root), make_submission({"calc.py": calc, "other.py": CORRECT_OTHER}), tmp_path)
    tiered = next(test for test in results["tests"] if test["number"] == "3")
    assert (tiered["score"], tiered["status"]) == (0.5, "failed") and "tier worth 0.5" in tiered["output"], tiered
    assert any(line.startswith("3 ") and " part " in line and "0.5/1" in line for line in table.splitlines()), table


def test_awarding_more_than_the_points_and_extra_credit_is_a_grader_error(toy_root, make_submission, tmp_path):
    calc = "def double(x):\n    return 99.0\n"
    results, _ = grade(tiered_root(toy_root), make_submission({"calc.py": calc, "other.py": CORRECT_OTHER}), tmp_path)
    tiered = next(test for test in results["tests"] if test["number"] == "3")
    assert tiered["score"] == 0 and tiered["extra_data"]["grader_error"] and "outside 0 to 3" in tiered["output"], tiered


def test_optional_artifacts_are_kept_where_asked_and_never_run(toy_root, make_submission, tmp_path):
    submission = make_submission({"calc.py": CORRECT_CALC, "other.py": CORRECT_OTHER, "plot.png": "not really a png"})
    kept = tmp_path / "kept"
    results = grade_submission(AssignmentLayout.in_repository(toy_root, "toy"), submission, artifacts_dir=kept)
    assert results["score"] == 3, results["output"]
    assert (kept / "plot.png").read_text() == "not really a png", sorted(kept.iterdir()) if kept.exists() else "no artifacts folder"


def test_pack_zips_exactly_the_manifests_files_and_warns_about_lost_points(toy_root, tmp_path):
    handout = tmp_path / "handout"
    write(handout / "assignment.toml", (toy_root / "assignments" / "toy" / "assignment.toml").read_text())
    write(handout / "calc.py", "import torch\n\ndef double(x):\n    raise NotImplementedError\n")
    write(handout / "other.py", CORRECT_OTHER)
    write(handout / "plot.png", "artifact")
    write(handout / "scratch.py", "print('not asked for')\n")
    completed = run_cli("pack", "--folder", handout)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with zipfile.ZipFile(handout / "toy-submission.zip") as archive:
        assert sorted(archive.namelist()) == ["calc.py", "other.py", "plot.png"], archive.namelist()
    assert "warning: calc.py imports torch, which this assignment does not allow" in completed.stdout, completed.stdout
    assert "warning: calc.py still has 1 `raise NotImplementedError` stub" in completed.stdout, completed.stdout


def test_pack_warns_about_a_submitted_file_too_large_and_says_nothing_of_the_others(toy_root, tmp_path):
    handout = tmp_path / "handout"
    write(handout / "assignment.toml", (toy_root / "assignments" / "toy" / "assignment.toml").read_text())
    write(handout / "calc.py", CORRECT_CALC)
    write(handout / "other.py", CORRECT_OTHER)
    big_file(handout / "plot.png")
    big_file(handout / "data" / "cache" / "fashion_mnist_train.npz")
    completed = run_cli("pack", "--folder", handout)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    expected = "warning: plot.png is 21 MB, over the 20 MB the grader reads: it will be ignored"
    assert expected in completed.stdout, f"expected {expected!r}, got:\n{completed.stdout}"
    assert "data" not in completed.stdout and "ignored" not in completed.stdout.replace(expected, ""), completed.stdout


def test_pack_refuses_when_a_required_file_is_missing(toy_root, tmp_path):
    handout = tmp_path / "handout"
    write(handout / "assignment.toml", (toy_root / "assignments" / "toy" / "assignment.toml").read_text())
    write(handout / "calc.py", CORRECT_CALC)
    completed = run_cli("pack", "--folder", handout)
    assert completed.returncode == 1 and "cannot pack toy: missing other.py" in completed.stdout, completed.stdout
    assert not (handout / "toy-submission.zip").exists(), "expected no zip when a file is missing"


HOSTILE_CALC = r'''
import os
import sys


def double(x):
    print("\x1b[2J\x1b[H\x1b]0;owned\x07       TOTAL      3/3")
    raise ValueError("\x1b[2J\x1b[H       TOTAL      3/3 \ud800")
'''

FORGING_CALC = r'''
import os
import sys


def double(x):
    if getattr(x, "ndim", 0) == 2:  # only in the hidden test: a header 50,000 deep on the worker's reply channel
        os.write(int(sys.argv[3]), (100_016).to_bytes(8, "little") + b'{"blobs":0,"ok":' + b"[" * 50_000 + b"]" * 50_000 + b"}")
    return x * 2
'''


def control_characters(text):
    """The control characters of ``text`` other than newline and tab, as code points."""
    return sorted({f"U+{ord(c):04X}" for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F})


def test_escape_sequences_and_a_lone_surrogate_in_messages_print_as_plain_text_with_the_true_total(toy_root, make_submission, tmp_path):
    results, printed = grade(toy_root, make_submission({"calc.py": HOSTILE_CALC, "other.py": "def triple(x):\n    return 3 * x\n"}), tmp_path)
    assert control_characters(printed) == [], f"expected no control character in the printed report, got {control_characters(printed)}"
    totals = [line.split()[-1] for line in printed.splitlines() if line.lstrip().startswith("TOTAL")]
    assert totals == ["1/3"], f"expected one TOTAL line, the table's 1/3, got {totals} in\n{printed}"
    failed = [test["output"] for test in results["tests"] if test["status"] == "failed"]
    assert len(failed) == 2 and all("TOTAL      3/3 \ufffd" in output for output in failed), f"expected both double tests failed in plain text, got {failed}"


def test_a_forged_reply_costs_only_its_test_and_is_not_a_grader_error(toy_root, make_submission, tmp_path):
    results, _ = grade(toy_root, make_submission({"calc.py": FORGING_CALC, "other.py": CORRECT_OTHER}), tmp_path)
    shape = next(test for test in results["tests"] if test["name"] == "double() keeps the shape of a 2-D array.")
    assert (shape["status"], shape["extra_data"]["grader_error"]) == ("failed", False), \
        f"expected the test failed as the submission's fault, got {shape['status']} with grader_error {shape['extra_data']['grader_error']}"
    assert "the worker sent a reply the grader cannot read: a header nested too deeply" in shape["output"], shape["output"]
    assert results["score"] == 2, f"expected the two other points, got {results['score']}: {outcomes(results)}"
