"""Fixtures of the Fashion-MNIST suites (public and hidden).

- ``fashion_mnist_data``: the real data set, split as a grading schedule asks.
- ``reference``: the arrays in ``reference_outputs.npz`` next to the requesting test file.
- ``trained_numpy_ann``, ``trained_pytorch_ann``, ``trained_pytorch_cnn``: the submitted class trained
  in the test module's worker with the manifest's grading schedule ([training.<module>]), once per
  test module, with its predictions on the test set.

Test labels stay on the grader's side: the submission only ever sees the test images, and
accuracy is computed here from the labels it predicts.
"""

from dataclasses import dataclass

import numpy as np
import pytest

from autograder.assertions import assert_array, assert_history, describe
from autograder.sandbox import SubmissionError
from autograder.worker.protocol import Tensor
from checks import HISTORY_KEYS, assert_judgement
from utils import data

NUM_CLASSES = 10
PREDICT_CHUNK = 2000


@dataclass
class TrainingRun:
    """A submitted model trained with a grading schedule, and its predictions on the test set.

    - model: the trained model (a proxy for the object in the worker).
    - history: what its ``train`` returned.
    - schedule: the manifest's [training.<module>] table.
    - y_test: true labels (N,) of the N test images.
    - predicted: labels (N,) the model predicts for them, or None when predicting failed.
    - prediction_error: why predicting failed (a SubmissionError or AssertionError), else None.
    """

    model: object
    history: object
    schedule: dict
    y_test: np.ndarray
    predicted: np.ndarray = None
    prediction_error: Exception = None

    def accuracy_on_test_set(self):
        """Fraction of test images whose predicted label is the true one; raises why predicting failed, if it did."""
        if self.prediction_error is not None:
            raise self.prediction_error
        return float(np.mean(self.predicted == self.y_test))

    def describe_schedule(self):
        """The grading schedule in words, for messages."""
        return f"{describe_schedule(self.schedule)}, tested on the {len(self.y_test)} test images"

    def assert_reaches_the_threshold(self, record_property):
        """The test accuracy is at least the schedule's ``threshold``; a pass records the accuracy as the test's output."""
        threshold = self.schedule["threshold"]
        accuracy = self.accuracy_on_test_set()
        assert accuracy >= threshold, f"test accuracy {accuracy:.4f} is below the required {threshold:.2f} ({self.describe_schedule()})"
        record_property("output", f"test accuracy {accuracy:.4f} (required: {threshold:.2f}; {self.describe_schedule()})")

    def checked_history(self, finite=True):
        """The history ``train`` returned, checked to hold the four curves with one float per epoch: {key: [float]}."""
        return assert_history(self.history, HISTORY_KEYS, self.schedule["epochs"], finite=finite)

    def assert_judgement_matches_the_rule(self):
        """``report_my_judgement()`` is what the learning-curve rule says of this training's history."""
        assert_judgement(self.model.report_my_judgement(), self.checked_history(finite=False), self.describe_schedule())


def describe_schedule(schedule):
    """A [training.<module>] table in words, e.g. "trained with learning_rate=0.1, ... on the first 50000 training images ..."."""
    settings = ", ".join(f"{key}={schedule[key]}" for key in ("hidden_size", "learning_rate", "epochs", "batch_size", "seed") if key in schedule)
    return (f"trained with {settings} on the first {schedule['train_size']} training images "
            f"(validation: the next {schedule['val_size']})")


@pytest.fixture(scope="session")
def fashion_mnist_data():
    """``load(schedule, flatten=True) -> dict`` of the splits a schedule asks for (see ``utils.data.fashion_mnist_splits``).

    X arrays are float32 in [0, 1]: (N, 784) when flattened, else (N, 1, 28, 28); y arrays are
    int64 labels (N,). Tests are skipped when the data set cannot be found.
    """
    loaded = {}

    def load(schedule, flatten=True):
        key = (schedule["train_size"], schedule["val_size"], flatten)
        if key not in loaded:
            try:
                loaded[key] = data.fashion_mnist_splits(train_size=schedule["train_size"], val_size=schedule["val_size"], flatten=flatten)
            except data.DatasetNotFound as exc:
                pytest.skip(f"skipped: {exc}")
        return loaded[key]

    return load


@pytest.fixture
def reference(request):
    """The arrays of ``reference_outputs.npz`` in the requesting test file's folder, as {name: array}."""
    with np.load(request.path.parent / "reference_outputs.npz", allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}


def predict_in_chunks(predict, X, wrap=None):
    """Call the submission's ``predict`` on row chunks of X (N, ...) and stack the answers along axis 0.

    ``wrap`` turns a chunk into what is sent (e.g. ``Tensor``); chunks keep the worker's memory small.
    """
    answers = []
    for start in range(0, len(X), PREDICT_CHUNK):
        chunk = X[start:start + PREDICT_CHUNK]
        answer = predict(wrap(chunk) if wrap else chunk)
        assert_array(f"predict on {len(chunk)} test images", answer)
        assert answer.ndim >= 1 and len(answer) == len(chunk), (
            f"predict on {len(chunk)} test images: expected one row per image, got {describe(answer)}"
        )
        assert not answers or answer.shape[1:] == answers[0].shape[1:], (
            f"predict returned rows of shape {answer.shape[1:]} for some images and {answers[0].shape[1:]} for others"
        )
        answers.append(answer)
    return np.concatenate(answers, axis=0)


