"""Fixtures of the Fashion-MNIST suites (public and hidden).

- ``fashion_mnist_data``: the real data set, split as a grading schedule asks.
- ``reference``: the arrays in ``reference_outputs.npz`` next to the requesting test file.
- ``trained_numpy_ann``, ``trained_pytorch_ann``, ``trained_pytorch_cnn``: the submitted class trained
  in the test module's worker with the manifest's grading schedule ([training.<module>]), once per
  test module, with its predictions on the test set and the grader's own measure of its accuracy.

Test labels stay on the grader's side: the submission only ever sees the test images. The accuracy
that counts is the grader's own forward pass of the trained weights, read back as arrays
(``autograder.accuracy``); the labels the submission's ``predict`` gives must be those of the weights.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from autograder import accuracy
from autograder.assertions import assert_array, assert_history, describe
from autograder.sandbox import SubmissionError
from autograder.worker.protocol import Tensor
from checks import HISTORY_KEYS, WEIGHT_NAMES, assert_judgement
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
    - measured: the grader's ``accuracy.ModelAccuracy`` of the trained weights, or None when it failed.
    - measure_error: why measuring failed (a SubmissionError or AssertionError), else None.
    - architecture: the network in words, for the flag of an accuracy above the schedule's ``ceiling``.
    - predictor: the method whose labels must be the weights', in words (e.g. "NumpyANN.predict").
    """

    model: object
    history: object
    schedule: dict
    y_test: np.ndarray
    predicted: np.ndarray = None
    prediction_error: Exception = None
    measured: accuracy.ModelAccuracy = None
    measure_error: Exception = None
    architecture: str = "this architecture"
    predictor: str = "predict"

    def describe_schedule(self):
        """The grading schedule in words, for messages."""
        return f"{describe_schedule(self.schedule)}, tested on the {len(self.y_test)} test images"

    def assert_reaches_the_threshold(self, record_property):
        """The grader's accuracy of the trained weights is at least the schedule's ``threshold`` and ``predict``'s labels are the
        weights'; a pass records the accuracy as the test's output."""
        for error in (self.prediction_error, self.measure_error):
            if error is not None:
                raise error
        passed, message = self.measured.verdict(self.schedule["threshold"], self.predictor, self.schedule.get("ceiling"), self.architecture,
                                                self.describe_schedule())
        assert passed, message
        record_property("output", message)

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


def measured_accuracy(measure, submission, manifest):
    """(ModelAccuracy, None) from ``measure()``, or (None, the SubmissionError or AssertionError saying why it failed)."""
    try:
        with submission.time_limit(manifest.limits.training_seconds):
            return measure(), None
    except (SubmissionError, AssertionError) as exc:
        return None, exc


@pytest.fixture(scope="session")
def perturbation_key():
    """Bytes the worker cannot know (``accuracy.grading_secret``), for models the grader cannot run itself."""
    return accuracy.grading_secret(Path(__file__).resolve().parent)


