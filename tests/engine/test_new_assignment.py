"""``python -m autograder new NAME`` scaffolds an assignment that releases and validates as written (its notebook edition
too), in a temporary copy of the repository's layout; a reference that fails its own test is named by file and line in validate."""

import ast
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

from autograder.manifest import load_manifest
from autograder.scaffold import PUBLIC_TEST, REFERENCE

REPO_ROOT = Path(__file__).resolve().parents[2]
NAME = "demo"


@pytest.fixture
def repo(tmp_path):
    """A repository layout (the shipped packages autograder/ and utils/, no assignment) with NAME scaffolded in it."""
    root = tmp_path / "repo"
    for package in ("autograder", "utils"):
        shutil.copytree(REPO_ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    completed = run_cli("--root", root, "new", NAME)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return root


def definition_line(path, function):
    """The first line (decorators included) of ``function`` in the module at ``path``."""
    node = next(node for node in ast.parse(path.read_text()).body if isinstance(node, ast.FunctionDef) and node.name == function)
    return min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])


def test_a_scaffolded_assignment_releases_and_validates_as_written(repo):
    expected = ["solutions/demo/README.md", "solutions/demo/assignment.toml", "solutions/demo/exercise.py",
                "solutions/demo/reference_outputs.py", "tests/demo/conftest.py", "tests/demo/hidden/test_exercise_hidden.py",
                "tests/demo/public/test_exercise.py"]
    written = sorted(path.relative_to(repo).as_posix() for folder in ("solutions", "tests") for path in (repo / folder).rglob("*") if path.is_file())
    assert written == expected, f"expected the scaffold {expected}, got {written}"
    manifest = load_manifest(repo / "solutions" / NAME / "assignment.toml")
    assert (manifest.name, list(manifest.files), manifest.total_points) == (NAME, ["exercise.py"], 2), manifest
    released = run_cli("--root", repo, "release", NAME)
    assert released.returncode == 0, released.stdout + released.stderr
    handout = (repo / "assignments" / NAME / "exercise.py").read_text()
    assert "raise NotImplementedError" in handout and "np.exp" not in handout, f"expected the solution cleared, got:\n{handout}"
    validated = run_cli("--root", repo, "validate", NAME, "--out", repo / "out", "--notebooks")
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-3000:]
    assert "validate: the reference gets full marks, the handout 0, no grader errors" in validated.stdout, validated.stdout[-2000:]
    for line in ("graded as a notebook: 2 points; run in a headless kernel: every cell ran; as the .py files",
                 "graded as a notebook: 0 points; run in a headless kernel: every cell ran; as the .py files"):
        assert line in validated.stdout, (f"expected {line!r} (the notebook edition filled with the reference, then untouched), "
                                          f"got:\n{validated.stdout[-2000:]}")


def test_new_refuses_a_name_taken_or_not_an_identifier(repo):
    taken = run_cli("--root", repo, "new", NAME)
    assert taken.returncode == 1 and "solutions/demo and tests/demo already exist" in taken.stdout, taken.stdout + taken.stderr
    invalid = run_cli("--root", repo, "new", "Week-1")
    assert invalid.returncode == 1 and "'Week-1' is not a valid assignment name" in invalid.stdout, invalid.stdout + invalid.stderr


def test_validate_names_the_file_and_line_of_the_test_a_reference_fails(repo):
    assert run_cli("--root", repo, "release", NAME).returncode == 0
    reference = repo / "solutions" / NAME / "exercise.py"
    correct = "    return exponentials / np.sum(exponentials, axis=1, keepdims=True)\n"
    reference.write_text(reference.read_text().replace(correct, "    return exponentials\n"))
    validated = run_cli("--root", repo, "validate", NAME, "--out", repo / "out")
    assert validated.returncode == 1, validated.stdout[-3000:]
    test_file = repo / "tests" / NAME / "public" / "test_exercise.py"
    line = definition_line(test_file, "test_softmax_gives_the_reference_probabilities")
    expected = f"FAILED: reference: tests/{NAME}/public/test_exercise.py:{line} test_softmax_gives_the_reference_probabilities: 1 softmax"
    failed = [text for text in validated.stdout.splitlines() if text.startswith("FAILED: reference:")]
    assert any(text.startswith(expected) for text in failed), f"expected a line starting with {expected!r}, got {failed}"


def test_the_guide_is_linked_from_the_readme_and_shows_the_scaffolds_tests_and_reference():
    guide = (REPO_ROOT / "docs" / "new_assignment.md").read_text(encoding="utf-8")
    assert "(docs/new_assignment.md)" in (REPO_ROOT / "README.md").read_text(encoding="utf-8"), "expected the README to link the guide"
    examples = {"the public test": PUBLIC_TEST[PUBLIC_TEST.index("@pytest.mark.graded"):],
                "the solution region": REFERENCE[REFERENCE.index("    ### BEGIN SOLUTION"):]}
    stale = [what for what, text in examples.items() if text not in guide]
    assert not stale, f"expected the guide's examples to be the scaffold's, got these differing: {stale}"
