"""Controls for the hostile-submission corpus (tests/redteam): with a defence switched off, its attack
succeeds. So the corpus's expected scores are earned by the sandbox, not by attacks that never work."""

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from autograder import isolation, sandbox
from autograder.grading import AssignmentLayout, grade_submission
from autograder.sandbox import REPO_ROOT

REDTEAM = REPO_ROOT / "tests" / "redteam"
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the defences under control exist only when grading as root")
needs_bwrap = pytest.mark.skipif(os.geteuid() != 0 or not isolation.bwrap_available(), reason="needs bubblewrap sandboxes")


def load_runner():
    """tests/redteam/run.py as a module."""
    spec = importlib.util.spec_from_file_location("redteam_run", REDTEAM / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def runner():
    """run.py, loaded once (its names for leftovers and markers are drawn when it loads); what attacks leave is removed afterwards."""
    module = load_runner()
    yield module
    module.leftovers()


def grade_attack(tmp_path, name, runner=None, **places):
    """The results of grading the corpus attack ``name`` (honest answers plus the attack)."""
    runner = runner or load_runner()
    folder = tmp_path / name
    folder.mkdir(parents=True)
    (folder / "calc.py").write_text(runner.attack_source(name, {**runner.base_places(0), **places}))
    return grade_submission(AssignmentLayout(REDTEAM / "assignment.toml", (REDTEAM / "public", REDTEAM / "hidden")), folder)


def scores(results):
    """{test name: score}."""
    return {test["name"]: test["score"] for test in results["tests"]}


def without_bwrap(monkeypatch):
    """Switch the bubblewrap sandbox off: workers get the hand-made namespaces instead."""
    monkeypatch.setattr(isolation, "bwrap_available", lambda: None)


def test_label_theft_earns_the_accuracy_points_when_the_data_sets_are_not_hidden(tmp_path, monkeypatch):
    honest = grade_attack(tmp_path, "steal_labels")
    monkeypatch.setattr(isolation, "secret_paths", lambda: ())
    exposed = grade_attack(tmp_path / "exposed", "steal_labels")
    if any("not found" in test["output"] for test in exposed["tests"]):
        pytest.skip("skipped: Fashion-MNIST not found")
    assert honest["score"] == 6 and exposed["score"] == 8, f"expected 6 with the data hidden and 8 without, got {honest['score']} and {exposed['score']}"


def test_reading_the_hidden_suite_earns_its_point_when_the_suites_are_not_hidden(tmp_path, monkeypatch):
    without_bwrap(monkeypatch)
    monkeypatch.setattr(isolation, "secret_paths", lambda: ())
    results = grade_attack(tmp_path, "steal_hidden_suite")
    assert results["score"] == 7, f"expected the leak test's point (7 in all) once the suites are visible, got {scores(results)}"


def test_a_connection_reaches_the_loopback_listener_without_a_network_namespace(tmp_path, monkeypatch):
    listener = load_runner().Listener()
    without_bwrap(monkeypatch)
    monkeypatch.setattr(isolation, "namespaces_available", lambda: False)
    grade_attack(tmp_path, "network", PORT=listener.port)
    assert listener.connections > 0, "expected the attack's connection to arrive when workers share the grader's network"


@needs_bwrap
def test_a_course_copy_under_tmp_and_an_old_log_are_read_without_the_default_deny_view(tmp_path, monkeypatch, runner):
    with runner.course_copy():
        sandboxed = grade_attack(tmp_path / "sandboxed", "read_course_copy", runner)
        without_bwrap(monkeypatch)
        hidden_only = grade_attack(tmp_path / "hidden_only", "read_course_copy", runner)
    assert sandboxed["score"] == 6 and hidden_only["score"] == 7, (
        f"expected 6 in the default-deny view and 7 (the leak's point) with only the known secret folders hidden, "
        f"got {scores(sandboxed)} and {scores(hidden_only)}")


@needs_bwrap
def test_orphans_outlive_a_killed_grader_and_its_stopped_batch_task_without_bubblewrap(runner):
    places = runner.base_places(0)
    assert runner.killed_grader("SIGKILL", places) == (0, []), "expected nothing of the worker to outlive its killed grader in a bubblewrap sandbox"
    left, folders = runner.killed_grader("SIGKILL", places, bwrap=False)
    assert left >= 2 and folders, f"expected the worker, its child and its folder to outlive a SIGKILLed grader without bubblewrap, got {left} and {folders}"
    left, _ = runner.killed_grader("batch", places, bwrap=False)
    assert left > 0, "expected processes to outlive a stopped batch task without bubblewrap"


@needs_bwrap
def test_orphans_outlive_grading_with_neither_the_pid_namespace_nor_the_kill_by_user_id(tmp_path, monkeypatch, runner):
    monkeypatch.setattr(sandbox, "kill_user", lambda uid, gid: 0)
    grade_attack(tmp_path / "sandboxed", "orphans", runner)
    assert not runner.leftovers(), "expected the PID namespace alone to end the worker's processes"
    without_bwrap(monkeypatch)
    grade_attack(tmp_path / "exposed", "orphans", runner)
    assert any("marker" in what for what, _ in runner.leftovers()), "expected the orphans to outlive grading without the PID namespace and the kill by user id"


def without_syscall_filter(monkeypatch):
    """Switch the workers' system-call filter off."""
    monkeypatch.setattr(isolation, "syscall_filter_problem", lambda: "switched off")


@needs_bwrap
def test_shared_memory_stays_after_grading_without_bubblewrap_and_its_segments_without_the_syscall_filter(tmp_path, monkeypatch, runner):
    grade_attack(tmp_path / "sandboxed", "fill_shm", runner)
    assert not runner.leftovers(), "expected nothing left in /dev/shm or System V shared memory after a bubblewrap worker"
    without_bwrap(monkeypatch)
    grade_attack(tmp_path / "filtered", "fill_shm", runner)
    left = dict(runner.leftovers())
    assert left == {"file(s) in /dev/shm": 96}, f"expected the 96 files to stay after grading without bubblewrap, and no segment, got {left}"
    without_syscall_filter(monkeypatch)
    grade_attack(tmp_path / "exposed", "fill_shm", runner)
    left = dict(runner.leftovers())
    assert left.get("file(s) in /dev/shm") == 96 and left.get("System V shared-memory segment(s)") == 8, (
        f"expected the 96 files and 8 segments to stay after grading without bubblewrap and the filter, got {left}")


@needs_bwrap
def test_a_worker_holds_more_shared_memory_than_its_memory_limit_without_the_syscall_filter(tmp_path, monkeypatch, runner):
    filtered = scores(grade_attack(tmp_path / "filtered", "hold_shared_memory", runner))
    assert sum(filtered.values()) == 6, f"expected the honest 6 points with the filter (no segment created), got {filtered}"
    without_syscall_filter(monkeypatch)
    results = grade_attack(tmp_path / "exposed", "hold_shared_memory", runner)
    assert sum(scores(results).values()) == 4, (
        f"expected the 1.5 GB held (add answering wrongly: 4 points) without the filter, got {scores(results)}")


def worker_folders_of(uids):
    """The worker folders in the shared temporary folder owned by one of ``uids``."""
    return [path for path in Path(tempfile.gettempdir()).glob("autograder-worker-*") if path.stat().st_uid in uids]


@needs_bwrap
def test_tmp_fills_the_shared_folder_and_a_deep_tree_outlives_plain_rmtree_without_the_defences(tmp_path, monkeypatch, runner):
    results = grade_attack(tmp_path / "sandboxed", "fill_tmp", runner)
    assert results["score"] == 6 and not runner.leftovers(), f"expected an unharmed grading and nothing left, got {scores(results)}"
    without_bwrap(monkeypatch)
    issued = len(isolation.ISSUED_UIDS)
    results = grade_attack(tmp_path / "exposed", "fill_tmp", runner)
    assert dict(runner.leftovers()).get("file(s) or folder(s) in the shared temporary folder") == 21, "expected 20 files and a tree left in the shared /tmp"
    assert not worker_folders_of(isolation.ISSUED_UIDS[issued:]), "expected remove_tree to remove the worker folder and its 3,000-deep tree"
    plain = shutil.rmtree
    monkeypatch.setattr(sandbox, "remove_tree", lambda path: plain(path, ignore_errors=True))
    issued = len(isolation.ISSUED_UIDS)
    grade_attack(tmp_path / "plain_rmtree", "fill_tmp", runner)
    runner.leftovers()
    left = worker_folders_of(isolation.ISSUED_UIDS[issued:])
    for folder in left:
        runner.remove_tree(folder)
    assert left, "expected shutil.rmtree to leave the worker folder holding a 3,000-deep tree"