def numpy_ann_accuracy(model, X_test, y_test, predicted):
    """The grader's ModelAccuracy of a trained NumpyANN: its W1, b1, W2, b2 read back as arrays, run by the grader in float64."""
    D = X_test.shape[1]
    weights = {name: getattr(model, name) for name in WEIGHT_NAMES}
    for name, value in weights.items():
        assert_array(f"the trained NumpyANN's {name}", value, kind="f")
    W1, b1, W2, b2 = (weights[name] for name in WEIGHT_NAMES)
    H, C = W1.shape[-1], NUM_CLASSES
    expected = {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}
    for name, shape in expected.items():
        got = weights[name].shape
        assert got == shape or (name[0] == "b" and got == (1,) + shape), (
            f"the trained NumpyANN's {name}: expected shape {(1,) + shape if name[0] == 'b' else shape}, got {got}")
    assert all(np.isfinite(value).all() for value in weights.values()), "the trained NumpyANN's weights hold NaN or infinite values"
    scores = accuracy.dense_logits(X_test, [(W1, b1, "relu"), (W2, b2, None)])
    return accuracy.compare(scores, predicted, y_test, "the grader's own forward pass (float64) of the trained W1, b1, W2, b2")


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
        model = numpy_ann.NumpyANN(splits["X_train"].shape[1], schedule["hidden_size"], NUM_CLASSES, schedule["learning_rate"], schedule["seed"])
        with submission.time_limit(manifest.limits.training_seconds):
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

    run = TrainingRun(model, history, schedule, splits["y_test"], *predicted_test_labels(predict_labels, submission, manifest),
                      architecture=f"a {splits['X_train'].shape[1]}-{schedule['hidden_size']}-{NUM_CLASSES} ReLU network",
                      predictor="NumpyANN.predict")
    if run.predicted is not None:
        run.measured, run.measure_error = measured_accuracy(
            lambda: numpy_ann_accuracy(model, splits["X_test"], splits["y_test"], run.predicted), submission, manifest)
    return run


def checked_labels(labels, count, name):
    """``labels`` a submitted predict returned for ``count`` images, checked to be (count,) integers."""
    assert_array(f"{name}.predict on {count} test images", labels, shape=(count,), kind="i")
    return labels


def train_torch_model(model, splits, schedule, submission, manifest, name, seed, architecture):
    """Train a submitted torch model with ``schedule``, predict the test labels and measure the trained weights' accuracy;
    returns a TrainingRun."""
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

    run = TrainingRun(model, history, schedule, splits["y_test"], *predicted_test_labels(predict_labels, submission, manifest),
                      architecture=architecture, predictor=f"{name}.predict")
    if run.predicted is not None:
        run.measured, run.measure_error = measured_accuracy(
            lambda: accuracy.measure_torch_model(submission, model.model, splits["X_test"], splits["y_test"],
                                                 lambda images: checked_labels(model.predict(Tensor(images)), len(images), name), seed,
                                                 own_labels=run.predicted),
            submission, manifest)
    return run


@pytest.fixture(scope="module")
def trained_pytorch_ann(submission, manifest, fashion_mnist_data, perturbation_key):
    """PyTorchANN trained with [training.pytorch_ann] on flattened images (X float32 (N, 784), y int64 (N,))."""
    schedule = manifest.training["pytorch_ann"]
    splits = fashion_mnist_data(schedule, flatten=True)
    pytorch_ann = submission.module("pytorch_ann")
    try:
        model = pytorch_ann.PyTorchANN(splits["X_train"].shape[1], schedule["hidden_size"], NUM_CLASSES, schedule["seed"])
    except SubmissionError as exc:
        raise training_failed("PyTorchANN", schedule, exc) from exc
    return train_torch_model(model, splits, schedule, submission, manifest, "PyTorchANN",
                             accuracy.perturbation_seed(perturbation_key, submission.files),
                             f"a {splits['X_train'].shape[1]}-{schedule['hidden_size']}-{NUM_CLASSES} ReLU network")


@pytest.fixture(scope="module")
def trained_pytorch_cnn(submission, manifest, fashion_mnist_data, perturbation_key):
    """PyTorchCNN trained with [training.pytorch_cnn] on images X float32 (N, 1, 28, 28), y int64 (N,)."""
    schedule = manifest.training["pytorch_cnn"]
    splits = fashion_mnist_data(schedule, flatten=False)
    pytorch_cnn = submission.module("pytorch_cnn")
    try:
        model = pytorch_cnn.PyTorchCNN(NUM_CLASSES, schedule["seed"])
    except SubmissionError as exc:
        raise training_failed("PyTorchCNN", schedule, exc) from exc
    return train_torch_model(model, splits, schedule, submission, manifest, "PyTorchCNN",
                             accuracy.perturbation_seed(perturbation_key, submission.files), "the handout's four-block CNN")
