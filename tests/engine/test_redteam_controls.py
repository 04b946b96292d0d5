"""Controls for the hostile-submission corpus (tests/redteam): with a defence switched off, its attack
succeeds. So the corpus's expected scores are earned by the sandbox, not by attacks that never work."""

import importlib.util
import os

import pytest

from autograder import sandbox
from autograder.grading import AssignmentLayout, grade_submission
from autograder.sandbox import REPO_ROOT

REDTEAM = REPO_ROOT / "tests" / "redteam"
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the defences under control exist only when grading as root")


def load_runner():
    """tests/redteam/run.py as a module."""
    spec = importlib.util.spec_from_file_location("redteam_run", REDTEAM / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grade_attack(tmp_path, name, **places):
    """The results of grading the corpus attack ``name`` (honest answers plus the attack)."""
    runner = load_runner()
    folder = tmp_path / name
    folder.mkdir(parents=True)
    (folder / "calc.py").write_text(runner.attack_source(name, {"REPO_ROOT": REPO_ROOT, **places}))
    return grade_submission(AssignmentLayout(REDTEAM / "assignment.toml", (REDTEAM / "public", REDTEAM / "hidden")), folder)


def scores(results):
    """{test name: score}."""
    return {test["name"]: test["score"] for test in results["tests"]}


def test_label_theft_earns_the_accuracy_points_when_the_data_sets_are_not_hidden(tmp_path, monkeypatch):
    honest = grade_attack(tmp_path, "steal_labels")
    monkeypatch.setattr(sandbox, "secret_paths", lambda: ())
    exposed = grade_attack(tmp_path / "exposed", "steal_labels")
    if any("not found" in test["output"] for test in exposed["tests"]):
        pytest.skip("skipped: Fashion-MNIST not found")
    assert honest["score"] == 3 and exposed["score"] == 5, f"expected 3 with the data hidden and 5 without, got {honest['score']} and {exposed['score']}"


def test_reading_the_hidden_suite_earns_its_point_when_the_suites_are_not_hidden(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_available", lambda: None)
    monkeypatch.setattr(sandbox, "secret_paths", lambda: ())
    results = grade_attack(tmp_path, "steal_hidden_suite")
    assert results["score"] == 4, f"expected the leak test's point (4 in all) once the suites are visible, got {scores(results)}"


def test_a_connection_reaches_the_loopback_listener_without_a_network_namespace(tmp_path, monkeypatch):
    listener = load_runner().Listener()
    monkeypatch.setattr(sandbox, "bwrap_available", lambda: None)
    monkeypatch.setattr(sandbox, "namespaces_available", lambda: False)
    grade_attack(tmp_path, "network", PORT=listener.port)
    assert listener.connections > 0, "expected the attack's connection to arrive when workers share the grader's network"
