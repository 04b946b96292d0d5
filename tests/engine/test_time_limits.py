"""Time limits measure the submission: CPU time of all a worker's processes and threads, wall-clock backstops,
the grading's budget, calls that ran out of time not run again, results.json written before anything can stop it.

These tests assert on outcomes and on the engine's CPU-time accounting, never on how fast this machine is.
"""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from conftest import CORRECT_OTHER, REPO_ROOT

from autograder.budget import (MIN_GRADING_SECONDS, WALL_CEILING_SECONDS, GradingBudget, grading_seconds, read_reference_timing,
                               timing_is_stale, timing_problems, write_reference_timing)
from autograder.grading import UNFINISHED, AssignmentLayout, grade_submission
from autograder.results import validation_problems
from autograder import sandbox
from autograder.cputime import cpu_groups_available
from autograder.sandbox import SubmissionTimeout, WorkerCrashed

PROBE = """
import os
import signal
import subprocess
import sys
import threading
import time


def burn(seconds):
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass
    return time.process_time() - start


def spin():
    while True:
        pass


def nap():
    time.sleep(3600)


def spin_in_thread():
    threading.Thread(target=spin, daemon=True).start()
    time.sleep(3600)


def spin_in_child():
    subprocess.run([sys.executable, "-c", "while True: pass"])


def spin_in_orphan():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            spin()
        os._exit(0)
    os.wait()
    time.sleep(3600)


def spin_in_ignored_children():
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        child = os.fork()
        if child == 0:
            burn(0.2)
            os._exit(0)
        try:
            os.waitpid(child, 0)  # returns once the kernel has reaped the child, without its time: ChildProcessError
        except ChildProcessError:
            pass


class Stuck:
    def __init__(self, size):
        spin()
"""
# A correct submission of the toy assignment whose double() first uses BURN_SECONDS of CPU time.
BURN_SECONDS = 1.0
BURNING_CALC = f"import time\n\n\ndef double(x):\n    start = time.process_time()\n    while time.process_time() - start < {BURN_SECONDS}:\n" \
               "        pass\n    return x * 2\n"


def timeout_of(call):
    """The SubmissionTimeout that ``call()`` raises."""
    with pytest.raises(SubmissionTimeout) as caught:
        call()
    return caught.value


def test_a_spinning_call_is_stopped_by_its_cpu_time_limit_and_the_next_call_gets_a_fresh_worker(sandboxed):
    submission = sandboxed({"calc.py": PROBE})
    calc = submission.module("calc")
    with submission.time_limit(1):
        stop = timeout_of(calc.spin)
    assert str(stop).startswith("calc.spin() used ") and str(stop).endswith(" s of CPU time, the limit for one call is 1 s (the worker was stopped)"), str(stop)
    assert stop.struck == "cpu" and 1 <= stop.cpu_used < 2, f"expected the CPU limit to strike just past 1 s of CPU time, got {stop.struck} at {stop.cpu_used}"
    with pytest.raises(WorkerCrashed, match="is gone"):
        calc.burn(0)
    assert submission.module("calc").burn(0) == 0


@pytest.mark.parametrize("how", ["spin_in_thread", "spin_in_child", "spin_in_orphan"])
def test_the_cpu_time_of_threads_children_and_orphans_counts(sandboxed, how):
    submission = sandboxed({"calc.py": PROBE})
    submission.budget.wall_factor = 60  # the caller sleeps: only the CPU time of what it started can stop it first
    with submission.time_limit(1):
        stop = timeout_of(getattr(submission.module("calc"), how))
    assert stop.struck == "cpu" and stop.cpu_used >= 1, f"expected {how}'s CPU time counted and the CPU limit to strike, got {stop}"


needs_cpu_groups = pytest.mark.skipif(not cpu_groups_available(), reason="control groups cannot be created here (not root, or a read-only cgroup file system)")


@needs_cpu_groups
def test_the_cpu_time_of_children_the_kernel_reaps_counts_in_the_workers_control_group(sandboxed, monkeypatch):
    submission = sandboxed({"calc.py": PROBE})
    submission.budget.wall_factor = 8  # the caller sleeps: only its children's CPU time can stop it first
    with submission.time_limit(1):
        stop = timeout_of(submission.module("calc").spin_in_ignored_children)
    assert stop.struck == "cpu" and stop.cpu_used >= 1, f"expected the ended children's CPU time counted and the CPU limit to strike, got {stop}"
    monkeypatch.setattr(sandbox, "cpu_groups_available", lambda: False)
    control = sandboxed({"calc.py": PROBE})
    control.budget.wall_factor = 8
    with control.time_limit(1):
        escaped = timeout_of(control.module("calc").spin_in_ignored_children)
    assert escaped.struck == "wall" and escaped.cpu_used < 1, (
        f"expected the children's time to escape a count from /proc (the wall-clock backstop striking), got {escaped}")


