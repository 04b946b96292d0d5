"""Accuracy from weights, not from answers (``autograder.accuracy``): the shared pieces and the honest references.

The lookup attack it stops (``tests/redteam/lookup_attack.py``: train() does nothing, predict() answers from a table of
the public test set written into its source) is graded against every accuracy test of every assignment by the
hostile-submission corpus (``make redteam``, its "lookup" entries). Here: the grader's rebuild of a torch model, the
near-tie rule, the perturbation and its seed, the scrambled-weights check and the verdict in-process; then, graded,
the same table beside honestly trained weights (it fails for its predict alone) and the honest references earning
the accuracy points from their weights.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from autograder import accuracy
from autograder.grading import AssignmentLayout, grade_submission
from autograder.results import validation_problems
from autograder.worker.introspect import layer_chain, state_dict
from utils import data

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests" / "redteam"))
import lookup_attack  # noqa: E402

FASHION = REPO_ROOT / "solutions" / "fashion_mnist"
ACCURACY_TESTS = {
    "numpy_ann.py": "NumpyANN trained with the grading schedule reaches the required accuracy on the Fashion-MNIST test set.",
    "pytorch_ann.py": "PyTorchANN trained with the grading schedule reaches the required accuracy on the Fashion-MNIST test set.",
}


# ----------------------------------------------------------------------------------------------
# The shared pieces, in-process
# ----------------------------------------------------------------------------------------------

def trained_looking_sequential():
    """A nested nn.Sequential of every kind of standard layer the course uses, its BatchNorm statistics moved off their defaults."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                            torch.nn.Dropout(0.3)),
        torch.nn.Conv2d(4, 6, 3, stride=2, bias=False), torch.nn.LeakyReLU(0.1), torch.nn.AvgPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(6 * 3 * 3, 8), torch.nn.BatchNorm1d(8), torch.nn.Tanh(), torch.nn.Linear(8, 10),
        torch.nn.Softmax(dim=1),
    )
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.rand(16, 1, 28, 28) * 3 + 1)
    return model.eval()


def test_the_grader_rebuilds_a_nested_sequential_with_its_batch_norm_statistics_and_gets_the_same_outputs():
    model = trained_looking_sequential()
    images = np.random.default_rng(0).uniform(0, 1, size=(64, 1, 28, 28)).astype(np.float32)
    rebuilt = accuracy.rebuild(layer_chain(model), state_dict(model))
    with torch.no_grad():
        expected = model(torch.from_numpy(images)).double().numpy()
    scores = accuracy.grader_logits(rebuilt, images, chunk=10)
    assert np.allclose(scores, expected, rtol=1e-5, atol=1e-7), "chunks of another size may change the last bits, no more"
    assert accuracy.agreement(expected.argmax(axis=1), scores).all()
    assert rebuilt[10].running_mean.abs().sum() > 0, "the BatchNorm1d running mean should be the trained one"


class CustomNet(torch.nn.Module):
    """A model with a forward of its own: normalisation by buffers outside its layers."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.full((1,), 0.5))
        self.body = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))

    def forward(self, x):
        return self.body(x - self.mean)


class Linear(torch.nn.Linear):
    """A layer that calls itself Linear but is the submission's own class."""


@pytest.mark.parametrize("model, reason", [
    (CustomNet(), "not an nn.Sequential"),
    (torch.nn.Sequential(torch.nn.Flatten(), Linear(784, 10)), "not one of the standard torch.nn layers"),
    (torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Bilinear(784, 784, 10)), "not one of the standard torch.nn layers"),
])
def test_a_model_the_grader_cannot_run_itself_is_refused_with_the_reason(model, reason):
    with pytest.raises(accuracy.NotRebuildable, match=reason):
        accuracy.rebuild(layer_chain(model), state_dict(model))


