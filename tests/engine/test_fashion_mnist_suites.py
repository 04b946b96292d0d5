"""The Fashion-MNIST suites judge a faulty ``_backward`` as a grader would: only what depends on it fails.

The reference ``numpy_ann.py`` is graded with one mistake put into its ``_backward``; the tests
that fail must be exactly the gradient tests (part 1.6) and the training tests whose result
depends on the gradient (the weights after training in 1.7, and the trained accuracy in 1.10
when the mistake stops learning), and every other test of the file must pass.
"""

from pathlib import Path

import pytest

from autograder.grading import AssignmentLayout, grade_submission
from autograder.results import validation_problems
from utils import data

REPO_ROOT = Path(__file__).resolve().parents[2]
SOLUTION = REPO_ROOT / "solutions" / "fashion_mnist" / "numpy_ann.py"

CORRECT_LINES = (
    "dW2 = self.a1.T @ dz2 / num_examples",
    "db2 = np.sum(dz2, axis=0, keepdims=True) / num_examples",
    "dz1 = (dz2 @ self.W2.T) * self._relu_grad(self.z1)",
    "dW1 = X.T @ dz1 / num_examples",
    "db1 = np.sum(dz1, axis=0, keepdims=True) / num_examples",
)

GRADIENT_TESTS = {
    "One _forward and _backward update W1, b1, W2 and b2 like the reference.",
    "_backward's gradients match central finite differences of the mean cross-entropy.",
    "_backward's gradients match torch autograd (float64) on another network size.",
    "With lr = 0.37, _backward moves every weight by lr times the gradient.",
}
TRAINED_WEIGHT_TESTS = {
    "train with epochs=1 and batch_size=N makes the same single step as the reference.",
    "train over several epochs of in-order mini-batches, the last one shorter, ends at the reference weights.",
    "The history's validation loss and accuracy of every epoch equal the reference's.",
}
ACCURACY_TEST = "NumpyANN trained with the grading schedule reaches the required accuracy on the Fashion-MNIST test set."


def has_fashion_mnist():
    """Whether the real data set can be found (the accuracy test needs it)."""
    try:
        data.load_fashion_mnist("test")
    except data.DatasetNotFound:
        return False
    return True


def grade_with_backward(tmp_path, replacements):
    """Grade the reference numpy_ann.py with ``replacements`` {correct line: faulty line} made in _backward."""
    source = SOLUTION.read_text(encoding="utf-8")
    for correct, faulty in replacements.items():
        assert correct in source, f"expected the reference _backward to hold {correct!r}"
        source = source.replace(correct, faulty)
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "numpy_ann.py").write_text(source, encoding="utf-8")
    results = grade_submission(AssignmentLayout.in_repository(REPO_ROOT, "fashion_mnist"), folder, files=["numpy_ann.py"])
    assert validation_problems(results) == [], validation_problems(results)
    return {test["name"]: test for test in results["tests"]}


def failed_names(tests):
    """Names of the failed tests."""
    return {name for name, test in tests.items() if test["status"] == "failed"}


@pytest.mark.skipif(not has_fashion_mnist(), reason="skipped: Fashion-MNIST not found (install dataset-fashion-mnist)")
def test_a_backward_that_sums_instead_of_averaging_loses_the_gradient_and_training_tests(tmp_path):
    """Forgetting to divide by the batch size: the step is N times too large and training with the grading schedule collapses."""
    tests = grade_with_backward(tmp_path, {line: line.removesuffix(" / num_examples") for line in CORRECT_LINES if "num_examples" in line})
    expected = GRADIENT_TESTS | TRAINED_WEIGHT_TESTS | {ACCURACY_TEST}
    assert failed_names(tests) == expected, (
        f"expected exactly these tests to fail: {sorted(expected)}; "
        f"failed but should pass: {sorted(failed_names(tests) - expected)}; passed but should fail: {sorted(expected - failed_names(tests))}"
    )
    assert "relative error" in tests["_backward's gradients match central finite differences of the mean cross-entropy."]["output"]
    assert "below the required 0.77" in tests[ACCURACY_TEST]["output"], tests[ACCURACY_TEST]["output"]


def test_a_backward_without_the_relu_derivative_loses_the_gradient_and_trained_weight_tests(tmp_path):
    """Leaving out ReLU'(z1): the gradients and the weights after training are wrong; everything else passes.

    The network still learns (about 0.83 on the test set), so the accuracy test keeps its points when the data is there.
    """
    tests = grade_with_backward(tmp_path, {"dz1 = (dz2 @ self.W2.T) * self._relu_grad(self.z1)": "dz1 = dz2 @ self.W2.T"})
    expected = GRADIENT_TESTS | TRAINED_WEIGHT_TESTS
    assert failed_names(tests) - {ACCURACY_TEST} == expected, (
        f"expected exactly these tests to fail: {sorted(expected)}; got {sorted(failed_names(tests))}"
    )
    if has_fashion_mnist():
        assert tests[ACCURACY_TEST]["status"] == "passed", tests[ACCURACY_TEST]["output"]
        assert tests[ACCURACY_TEST]["output"].startswith("test accuracy 0.8"), tests[ACCURACY_TEST]["output"]
