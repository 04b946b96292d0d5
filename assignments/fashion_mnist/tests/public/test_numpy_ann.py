"""Public tests of numpy_ann.py: the NumpyANN class on small seeded inputs (parts 1.1 to 1.9)."""

import numpy as np
import pytest

from autograder.assertions import as_float, assert_array, assert_array_close, assert_float_close, assert_gradient_close, assert_history
from checks import (
    WEIGHT_NAMES, assert_numpy_init_matches, backward_step, finite_difference_gradients, mlp_forward, numpy_network, read_weights, smooth_problem,
)


def reference_weights(reference, prefix):
    """{W1, b1, W2, b2} stored under ``prefix`` in the reference outputs."""
    return {name: reference[f"{prefix}_{name}"] for name in WEIGHT_NAMES}


@pytest.mark.graded(part="1.1", points=0.5)
def test_constructor_stores_the_sizes_and_the_learning_rate(submission):
    """The constructor stores input_size, hidden_size, output_size and lr."""
    numpy_ann = submission.module("numpy_ann")
    net = numpy_ann.NumpyANN(12, 7, 3, 0.05, 1)
    for name, expected in (("input_size", 12), ("hidden_size", 7), ("output_size", 3), ("lr", 0.05)):
        assert_float_close(f"NumpyANN(12, 7, 3, 0.05, 1).{name}", getattr(net, name), expected, rtol=0, atol=0)


@pytest.mark.graded(part="1.1", points=0.5)
def test_constructor_creates_float_weights_and_zero_biases_of_the_documented_shapes(submission):
    """W1 is (784, 128), W2 is (128, 10), b1 and b2 are zero rows of shape (1, 128) and (1, 10)."""
    numpy_ann = submission.module("numpy_ann")
    net = numpy_ann.NumpyANN(784, 128, 10, 0.01, 0)
    shapes = {"W1": (784, 128), "b1": (1, 128), "W2": (128, 10), "b2": (1, 10)}
    weights = read_weights(net, shapes)
    for name, value in weights.items():
        assert_array(name, value, shape=shapes[name], kind="f")
    for name in ("b1", "b2"):
        assert not weights[name].any(), f"{name}: expected zeros, got values up to {np.abs(weights[name]).max():g}"
    assert weights["W1"].std() > 0, "W1: expected random values, got a constant array"


@pytest.mark.graded(part="1.1", points=1)
def test_seeded_initialisation_matches_the_reference(submission, reference):
    """With a given seed, W1 = 0.01 * randn(D, H) then W2 = 0.01 * randn(H, C) equal the reference."""
    assert_numpy_init_matches(submission.module("numpy_ann"), reference)


@pytest.mark.graded(part="1.2", points=0.5)
def test_relu_keeps_positive_inputs_and_zeroes_the_others(submission, reference):
    """_relu returns x where x > 0 and 0 elsewhere, with the input's shape."""
    net = submission.module("numpy_ann").NumpyANN(4, 3, 2, 0.01, 0)
    assert_array_close("_relu(x)", net._relu(reference["relu_x"]), reference["relu_out"], rtol=0, atol=0)


@pytest.mark.graded(part="1.3", points=0.5)
def test_relu_grad_is_one_for_positive_inputs_and_zero_elsewhere_including_zero(submission, reference):
    """_relu_grad returns 1 where x > 0 and 0 where x <= 0 (x = 0 included)."""
    net = submission.module("numpy_ann").NumpyANN(4, 3, 2, 0.01, 0)
    assert_array_close("_relu_grad(x)", net._relu_grad(reference["relu_x"]), reference["relu_grad_out"], rtol=0, atol=0)


@pytest.mark.graded(part="1.4", points=0.5)
def test_cross_entropy_matches_the_reference(submission, reference):
    """_cross_entropy returns the mean over examples of -(1/C) sum y log p, as a float."""
    net = submission.module("numpy_ann").NumpyANN(4, 3, 2, 0.01, 0)
    value = net._cross_entropy(reference["ce_y_true"], reference["ce_y_pred"])
    assert_float_close("_cross_entropy(y_true, y_pred)", value, reference["ce_value"])


@pytest.mark.graded(part="1.5", points=0.5)
def test_forward_returns_probability_rows_of_shape_n_by_c(submission, reference):
    """_forward returns an (N, C) array of non-negative rows that sum to 1."""
    net = numpy_network(submission.module("numpy_ann"), reference_weights(reference, "net"), 0.1)
    X = reference["forward_X"]
    probabilities = net._forward(X, True)
    assert_array("_forward(X, True)", probabilities, shape=(len(X), reference["net_W2"].shape[1]), kind="f")
    assert (probabilities >= 0).all(), f"_forward(X, True): expected non-negative probabilities, got a minimum of {probabilities.min():g}"
    assert_array_close("row sums of _forward(X, True)", probabilities.sum(axis=1), np.ones(len(X)))


