"""The mnist_flooding suites end to end: a submission with one fault loses exactly the tests that depend on it.

Each test edits one line of the reference submission and grades it. The flooded-objective faults are graded
with the suites of flooding.py that do not train (a copy of the suites holding ``test_flooding.py`` and the
hidden ``test_flooding_hidden.py``), so that they run in seconds: the training and search tests compare the
submission with its own ``fit`` and do not look at the objective's value. The CNN fault is graded with all of
cnn.py's tests, its training included; the answers faults with all of answers.py's.
"""

import shutil
from pathlib import Path

import pytest

from autograder.grading import AssignmentLayout, grade_submission
from autograder.release import write_reference_submission
from autograder.results import validation_problems

REPO_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "mnist_flooding"
SUITES = REPO_ROOT / "tests" / ASSIGNMENT
FLOODED_LOSS = "    return (loss - flood_level).abs() + flood_level\n"
FLOODED_VALUES = {
    "flooded_loss(R, b) = |R - b| + b on known loss values, below, at and above the level b.",
    "flooded_loss(R, b) = |R - b| + b on further loss values and levels, the loss exactly at b included.",
}
STEP_BELOW = "training_step with R below b takes the opposite step p + lr * dR/dp: the flooded gradient flips sign (autograd, 1e-4)."
FIRST_CONVOLUTION = "        nn.Conv2d(1, 16, kernel_size=5, stride=1, padding=2),\n"
CNN_ARCHITECTURE = {
    "The two Conv2d layers map 1 -> 16 -> 32 channels with 5x5 kernels, stride 1 and padding 2.",
    "Both MaxPool2d have kernel 2 and stride 2; the Linear layer maps 32*7*7 = 1568 features to 10; parameters as counted by torch.",
}
RELU_SLOPE = "    relu_slope = 1.0 if dag_forward(x, theta)[\"a1\"] >= 0 else 0.0\n"
W11_TEST = "Q4.2.3 dJ/dw11 with ReLU'(a) = 0 for a < 0, 1 otherwise (autograd at 48 points, 8 with a = 0; rtol 1e-6, atol 1e-9)."
J_VALUE = "    return float(q4_1_output()[2, 1])\n"
J_TEST = "Q4.1 value of j, Y[2, 1] of X convolved with F (torch conv2d, atol 1e-9)."


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The reference submission's files: {filename: text}."""
    folder = write_reference_submission(ASSIGNMENT, REPO_ROOT, tmp_path_factory.mktemp("reference"))
    return {path.name: path.read_text(encoding="utf-8") for path in folder.iterdir() if path.suffix == ".py"}


@pytest.fixture(scope="module")
def untrained_flooding_layout(tmp_path_factory):
    """A layout with the suites' support files and only the flooding tests that do not train (points are not checked when only some files are graded)."""
    root = tmp_path_factory.mktemp("suites")
    for name in ("conftest.py", "checks.py"):
        shutil.copy(SUITES / name, root / name)
    (root / "public").mkdir()
    shutil.copy(SUITES / "public" / "test_flooding.py", root / "public" / "test_flooding.py")
    shutil.copy(SUITES / "public" / "reference_outputs.npz", root / "public" / "reference_outputs.npz")
    (root / "hidden").mkdir()
    shutil.copy(SUITES / "hidden" / "test_flooding_hidden.py", root / "hidden" / "test_flooding_hidden.py")
    shutil.copy(SUITES / "hidden" / "reference_outputs.npz", root / "hidden" / "reference_outputs.npz")
    manifest = REPO_ROOT / "assignments" / ASSIGNMENT / "assignment.toml"
    return AssignmentLayout(manifest, (root / "public", root / "hidden"))


def submission_with(tmp_path, reference, filename, old, new):
    """A folder holding the reference submission with ``old`` replaced by ``new`` in ``filename``."""
    assert reference[filename].count(old) == 1, f"expected exactly one {old.strip()!r} in the reference {filename}"
    folder = tmp_path / "submission"
    folder.mkdir()
    for name, text in reference.items():
        (folder / name).write_text(text.replace(old, new) if name == filename else text, encoding="utf-8")
    return folder


def graded(layout, folder, files):
    """Grade the parts of ``files`` of ``folder``; returns {test name: test}, after checking results.json is valid."""
    results = grade_submission(layout, folder, files=files)
    assert validation_problems(results) == [], validation_problems(results)
    assert results["tests"], results["output"]
    return {test["name"]: test for test in results["tests"]}