def test_a_state_that_does_not_fit_the_layers_exactly_is_refused():
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    description, state = layer_chain(model), state_dict(model)
    with pytest.raises(accuracy.NotRebuildable, match="outside its layers"):
        accuracy.rebuild(description, {**state, "table": np.zeros(3)})
    with pytest.raises(accuracy.NotRebuildable, match="has shape"):
        accuracy.rebuild(description, {**state, "1.bias": np.zeros(11, dtype=np.float32)})
    with pytest.raises(accuracy.NotRebuildable, match="lacks 1.weight"):
        accuracy.rebuild(description, {"1.bias": state["1.bias"]})


def test_a_label_counts_as_the_weights_when_its_score_ties_the_row_maximum_within_the_cross_machine_tolerance():
    """Near ties: within CROSS_MACHINE_ULPS float32 ulps of the scores' scale (autograder.tolerance), either label is the weights'."""
    top = np.float64(10.0)
    ulp = float(np.spacing(np.float32(top)))
    scores = np.array([[top, top - 40 * ulp, 0.0], [top, top - 100 * ulp, 0.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    labels = np.array([1, 1, 2, 7])
    assert accuracy.agreement(labels, scores).tolist() == [True, False, True, False]


def test_a_near_tie_never_counts_for_the_submission_in_the_accuracy():
    """Scores that all tie (a zeroed last layer) agree with any label, but the accuracy is the plain argmax's: class 0 everywhere."""
    y = np.arange(100) % 10
    result = accuracy.compare(np.zeros((100, 10)), y, y, "the grader's forward")
    assert result.accuracy == 0.1 and result.disagreements == [] and result.own_accuracy == 1.0


def test_the_perturbation_moves_each_pixel_by_at_most_one_grey_level_and_no_image_stays_the_same():
    images = np.random.default_rng(1).integers(0, 256, size=(50, 784)).astype(np.float32) / 255
    moved = accuracy.perturb(images, seed=7)
    steps = np.rint(moved * 255) - np.rint(images * 255)
    assert moved.dtype == np.float32 and moved.min() >= 0 and moved.max() <= 1
    assert np.abs(steps).max() == 1 and np.allclose(moved * 255, np.rint(moved * 255), atol=1e-4)
    assert not np.isin(lookup_attack.image_keys(moved), lookup_attack.image_keys(images)).any()
    assert np.array_equal(accuracy.perturb(images, seed=7), moved) and not np.array_equal(accuracy.perturb(images, seed=8), moved)


def test_the_perturbation_seed_is_fixed_by_the_secret_and_the_submission_and_the_secret_by_the_hidden_suite(tmp_path, monkeypatch):
    files = {"a.py": b"x = 1\n"}
    assert accuracy.perturbation_seed(b"k", files) == accuracy.perturbation_seed(b"k", dict(files))
    assert accuracy.perturbation_seed(b"k", files) != accuracy.perturbation_seed(b"k", {"a.py": b"x = 2\n"})
    assert accuracy.perturbation_seed(b"k", files) != accuracy.perturbation_seed(b"l", files)
    monkeypatch.delenv(accuracy.KEY_ENV_VAR, raising=False)
    (tmp_path / "hidden").mkdir()
    (tmp_path / "hidden" / "test_x.py").write_text("hidden\n")
    assert accuracy.grading_secret(tmp_path) == accuracy.grading_secret(tmp_path)
    assert accuracy.grading_secret(tmp_path / "nowhere") != accuracy.grading_secret(tmp_path / "nowhere"), "without a hidden suite: random"
    monkeypatch.setenv(accuracy.KEY_ENV_VAR, "course key")
    assert accuracy.grading_secret(tmp_path) == b"course key"


def test_scrambled_weights_keep_each_arrays_values_and_shape():
    state = {"w": np.arange(12, dtype=np.float32).reshape(3, 4), "n": np.array(5), "b": np.ones(2, dtype=np.float32)}
    out = accuracy.scrambled(state, seed=0)
    assert out["w"].shape == (3, 4) and sorted(out["w"].ravel()) == sorted(state["w"].ravel()) and not np.array_equal(out["w"], state["w"])
    assert out["n"] == 5 and np.array_equal(out["b"], state["b"])


def test_the_verdict_states_the_failure_the_agreement_and_the_flag():
    y = np.arange(10) % 10
    scores = np.eye(10)[(y + 1) % 10]
    result = accuracy.compare(scores, y, y, "the grader's forward")
    passed, message = result.verdict(0.8, "predict", ceiling=0.9, context="schedule")
    assert not passed
    assert message.startswith("test accuracy 0.0000 is below the required 0.80; the labels of predict are not those of the trained weights on 10 of 10")
    assert "would score 1.0000 where the weights score 0.0000" in message and message.endswith("(the grader's forward; schedule)")
    passed, message = accuracy.compare(np.eye(10)[y], y, y, "the grader's forward").verdict(0.8, "predict", ceiling=0.9, architecture="an MLP")
    assert passed and message.startswith("test accuracy 1.0000 (required: 0.80; the grader's forward; predict gives these labels on all 10")
    assert "FLAGGED for the course staff: 1.0000 is far above what an MLP reaches" in message


# ----------------------------------------------------------------------------------------------
# fashion_mnist graded: a table beside honest weights, the honest references
# ----------------------------------------------------------------------------------------------

def has_fashion_mnist():
    """Whether the real data set can be found (the attack's table and the accuracy tests need it)."""
    try:
        data.load_fashion_mnist("test")
    except data.DatasetNotFound:
        return False
    return True


needs_fashion_mnist = pytest.mark.skipif(not has_fashion_mnist(), reason="skipped: Fashion-MNIST not found (install dataset-fashion-mnist)")


@pytest.fixture(scope="module")
def table():
    """The attack's table of the Fashion-MNIST test set, as source text."""
    images, labels = data.load_fashion_mnist("test")
    return lookup_attack.table_source(images, labels)


def attacked(filename, *snippets):
    """The reference ``filename`` of fashion_mnist with ``snippets`` appended."""
    return (FASHION / filename).read_text(encoding="utf-8") + "".join(snippets)


def grade(tmp_path, files, graded):
    """Grade a fashion_mnist submission of ``files`` ({filename: text}), only the parts of ``graded``; returns {test name: test}."""
    folder = tmp_path / "submission"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    results = grade_submission(AssignmentLayout.in_repository(REPO_ROOT, "fashion_mnist"), folder, files=[graded])
    assert validation_problems(results) == [], validation_problems(results)
    assert not any(test["extra_data"].get("grader_error") for test in results["tests"]), [t["output"] for t in results["tests"]]
    return {test["name"]: test for test in results["tests"]}


@needs_fashion_mnist
def test_a_table_beside_honestly_trained_weights_loses_the_accuracy_points_for_its_predict(tmp_path, table):
    """The weights reach the threshold, but predict's labels are the table's: the test fails on the agreement alone."""
    tests = grade(tmp_path, {"numpy_ann.py": attacked("numpy_ann.py", table, lookup_attack.NUMPY_ANN_TABLE_PREDICT)}, "numpy_ann.py")
    test = tests[ACCURACY_TESTS["numpy_ann.py"]]
    output = test["output"]
    assert test["score"] == 0 and test["status"] == "failed", test
    assert "are not those of the trained weights" in output and "(such as a table of the test set) earn nothing" in output, output
    assert "below the required" not in test["output"] and "the weights score 0.8" in test["output"], test["output"]


@needs_fashion_mnist
@pytest.mark.parametrize("filename, threshold", [("numpy_ann.py", "0.77"), ("pytorch_ann.py", "0.80")])
def test_the_honest_reference_earns_the_accuracy_points_from_its_weights(tmp_path, filename, threshold):
    """The reference passes with the grader's own figure, and its predict agrees on every test image (the CNN: `validate fashion_mnist`)."""
    test = grade(tmp_path, {filename: attacked(filename)}, filename)[ACCURACY_TESTS[filename]]
    assert test["status"] == "passed" and test["score"] == 2, test
    assert test["output"].startswith("test accuracy 0.8") and f"(required: {threshold}; the grader's own forward pass" in test["output"]
    assert "gives these labels on all 10,000 images" in test["output"] and "FLAGGED" not in test["output"], test["output"]