def test_a_worker_leaves_no_control_group_behind(sandboxed):
    submission = sandboxed({"calc.py": PROBE})
    submission.module("calc").burn(0.1)
    group = submission.worker.cpu_group
    submission.close()
    assert group is None or not group.folder.exists(), f"expected the worker's control group {group.folder} removed"


def test_a_sleeping_call_is_stopped_by_the_wall_clock_backstop(sandboxed):
    submission = sandboxed({"calc.py": PROBE})
    with submission.time_limit(0.5):
        stop = timeout_of(submission.module("calc").nap)
    assert stop.struck == "wall" and stop.cpu_used < 0.5, f"expected the wall-clock backstop to strike, got {stop.struck} at {stop.cpu_used} s of CPU"
    assert "as when it sleeps or waits: the wall-clock backstop of one call is 3 times its CPU-time limit of 0.5 s" in str(stop), str(stop)


def test_calls_stop_when_the_gradings_cpu_time_budget_is_spent(sandboxed):
    submission = sandboxed({"calc.py": PROBE})
    submission.budget = GradingBudget(cpu_seconds=1.5, wall_seconds=600, wall_factor=3)
    stop = timeout_of(submission.module("calc").spin)
    assert str(stop) == "calc.spin() was stopped: the grading's CPU-time budget of 1.5 s for this submission is spent", str(stop)
    assert submission.budget.spent >= 1.5, f"expected the budget charged with the spin's CPU time, got {submission.budget.spent}"
    stop = timeout_of(lambda: submission.module("calc"))
    assert str(stop) == "importing calc.py was not run: the grading's CPU-time budget of 1.5 s for this submission is spent", str(stop)


def test_calls_stop_at_the_gradings_wall_clock_backstop(sandboxed):
    submission = sandboxed({"calc.py": PROBE})
    submission.budget = GradingBudget(cpu_seconds=600, wall_seconds=1, wall_factor=3)
    stop = timeout_of(submission.module("calc").nap)
    assert str(stop) == "calc.nap() was stopped: the grading's wall-clock backstop of 1 s is reached", str(stop)
    stop = timeout_of(lambda: submission.module("calc"))
    assert str(stop).endswith("was not run: the grading's wall-clock backstop of 1 s is reached"), str(stop)


def test_a_constructor_that_ran_out_of_time_fails_at_once_with_the_same_arguments_or_after_two_sets_of_arguments(sandboxed):
    submission = sandboxed({"calc.py": PROBE})
    with submission.time_limit(1):
        first = timeout_of(lambda: submission.module("calc").Stuck(3))
        spent = submission.budget.spent
        again = timeout_of(lambda: submission.module("calc").Stuck(3))
        assert str(again) == f"{first} [not run again: the same call ran out of time earlier in this grading]", str(again)
        assert submission.budget.spent - spent < 0.5, f"expected the same call not to run again, it used {submission.budget.spent - spent:.1f} s"
        other = timeout_of(lambda: submission.module("calc").Stuck(4))
        assert "not run again" not in str(other) and other.cpu_used >= 1, f"expected Stuck(4) to run, got {other}"
        spent = submission.budget.spent
        third = timeout_of(lambda: submission.module("calc").Stuck(5))
        assert str(third) == f"{first} [not run again: calc.Stuck ran out of time with 2 other sets of arguments earlier in this grading]", str(third)
        assert submission.budget.spent - spent < 0.5, f"expected Stuck(5) not to run after two strikes, it used {submission.budget.spent - spent:.1f} s"
    with submission.time_limit(1.5):
        longer = timeout_of(lambda: submission.module("calc").Stuck(3))
    assert "not run again" not in str(longer) and longer.cpu_used >= 1.5, f"expected Stuck(3) to run again under a longer limit, got {longer}"


def test_an_import_that_ran_out_of_time_fails_at_once_when_imported_again(sandboxed):
    submission = sandboxed({"calc.py": PROBE, "other.py": "while True:\n    pass\n"})
    with submission.time_limit(1):
        first = timeout_of(lambda: submission.module("other"))
        spent = submission.budget.spent
        again = timeout_of(lambda: submission.module("other"))
    assert str(first).startswith("importing other.py used ") and str(again).startswith(str(first)) and "not run again" in str(again), str(again)
    assert submission.budget.spent - spent < 0.5, f"expected the import not to run again, it used {submission.budget.spent - spent:.1f} s"