@pytest.mark.graded(part="1.5", points=0.5)
def test_forward_matches_the_reference(submission, reference):
    """_forward computes softmax(relu(X W1 + b1) W2 + b2) like the reference."""
    net = numpy_network(submission.module("numpy_ann"), reference_weights(reference, "net"), 0.1)
    assert_array_close("_forward(X, True)", net._forward(reference["forward_X"], True), reference["forward_a2"])


@pytest.mark.graded(part="1.6", points=1)
def test_backward_updates_the_weights_like_the_reference(submission, reference):
    """One _forward and _backward update W1, b1, W2 and b2 like the reference."""
    lr = float(reference["backward_lr"])
    net = numpy_network(submission.module("numpy_ann"), reference_weights(reference, "net"), lr)
    net._forward(reference["backward_X"], True)
    net._backward(reference["backward_X"], reference["backward_Y"])
    for name in WEIGHT_NAMES:
        assert_array_close(f"{name} after one _backward with lr={lr:g}", getattr(net, name), reference[f"backward_{name}"])


@pytest.mark.graded(part="1.6", points=1)
def test_backward_gradients_match_central_finite_differences(submission):
    """_backward's gradients match central finite differences of the mean cross-entropy."""
    weights, X, Y = smooth_problem(seed=11, D=6, H=5, C=4, N=7)
    gradients = backward_step(submission.module("numpy_ann"), weights, X, Y, lr=1.0)
    expected = finite_difference_gradients(weights, X, Y)
    for name in WEIGHT_NAMES:
        assert_gradient_close(f"gradient of {name} (W before - W after one _backward with lr=1)", gradients[name], expected[name],
                              "central finite differences of the mean over N of -sum_c y log softmax")


@pytest.mark.graded(part="1.7", points=0.5)
def test_one_full_batch_epoch_updates_the_weights_like_the_reference(submission, reference):
    """train with epochs=1 and batch_size=N makes the same single step as the reference."""
    net = numpy_network(submission.module("numpy_ann"), reference_weights(reference, "net"), float(reference["train_full_lr"]))
    net.train(reference["train_full_X"], reference["train_full_Y"], reference["train_full_X_val"], reference["train_full_Y_val"],
              1, len(reference["train_full_X"]))
    for name in WEIGHT_NAMES:
        assert_array_close(f"{name} after one epoch with batch_size=N", getattr(net, name), reference[f"train_full_{name}"])


@pytest.mark.graded(part="1.7", points=0.5)
def test_train_returns_the_validation_loss_and_accuracy_of_every_epoch(submission, reference):
    """train returns a history with one validation loss and one validation accuracy per epoch."""
    net = numpy_network(submission.module("numpy_ann"), reference_weights(reference, "net"), float(reference["train_batches_lr"]))
    epochs = int(reference["train_batches_epochs"])
    history = net.train(reference["train_batches_X"], reference["train_batches_Y"], reference["train_batches_X_val"],
                        reference["train_batches_Y_val"], epochs, int(reference["train_batches_batch_size"]))
    metrics = assert_history(history, ("val_loss", "val_accuracy"), epochs)
    assert all(loss > 0 for loss in metrics["val_loss"]), f"history['val_loss']: expected positive losses, got {metrics['val_loss']}"
    assert all(0 <= a <= 1 for a in metrics["val_accuracy"]), f"history['val_accuracy']: expected fractions in [0, 1], got {metrics['val_accuracy']}"


@pytest.mark.graded(part="1.8", points=0.5)
def test_predict_returns_the_forward_probabilities(submission, reference):
    """predict returns the (N, C) probabilities of the forward pass."""
    net = numpy_network(submission.module("numpy_ann"), reference_weights(reference, "net"), 0.1)
    probabilities = net.predict(reference["forward_X"])
    assert_array_close("predict(X)", probabilities, reference["forward_a2"])


@pytest.mark.graded(part="1.9", points=1)
def test_accuracy_is_the_fraction_of_correctly_predicted_one_hot_labels(submission):
    """accuracy returns the fraction of rows whose most probable class is the labelled one."""
    rng = np.random.default_rng(5)
    weights = {"W1": rng.normal(size=(5, 6)), "b1": rng.normal(size=(1, 6)), "W2": rng.normal(size=(6, 3)), "b2": rng.normal(size=(1, 3))}
    X = rng.normal(size=(8, 5))
    predicted = mlp_forward(X, **weights)[3].argmax(axis=1)
    labels = np.where(np.arange(8) < 5, predicted, (predicted + 1) % 3)
    net = numpy_network(submission.module("numpy_ann"), weights, 0.1)
    value = net.accuracy(X, np.eye(3)[labels])
    expected = float(np.mean(predicted == labels))
    assert 0 <= as_float("accuracy(X, y)", value) <= 1, f"accuracy(X, y): expected a fraction in [0, 1], got {value!r}"
    assert_float_close("accuracy(X, y) with 5 of 8 rows predicted right", value, expected, rtol=0, atol=1e-12)
