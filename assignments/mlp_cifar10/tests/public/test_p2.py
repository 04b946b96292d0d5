"""Public tests of p2.py and p2_model.pkl (parts 2a and 2b).

The CNN must build with ``Net()``, map CIFAR-shaped images (N, 3, 32, 32) to logits (N, 10) and
take the submitted state_dict; its accuracy on the CIFAR-10 test set earns the handout's tiers.
The test labels stay on the grader's side: the worker only sees the images.

The accuracy is measured from the weights, not from answers (``autograder.accuracy``): a Net that is
an nn.Sequential of standard layers is rebuilt and run by the grader itself (its own logits must give
the same labels); any other Net, with a forward of its own, is run in the worker on the test images with
an invisible perturbation (each pixel moved by at most one grey level, drawn from a seed the worker
cannot know), and must fall to chance when its weights are scrambled.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder import accuracy
from autograder.assertions import assert_array
from autograder.scoring import read_tiers, tier_reached
from autograder.worker.protocol import Tensor
from utils import data

WEIGHTS_FILE = "p2_model.pkl"
NUM_CLASSES = 10
PREDICT_CHUNK = 500


def cifar_shaped_images(count, seed):
    """Random float32 images (count, 3, 32, 32) in [0, 1], the shape and range of the grader's CIFAR-10 inputs."""
    return np.random.default_rng(seed).uniform(0, 1, size=(count, 3, 32, 32)).astype(np.float32)


def net_with_submitted_weights(submission):
    """``Net()`` of p2.py holding the weights of p2_model.pkl, in eval mode (a proxy for the model in the worker)."""
    submission.require_file(WEIGHTS_FILE)
    net = submission.module("p2").Net()
    submission.introspect("load_weights", net, WEIGHTS_FILE)
    return net


def cifar10_test_images():
    """The CIFAR-10 test set as float32 images (N, 3, 32, 32) in [0, 1] and int64 labels (N,); skips when absent."""
    try:
        images, labels = data.load_dataset("cifar10", "test")
    except data.DatasetNotFound as exc:
        pytest.skip(f"skipped: {exc}")
    return images.transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255.0), labels


@pytest.mark.graded(part="2a", points=0)
def test_net_maps_cifar_shaped_images_to_ten_logits(submission):
    """Net() maps images (N, 3, 32, 32) to logits (N, 10)."""
    net = submission.module("p2").Net()
    net.eval()
    for count in (1, 4):
        logits = net(Tensor(cifar_shaped_images(count, seed=count)))
        assert_array(f"Net() on images of shape ({count}, 3, 32, 32)", logits, shape=(count, NUM_CLASSES), kind="f")


@pytest.mark.graded(part="2a", points=0)
def test_the_submitted_weights_load_and_give_finite_deterministic_logits(submission):
    """p2_model.pkl is a state_dict that loads into Net(); in eval mode the logits are finite and repeatable."""
    net = net_with_submitted_weights(submission)
    images = Tensor(cifar_shaped_images(8, seed=0))
    first, again = net(images), net(images)
    assert_array("logits of the loaded Net() on 8 images", first, shape=(8, NUM_CLASSES), kind="f")
    assert np.isfinite(first).all(), f"the loaded Net() returned non-finite logits: {first[~np.isfinite(first)][:5]}"
    assert np.array_equal(first, again), "the loaded Net() gave different logits for the same images in eval mode"


@pytest.mark.graded(part="2b", points=5, extra_credit=10)
def test_cifar10_test_accuracy_earns_the_handouts_tier(submission, manifest, award, leaderboard):
    """The trained CNN's accuracy on the 10,000 CIFAR-10 test images earns a tier: above 90%: 15, 85%: 10, 80%: 5, 75%: 3."""
    images, labels = cifar10_test_images()
    net = net_with_submitted_weights(submission)

    def predicted_labels(chunk):
        logits = net(Tensor(chunk))
        assert_array(f"logits of {len(chunk)} test images", logits, shape=(len(chunk), NUM_CLASSES), kind="f")
        return logits.argmax(axis=1)

    seed = accuracy.perturbation_seed(accuracy.grading_secret(Path(__file__).resolve().parents[1]), submission.files)
    with submission.time_limit(manifest.limits.training_seconds):
        measured = accuracy.measure_torch_model(submission, net, images, labels, predicted_labels, seed, chunk=PREDICT_CHUNK)
    what = "Net()'s logits in the worker"
    passed, message = measured.verdict(0.0, what)
    assert passed, f"no tier: {message}"
    percent = 100.0 * measured.accuracy
    tier = tier_reached(percent, read_tiers(manifest, "p2"))
    leaderboard("CIFAR-10 test accuracy (%)", round(percent, 2))
    award(tier.points, f"CIFAR-10 test accuracy {percent:.2f}% on {len(labels)} images: tier \"{tier.name}\", {tier.points:g} points "
                       f"({measured.describe(what)})")