def busy_loops(count):
    """``count`` processes that spin, each in a session of its own (the kernel's autogroup scheduling shares the CPUs
    between sessions, so a loop per session is what saturates them)."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True) for _ in range(count)]


def test_a_correct_submission_keeps_its_score_on_a_saturated_machine(toy_root, make_submission):
    manifest = toy_root / "assignments" / "toy" / "assignment.toml"
    limit = 1.5 * BURN_SECONDS
    manifest.write_text(manifest.read_text().replace("call_seconds = 5", f"call_seconds = {limit}\nwall_factor = 30"))
    submission = make_submission({"calc.py": BURNING_CALC, "other.py": CORRECT_OTHER})
    loops = busy_loops(3 * len(os.sched_getaffinity(0)))
    timing = {}
    try:
        results = grade_submission(AssignmentLayout.in_repository(toy_root, "toy"), submission, timing=timing)
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    assert results["score"] == 3, f"expected full marks on a busy machine, got {results['score']}: {[t['output'] for t in results['tests']]}"
    assert timing["worker_cpu_seconds"] >= 3 * BURN_SECONDS, f"expected the three calls' CPU time counted, got {timing}"
    assert timing["longest_call_cpu_seconds"][f"{limit:g}"] < limit, f"expected every call within its limit, got {timing}"
    slow = [test["extra_data"]["seconds"] for test in results["tests"]]
    assert all(seconds > limit for seconds in slow), (
        f"expected every test to last longer than the {limit} s limit (so a wall-clock limit would have failed it), got {slow}")


def test_results_json_is_written_before_tests_run_and_after_each_so_a_stopped_grading_leaves_its_scores(toy_root, make_submission, tmp_path):
    submission = make_submission({"calc.py": "import time\n\n\ndef double(x):\n    return x * 2\n",
                                  "other.py": "import calc\n\n\ndef triple(x):\n    calc.time.sleep(3600)\n"})
    out = tmp_path / "results.json"
    grader = subprocess.Popen([sys.executable, "-m", "autograder", "--root", str(toy_root), "grade", "toy", str(submission), "--out", str(out)],
                              cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (out.is_file() and json.loads(out.read_text())["score"] == 1):
            time.sleep(0.2)
        time.sleep(1)
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
    results = json.loads(out.read_text())
    assert validation_problems(results) == [] and results["score"] == 1, f"expected a valid results.json with 1 point, got {results}"
    outputs = {test["name"]: test["output"] for test in results["tests"]}
    assert outputs["triple() triples a number."] == UNFINISHED and outputs["double() keeps the shape of a 2-D array."] == UNFINISHED, outputs
    assert "The grading was stopped before it ended: 2 tests did not run." in results["output"], results["output"]


def test_the_default_grading_budget_is_three_times_the_references_cpu_time_recorded_beside_the_suites(toy_root, toy_manifest):
    limits = toy_manifest.limits
    assert grading_seconds(limits, None) == 1800 and grading_seconds(limits, {"worker_cpu_seconds": 101}) == 310
    assert grading_seconds(limits, {"worker_cpu_seconds": 1}) == MIN_GRADING_SECONDS
    assert grading_seconds(replace(limits, grading_seconds=40), {"worker_cpu_seconds": 101}) == 40
    assert GradingBudget.for_grading(limits, {"worker_cpu_seconds": 1000}).wall_seconds == WALL_CEILING_SECONDS
    layout = AssignmentLayout.in_repository(toy_root, "toy")
    assert layout.timing_folder == toy_root / "tests" / "toy", layout.timing_folder
    write_reference_timing(layout.timing_folder, {"worker_cpu_seconds": 101})
    budget = GradingBudget.for_grading(limits, read_reference_timing(layout.timing_folder))
    assert (budget.cpu_seconds, budget.wall_seconds) == (310, 930), budget


def test_a_recorded_timing_is_kept_within_a_factor_and_the_limits_must_leave_the_reference_twice_its_time(toy_manifest):
    stored = {"worker_cpu_seconds": 100}
    assert timing_is_stale(None, stored) and timing_is_stale(stored, {"worker_cpu_seconds": 160}) and timing_is_stale(stored, {"worker_cpu_seconds": 60})
    assert not timing_is_stale(stored, {"worker_cpu_seconds": 140}) and not timing_is_stale(stored, {"worker_cpu_seconds": 70})
    timing = {"worker_cpu_seconds": 10, "longest_call_cpu_seconds": {"5": 3.0, "600": 100}}
    problems = timing_problems(toy_manifest.limits, timing)
    assert problems == ["one call used 3 s of CPU time, over half its limit of 5 s (raise [limits] call_seconds or training_seconds)"], problems
    problems = timing_problems(replace(toy_manifest.limits, grading_seconds=15), {**timing, "longest_call_cpu_seconds": {}})
    assert len(problems) == 1 and "over half the grading's budget of 15 s" in problems[0], problems
