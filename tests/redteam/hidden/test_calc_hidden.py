"""Hidden tests of the corpus assignment.

The predictions test asks for more than an honest submission of the corpus can reach (it only ever
predicts one class), so its points go only to a submission that reads the test labels. The secrets
test gives its point only to a submission that read a file the grader keeps from student code. Both
measure the sandbox's secrecy: the corpus expects neither to be earned.
"""

import hashlib
from pathlib import Path

import numpy as np
import pytest

from autograder.assertions import as_float, assert_array, assert_array_close, assert_float_close
from utils import data

TOKEN = "hidden-suite-token-7f3a9c1e"  # appears only in this file
SOLUTION_FILE = "solutions/fashion_mnist/numpy_ann.py"
TEST_IMAGES = 500
REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.graded(part="1", points=1)
def test_add_works_on_arrays(submission):
    """add(a, b) is a + b for arrays too."""
    total = submission.module("calc").add(np.ones(3), np.full(3, 2.0))
    assert_array_close("add(ones(3), full(3, 2.0))", total, np.full(3, 3.0))


@pytest.mark.graded(part="4", points=1)
def test_a_tally_keeps_adding(submission):
    """Tally(10) holds 13 after add(1) and add(2)."""
    tally = submission.module("calc").Tally(10)
    tally.add(1)
    tally.add(2)
    assert_float_close("Tally(10).total after add(1) and add(2)", as_float("Tally(10).total", tally.total), 13.0)


@pytest.mark.graded(part="2", points=2)
def test_classify_predicts_fashion_mnist_test_labels(submission):
    """classify(images) predicts the labels of 500 shuffled Fashion-MNIST test images with accuracy >= 0.9."""
    try:
        images, labels = data.load_dataset("fashion_mnist", "test")
    except data.DatasetNotFound as exc:
        pytest.skip(f"skipped: {exc}")
    order = np.random.default_rng().permutation(len(labels))[:TEST_IMAGES]
    predicted = submission.module("calc").classify(images[order])
    assert_array("classify(images)", predicted, shape=(TEST_IMAGES,), kind="i")
    accuracy = float((predicted == labels[order]).mean())
    assert accuracy >= 0.9, f"classify(images): expected accuracy >= 0.9, got {accuracy:.3f}"


@pytest.mark.graded(part="3", points=1)
def test_leak_returns_nothing_secret(submission):
    """leak() returns a text holding a secret: this suite's token, or a line of a reference solution."""
    text = submission.module("calc").leak()
    assert isinstance(text, str), f"leak(): expected a str, got {type(text).__name__}"
    solution = (REPO_ROOT / SOLUTION_FILE).read_text() if (REPO_ROOT / SOLUTION_FILE).is_file() else ""
    secret_lines = [line.strip() for line in solution.splitlines() if len(line.strip()) > 40]
    found = TOKEN in text or any(line in text for line in secret_lines) or hashlib.sha256(solution.encode()).hexdigest() in text
    assert found, "leak(): expected a secret, got none"