def failed_names(tests):
    """Names of the failed tests."""
    return {name for name, test in tests.items() if test["status"] == "failed"}


def assert_fails_exactly(tests, expected):
    """Exactly the tests named in ``expected`` fail, and each failure says what was expected and what came back."""
    failed = failed_names(tests)
    assert failed == expected, f"failed but should pass: {sorted(failed - expected)}; passed but should fail: {sorted(expected - failed)}"
    for name in expected:
        output = tests[name]["output"]
        assert "expected" in output and "got" in output, f"{name}: the message should name expected and received values: {output}"
        assert not tests[name]["extra_data"]["grader_error"], output


def test_a_flooded_loss_without_the_added_level_fails_exactly_the_value_tests(reference, untrained_flooding_layout, tmp_path):
    folder = submission_with(tmp_path, reference, "flooding.py", FLOODED_LOSS, "    return (loss - flood_level).abs()\n")
    tests = graded(untrained_flooding_layout, folder, ["flooding.py"])
    assert_fails_exactly(tests, FLOODED_VALUES)


def test_a_flooded_loss_without_the_absolute_value_fails_the_value_tests_and_the_step_below_the_level(
        reference, untrained_flooding_layout, tmp_path):
    folder = submission_with(tmp_path, reference, "flooding.py", FLOODED_LOSS, "    return (loss - flood_level) + flood_level\n")
    tests = graded(untrained_flooding_layout, folder, ["flooding.py"])
    assert_fails_exactly(tests, FLOODED_VALUES | {STEP_BELOW})
    assert "gradient ascent" in tests[STEP_BELOW]["output"], tests[STEP_BELOW]["output"]


def test_the_reference_flooding_passes_the_untrained_suites(reference, untrained_flooding_layout, tmp_path):
    folder = submission_with(tmp_path, reference, "flooding.py", FLOODED_LOSS, FLOODED_LOSS)
    tests = graded(untrained_flooding_layout, folder, ["flooding.py"])
    assert len(tests) == 10 and not failed_names(tests), {name: test["output"] for name, test in tests.items() if test["status"] != "passed"}


def test_a_cnn_with_a_3x3_first_kernel_fails_exactly_the_architecture_tests_that_see_it(reference, tmp_path):
    folder = submission_with(tmp_path, reference, "cnn.py", FIRST_CONVOLUTION, "        nn.Conv2d(1, 16, kernel_size=3, stride=1, padding=1),\n")
    tests = graded(AssignmentLayout.in_repository(REPO_ROOT, ASSIGNMENT), folder, ["cnn.py"])
    assert_fails_exactly(tests, CNN_ARCHITECTURE)
    convolution = tests["The two Conv2d layers map 1 -> 16 -> 32 channels with 5x5 kernels, stride 1 and padding 2."]["output"]
    assert "'kernel_size': [5, 5]" in convolution and "'kernel_size': [3, 3]" in convolution, convolution


@pytest.mark.parametrize("old, new, question", [
    (RELU_SLOPE, RELU_SLOPE.replace(">= 0", "> 0"), W11_TEST),
    (J_VALUE, J_VALUE.replace("[2, 1]", "[1, 2]"), J_TEST),
], ids=["relu-slope-0-at-the-kink", "j-from-the-wrong-entry"])
def test_a_wrong_answer_fails_exactly_its_question(reference, tmp_path, old, new, question):
    folder = submission_with(tmp_path, reference, "answers.py", old, new)
    tests = graded(AssignmentLayout.in_repository(REPO_ROOT, ASSIGNMENT), folder, ["answers.py"])
    assert_fails_exactly(tests, {question})


def test_the_kink_failure_names_the_point_where_relu_has_input_zero(reference, tmp_path):
    folder = submission_with(tmp_path, reference, "answers.py", RELU_SLOPE, RELU_SLOPE.replace(">= 0", "> 0"))
    tests = graded(AssignmentLayout.in_repository(REPO_ROOT, ASSIGNMENT), folder, ["answers.py"])
    assert "ReLU'(0) = 1" in tests[W11_TEST]["output"], tests[W11_TEST]["output"]


def test_an_unanswered_question_fails_alone_with_not_implemented(reference, tmp_path):
    folder = submission_with(tmp_path, reference, "answers.py", J_VALUE, "    raise NotImplementedError\n")
    tests = graded(AssignmentLayout.in_repository(REPO_ROOT, ASSIGNMENT), folder, ["answers.py"])
    assert failed_names(tests) == {J_TEST} and "NotImplementedError" in tests[J_TEST]["output"], tests[J_TEST]["output"]