def predicted_test_labels(predict_labels, submission, manifest):
    """(labels (N,), None) from ``predict_labels()``, or (None, the SubmissionError or AssertionError saying why it failed)."""
    try:
        with submission.time_limit(manifest.limits.training_seconds):
            return predict_labels(), None
    except (SubmissionError, AssertionError) as exc:
        return None, exc


def training_failed(name, schedule, exc):
    """A SubmissionError saying that training with the grading schedule failed, and why."""
    return SubmissionError(f"{name} {describe_schedule(schedule)} (the grading schedule) failed: {exc}")


@pytest.fixture(scope="module")
def trained_numpy_ann(submission, manifest, fashion_mnist_data):
    """NumpyANN trained with [training.numpy_ann] on flattened images (X float32 (N, 784), y one-hot (N, 10))."""
    schedule = manifest.training["numpy_ann"]
    splits = fashion_mnist_data(schedule, flatten=True)
    numpy_ann = submission.module("numpy_ann")
    try:
        with submission.time_limit(manifest.limits.training_seconds):
            model = numpy_ann.NumpyANN(splits["X_train"].shape[1], schedule["hidden_size"], NUM_CLASSES,
                                       schedule["learning_rate"], schedule["seed"])
            history = model.train(splits["X_train"], data.one_hot(splits["y_train"], NUM_CLASSES),
                                  splits["X_val"], data.one_hot(splits["y_val"], NUM_CLASSES),
                                  schedule["epochs"], schedule["batch_size"])
    except SubmissionError as exc:
        raise training_failed("NumpyANN", schedule, exc) from exc

    def predict_labels():
        probabilities = predict_in_chunks(model.predict, splits["X_test"])
        expected_shape = (len(splits["X_test"]), NUM_CLASSES)
        assert probabilities.shape == expected_shape, (
            f"NumpyANN.predict on the test images: expected probabilities of shape {expected_shape}, got {describe(probabilities)}"
        )
        return probabilities.argmax(axis=1)

    return TrainingRun(model, history, schedule, splits["y_test"], *predicted_test_labels(predict_labels, submission, manifest))


def train_torch_model(model, splits, schedule, submission, manifest, name):
    """Train a submitted torch model with ``schedule`` and predict the test labels; returns a TrainingRun."""
    try:
        with submission.time_limit(manifest.limits.training_seconds):
            history = model.train(Tensor(splits["X_train"]), Tensor(splits["y_train"]), Tensor(splits["X_val"]), Tensor(splits["y_val"]),
                                  schedule["epochs"], schedule["batch_size"], schedule["learning_rate"])
    except SubmissionError as exc:
        raise training_failed(name, schedule, exc) from exc

    def predict_labels():
        predicted = predict_in_chunks(model.predict, splits["X_test"], wrap=Tensor)
        assert predicted.shape == splits["y_test"].shape and predicted.dtype.kind in "iu", (
            f"{name}.predict on the test images: expected integer labels of shape {splits['y_test'].shape}, got {describe(predicted)}"
        )
        return predicted

    return TrainingRun(model, history, schedule, splits["y_test"], *predicted_test_labels(predict_labels, submission, manifest))


@pytest.fixture(scope="module")
def trained_pytorch_ann(submission, manifest, fashion_mnist_data):
    """PyTorchANN trained with [training.pytorch_ann] on flattened images (X float32 (N, 784), y int64 (N,))."""
    schedule = manifest.training["pytorch_ann"]
    splits = fashion_mnist_data(schedule, flatten=True)
    pytorch_ann = submission.module("pytorch_ann")
    try:
        model = pytorch_ann.PyTorchANN(splits["X_train"].shape[1], schedule["hidden_size"], NUM_CLASSES, schedule["seed"])
    except SubmissionError as exc:
        raise training_failed("PyTorchANN", schedule, exc) from exc
    return train_torch_model(model, splits, schedule, submission, manifest, "PyTorchANN")


@pytest.fixture(scope="module")
def trained_pytorch_cnn(submission, manifest, fashion_mnist_data):
    """PyTorchCNN trained with [training.pytorch_cnn] on images X float32 (N, 1, 28, 28), y int64 (N,)."""
    schedule = manifest.training["pytorch_cnn"]
    splits = fashion_mnist_data(schedule, flatten=False)
    pytorch_cnn = submission.module("pytorch_cnn")
    try:
        model = pytorch_cnn.PyTorchCNN(NUM_CLASSES, schedule["seed"])
    except SubmissionError as exc:
        raise training_failed("PyTorchCNN", schedule, exc) from exc
    return train_torch_model(model, splits, schedule, submission, manifest, "PyTorchCNN")
