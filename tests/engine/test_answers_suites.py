"""The answers.py suites of fashion_mnist and mlp_cifar10 end to end, graded through the engine and the sandbox.

The reference answers get every answers point; the released template gets 0 with every question failing
alone on its NotImplementedError and no grader error; a submission with a few wrong entries fails
exactly the questions of those entries, each with a message that gives the expected and the received
value. The wrong entries are functions appended to the reference file, which replace its own.
"""

import importlib.util
import shutil
from pathlib import Path

import pytest

from autograder.grading import AssignmentLayout, grade_submission
from autograder.manifest import load_manifest
from autograder.results import validation_problems

REPO_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = ("fashion_mnist", "mlp_cifar10")
FORMAT_TEST = "answers.py imports and defines a function for every question."


def reference_answers(assignment):
    """The reference answers module of ``assignment``, imported from its file (trusted code)."""
    spec = importlib.util.spec_from_file_location(f"reference_answers_{assignment}", REPO_ROOT / "solutions" / assignment / "answers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def momentum_fault_fragment():
    """'expected <x2 with momentum>, got <x2 of plain descent>': the first iterate where the two differ, as the message writes it."""
    reference = reference_answers("mlp_cifar10")
    momentum, plain = reference.p1c_momentum()[0], reference.p1c_gradient_descent()[0]
    return f"expected {momentum[1]:.10g}, got {plain[1]:.10g}"


FASHION_MNIST_FAULTS = '''

def q3_1a_e():
    return 32.0


def elu_derivative(z, alpha):
    return np.where(z >= 0, 1.0, alpha)


def q1_2_sigmoid_slope_exceeds_tanh_slope_near_0():
    return True


def q3_2d_parameters(num_filters):
    return num_filters * 16
'''
# {test name: fragments its message must hold}
FASHION_MNIST_FAILURES = {
    "Q3.1(a) value of e (row 0, column 4 of Y), within 1e-6.": ["q3_1a_e()", "expected 31", "got 32"],
    "Q2.1 derivative of ELU: against autograd for alpha 0.01, 0.2, 1 (rtol 1e-9), either one-sided value at 0.": [
        "elu_derivative(z, 0.01) at 200 random z != 0", "expected", "got"],
    "Q1.2 true or false: near 0 the sigmoid's derivative is greater than tanh's.": ["Q1.2: expected False", "got True"],
    "Q3.2(d) parameters of K 4x4 filters with bias on a 40x40x1 input, for K = 1, 2, 4 and 8.": [
        "Q3.2(d): expected 17 parameters for 1 filters, got 16"],
}

MLP_CIFAR10_FAULTS = '''

def p1c_momentum():
    return p1c_gradient_descent()


def p2_xor_network():
    hidden = (np.array([[10.0, -10.0, 0.0], [10.0, -10.0, 0.0]]), np.array([-5.0, 15.0, 0.0]))
    return [hidden, (np.array([[10.0], [10.0], [0.0]]), np.array([-15.0]))]


def p3a_gradient_wrt_f2(x, W1, b1, W2, b2, y):
    a = 1.0 / (1.0 + np.exp(-(x @ W1 + b1)))
    f2 = a @ W2 + b2
    o = np.exp(f2) / np.exp(f2).sum()
    return y - o


def p4b_stride():
    return 1
'''
MLP_CIFAR10_FAILURES = {
    "1(c) momentum (beta = 0.9, the handout's rule): x1, x2, x3 and GELU of each from x0 = -3, eta = 0.1 (rtol 1e-6).": [
        "p1c_momentum()[0], (x1, x2, x3) from x0 = -3, eta = 0.1, beta = 0.9", "first at index (1,)", momentum_fault_fragment()],
    "2 XOR gate: the sigmoid MLP computes XOR with the smallest structure.": [
        "expected the smallest structure, hidden layer sizes [2]", "got hidden layer sizes [3]"],
    "3(a) dE/df2: against autograd on 22 random networks and labels (rtol 1e-6).": [
        "p3a_gradient_wrt_f2(x, W1, b1, W2, b2, y)", "expected", "got"],
    "4(b) the stride that keeps the size with Filter2 and padding 1, or None when no stride does.": ["4(b): expected None", "got 1"],
}


def answers_points(assignment):
    """The points of the manifest's parts graded from answers.py."""
    manifest = load_manifest(REPO_ROOT / "solutions" / assignment / "assignment.toml")
    return sum(part.points for part in manifest.parts.values() if part.file == "answers.py")


def grade_answers(assignment, folder, text):
    """Grade only the answers.py parts of a submission made of ``text``; returns (results, {test name: test})."""
    folder.mkdir()
    (folder / "answers.py").write_text(text, encoding="utf-8")
    results = grade_submission(AssignmentLayout.in_repository(REPO_ROOT, assignment), folder, files=["answers.py"])
    assert validation_problems(results) == [], validation_problems(results)
    return results, {test["name"]: test for test in results["tests"]}


def grader_errors(tests):
    """'name: message' of the tests that failed because of the grading code."""
    return [f"{name}: {test['output'][-300:]}" for name, test in tests.items() if test["extra_data"]["grader_error"]]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_reference_answers_get_every_answers_point(assignment, tmp_path):
    text = (REPO_ROOT / "solutions" / assignment / "answers.py").read_text(encoding="utf-8")
    results, tests = grade_answers(assignment, tmp_path / "reference", text)
    failed = [f"{name}: {test['output'][:200]}" for name, test in tests.items() if test["status"] != "passed"]
    assert not failed, f"expected every answers test to pass, got failures: {failed}"
    assert results["score"] == answers_points(assignment) > 0, f"expected {answers_points(assignment)} points, got {results['score']}"
    written = [test for test in tests.values() if test["number"] == "written"]
    assert written and all("collected for grading by a person" in test["output"] for test in written), written


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_released_template_gets_0_with_each_question_failing_alone_and_no_grader_error(assignment, tmp_path):
    text = (REPO_ROOT / "assignments" / assignment / "answers.py").read_text(encoding="utf-8")
    results, tests = grade_answers(assignment, tmp_path / "template", text)
    assert not grader_errors(tests), f"expected no grader error on the template, got {grader_errors(tests)}"
    assert results["score"] == 0, f"expected 0 points, got {results['score']}"
    assert tests[FORMAT_TEST]["status"] == "passed", tests[FORMAT_TEST]
    questions = {name: test for name, test in tests.items() if name != FORMAT_TEST}
    not_stubbed = sorted(name for name, test in questions.items() if test["status"] != "failed" or "NotImplementedError" not in test["output"])
    assert len(questions) > 15 and not not_stubbed, f"expected every question to fail on its NotImplementedError, got others: {not_stubbed}"


@pytest.mark.parametrize("assignment, faults, failures", [
    ("fashion_mnist", FASHION_MNIST_FAULTS, FASHION_MNIST_FAILURES),
    ("mlp_cifar10", MLP_CIFAR10_FAULTS, MLP_CIFAR10_FAILURES),
])
def test_wrong_entries_fail_exactly_their_questions_with_expected_and_received_values(assignment, faults, failures, tmp_path):
    text = (REPO_ROOT / "solutions" / assignment / "answers.py").read_text(encoding="utf-8") + faults
    results, tests = grade_answers(assignment, tmp_path / "faulty", text)
    failed = {name for name, test in tests.items() if test["status"] == "failed"}
    assert failed == set(failures), (
        f"failed but should pass: {sorted(failed - set(failures))}; passed but should fail: {sorted(set(failures) - failed)}")
    assert not grader_errors(tests), grader_errors(tests)
    for name, fragments in failures.items():
        output = tests[name]["output"]
        missing = [fragment for fragment in fragments if fragment not in output]
        assert not missing and "expected" in output and "got" in output, f"{name}: expected the message to hold {missing}, got {output!r}"
    lost = sum(test["max_score"] for test in tests.values() if test["name"] in failures)
    assert results["score"] == answers_points(assignment) - lost, f"expected {answers_points(assignment) - lost} points, got {results['score']}"


def test_a_missing_answers_file_fails_every_answers_test_with_a_message(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    shutil.copy(REPO_ROOT / "solutions" / "mlp_cifar10" / "p2.py", folder / "p2.py")
    results = grade_submission(AssignmentLayout.in_repository(REPO_ROOT, "mlp_cifar10"), folder, files=["answers.py"])
    assert validation_problems(results) == [], validation_problems(results)
    assert results["tests"] and all(test["status"] == "failed" and "answers.py was not submitted" in test["output"]
                                    for test in results["tests"]), [test["output"][:100] for test in results["tests"]]
