"""Hidden tests of numpy_ann.py: other sizes and seeds, edge cases and gradient checks (parts 1.1 to 1.9)."""

import numpy as np
import pytest
import torch

from autograder.assertions import as_float, assert_array, assert_array_close, assert_float_close, assert_gradient_close, assert_history
from checks import WEIGHT_NAMES, assert_numpy_init_matches, backward_step, mlp_forward, numpy_network, smooth_problem


def reference_weights(reference, prefix):
    """{W1, b1, W2, b2} stored under ``prefix`` in the reference outputs."""
    return {name: reference[f"{prefix}_{name}"] for name in WEIGHT_NAMES}


def autograd_gradients(weights, X, Y):
    """Gradients of the mean over N of -sum_c Y log softmax(relu(X W1 + b1) W2 + b2), by torch autograd in float64."""
    params = {name: torch.tensor(weights[name], dtype=torch.float64, requires_grad=True) for name in WEIGHT_NAMES}
    hidden = torch.relu(torch.from_numpy(X) @ params["W1"] + params["b1"])
    logits = hidden @ params["W2"] + params["b2"]
    loss = -(torch.from_numpy(Y) * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
    loss.backward()
    return {name: param.grad.numpy() for name, param in params.items()}


@pytest.mark.graded(part="1.1", points=0.5)
def test_seeded_initialisation_matches_the_reference_for_other_sizes_and_seeds(submission, reference):
    """Seeded initialisation matches the reference for other sizes and seeds, the handout's size (784, 128, 10) included."""
    assert_numpy_init_matches(submission.module("numpy_ann"), reference)
    D, H, C, seed = (int(v) for v in reference["init_large_config"])
    net = submission.module("numpy_ann").NumpyANN(D, H, C, 0.01, seed)
    W1 = net.W1
    assert_array(f"NumpyANN({D}, {H}, {C}, lr=0.01, seed={seed}).W1", W1, shape=(D, H))
    assert_array_close(f"first rows of NumpyANN({D}, {H}, {C}, lr=0.01, seed={seed}).W1", W1[:3], reference["init_large_W1_head"], rtol=1e-9, atol=0)
    assert_array_close(f"NumpyANN({D}, {H}, {C}, lr=0.01, seed={seed}).W2", net.W2, reference["init_large_W2"], rtol=1e-9, atol=0)


@pytest.mark.graded(part="1.1", points=0.5)
def test_the_same_seed_gives_the_same_weights_and_another_seed_other_weights(submission):
    """Two networks built with one seed have equal weights; a different seed changes them."""
    numpy_ann = submission.module("numpy_ann")
    first, again, other = (numpy_ann.NumpyANN(9, 4, 3, 0.01, seed) for seed in (3, 3, 4))
    for name in ("W1", "W2"):
        repeated = getattr(again, name)
        assert_array_close(f"{name} of a second NumpyANN with seed 3", repeated, getattr(first, name), rtol=0, atol=0)
        assert not np.array_equal(getattr(other, name), repeated), f"{name}: seeds 3 and 4 gave the same weights; the seed must be used"


@pytest.mark.graded(part="1.2", points=0.5)
def test_relu_works_on_vectors_and_matrices_of_other_shapes(submission, reference):
    """_relu keeps the shape and values of positive entries of a vector and of a matrix, zeros included."""
    net = submission.module("numpy_ann").NumpyANN(4, 3, 2, 0.01, 0)
    assert_array_close("_relu(vector)", net._relu(reference["relu_vector_x"]), reference["relu_vector_out"], rtol=0, atol=0)
    out = net._relu(reference["relu_x"])
    assert_array("_relu(matrix)", out, shape=reference["relu_x"].shape, kind="f")
    assert_array_close("_relu(matrix)", out, reference["relu_out"], rtol=0, atol=0)


@pytest.mark.graded(part="1.3", points=0.5)
def test_relu_grad_returns_a_float_array_of_zeros_and_ones_for_other_shapes(submission, reference):
    """_relu_grad returns a float array of the input's shape, 0 at x = 0 and -0.0, for vectors and matrices."""
    net = submission.module("numpy_ann").NumpyANN(4, 3, 2, 0.01, 0)
    for key, label in (("relu_vector", "_relu_grad(vector)"), ("relu", "_relu_grad(matrix)")):
        out = net._relu_grad(reference[f"{key}_x"])
        assert_array(label, out, shape=reference[f"{key}_x"].shape, kind="f")
        assert_array_close(label, out, reference[f"{key}_grad_out"], rtol=0, atol=0)


@pytest.mark.graded(part="1.4", points=0.25)
def test_cross_entropy_stays_finite_when_a_true_class_has_probability_zero(submission, reference):
    """_cross_entropy is finite (probabilities clipped) when the true class gets probability 0."""
    net = submission.module("numpy_ann").NumpyANN(4, 3, 2, 0.01, 0)
    value = as_float("_cross_entropy with a zero probability", net._cross_entropy(reference["ce_y_true"], reference["ce_zero_target_y_pred"]))
    assert np.isfinite(value), f"_cross_entropy with a zero probability for a true class: expected a finite loss, got {value}"
    assert value > float(reference["ce_value"]), (
        f"_cross_entropy with a zero probability for a true class: expected a large loss (above {float(reference['ce_value']):.4g}), got {value:.4g}"
    )


@pytest.mark.graded(part="1.4", points=0.25)
def test_cross_entropy_ignores_zero_probabilities_of_other_classes(submission, reference):
    """Zero probabilities of classes that are not the true one add nothing to _cross_entropy."""
    net = submission.module("numpy_ann").NumpyANN(4, 3, 2, 0.01, 0)
    value = net._cross_entropy(reference["ce_y_true"], reference["ce_zero_other_y_pred"])
    assert_float_close("_cross_entropy with zero probabilities for other classes", value, reference["ce_zero_other_value"])


@pytest.mark.graded(part="1.5", points=0.5)
def test_forward_in_training_mode_stores_z1_a1_z2_and_a2(submission, reference):
    """_forward(X, training=True) stores z1, a1, z2 and a2 equal to the reference's."""
    net = numpy_network(submission.module("numpy_ann"), reference_weights(reference, "net"), 0.1)
    net._forward(reference["forward_X"], True)
    for name in ("z1", "a1", "z2", "a2"):
        assert_array_close(f"self.{name} after _forward(X, True)", getattr(net, name), reference[f"forward_{name}"])


@pytest.mark.graded(part="1.5", points=0.5)
def test_forward_is_stable_for_logits_in_the_thousands(submission, reference):
    """_forward returns finite probabilities matching the reference when logits are in the thousands."""
    net = numpy_network(submission.module("numpy_ann"), reference_weights(reference, "net"), 0.1)
    probabilities = net._forward(reference["forward_large_X"], False)
    assert_array("_forward(X, False) with large logits", probabilities, shape=reference["forward_large_a2"].shape, kind="f")
    assert np.isfinite(probabilities).all(), "_forward with logits in the thousands returned nan or inf: subtract each row's maximum before exp"
    assert_array_close("_forward(X, False) with large logits", probabilities, reference["forward_large_a2"])


@pytest.mark.graded(part="1.6", points=0.5)
def test_backward_gradients_match_torch_autograd(submission):
    """_backward's gradients match torch autograd (float64) on another network size."""
    weights, X, Y = smooth_problem(seed=29, D=7, H=9, C=5, N=11)
    gradients = backward_step(submission.module("numpy_ann"), weights, X, Y, lr=1.0)
    expected = autograd_gradients(weights, X, Y)
    for name in WEIGHT_NAMES:
        assert_gradient_close(f"gradient of {name} (W before - W after one _backward with lr=1)", gradients[name], expected[name],
                              "torch autograd of the mean over N of -sum_c y log softmax")


@pytest.mark.graded(part="1.6", points=0.5)
def test_backward_steps_by_the_learning_rate_times_the_gradient(submission):
    """With lr = 0.37, _backward moves every weight by lr times the gradient."""
    weights, X, Y = smooth_problem(seed=31, D=5, H=6, C=3, N=9)
    steps = backward_step(submission.module("numpy_ann"), weights, X, Y, lr=0.37)
    expected = autograd_gradients(weights, X, Y)
    for name in WEIGHT_NAMES:
        assert_gradient_close(f"(W before - W after) / lr for {name} with lr=0.37", steps[name], expected[name],
                              "the gradient by torch autograd")


@pytest.mark.graded(part="1.7", points=0.5)
def test_train_steps_through_mini_batches_in_order_including_a_short_last_one(submission, reference):
    """train over several epochs of in-order mini-batches, the last one shorter, ends at the reference weights."""
    net = numpy_network(submission.module("numpy_ann"), reference_weights(reference, "net"), float(reference["train_batches_lr"]))
    epochs, batch_size = int(reference["train_batches_epochs"]), int(reference["train_batches_batch_size"])
    net.train(reference["train_batches_X"], reference["train_batches_Y"], reference["train_batches_X_val"], reference["train_batches_Y_val"],
              epochs, batch_size)
    for name in WEIGHT_NAMES:
        assert_array_close(f"{name} after {epochs} epochs of {len(reference['train_batches_X'])} rows in batches of {batch_size}",
                           getattr(net, name), reference[f"train_batches_{name}"])


@pytest.mark.graded(part="1.7", points=0.5)
def test_train_history_holds_the_reference_validation_loss_and_accuracy(submission, reference):
    """The history's validation loss and accuracy of every epoch equal the reference's."""
    net = numpy_network(submission.module("numpy_ann"), reference_weights(reference, "net"), float(reference["train_batches_lr"]))
    epochs = int(reference["train_batches_epochs"])
    history = net.train(reference["train_batches_X"], reference["train_batches_Y"], reference["train_batches_X_val"],
                        reference["train_batches_Y_val"], epochs, int(reference["train_batches_batch_size"]))
    metrics = assert_history(history, ("val_loss", "val_accuracy"), epochs)
    for key in ("val_loss", "val_accuracy"):
        assert_array_close(f"history[{key!r}]", np.array(metrics[key]), reference[f"train_batches_{key}"])


@pytest.mark.graded(part="1.8", points=0.5)
def test_predict_leaves_the_stored_training_values_unchanged(submission, reference):
    """predict (training=False) returns the probabilities without overwriting z1, a1, z2 or a2."""
    net = numpy_network(submission.module("numpy_ann"), reference_weights(reference, "net"), 0.1)
    net._forward(reference["forward_X"], True)
    stored = {name: getattr(net, name) for name in ("z1", "a1", "z2", "a2")}
    X = reference["backward_X"]
    probabilities = net.predict(X)
    assert_array_close("predict(X)", probabilities, mlp_forward(X, **reference_weights(reference, "net"))[3])
    for name, before in stored.items():
        assert_array_close(f"self.{name} after predict (must keep the value of the last training forward)", getattr(net, name), before, rtol=0, atol=0)


@pytest.mark.graded(part="1.9", points=1)
def test_accuracy_is_one_when_all_right_zero_when_all_wrong_and_exact_in_between(submission):
    """accuracy is 1.0 when every prediction is right, 0.0 when none is, and exact for a mixed set."""
    rng = np.random.default_rng(17)
    weights = {"W1": rng.normal(size=(6, 8)), "b1": rng.normal(size=(1, 8)), "W2": rng.normal(size=(8, 4)), "b2": rng.normal(size=(1, 4))}
    X = rng.normal(size=(13, 6))
    predicted = mlp_forward(X, **weights)[3].argmax(axis=1)
    net = numpy_network(submission.module("numpy_ann"), weights, 0.1)
    mixed = np.where(rng.random(13) < 0.6, predicted, (predicted + 1 + rng.integers(0, 3, 13)) % 4)
    for case, labels in (("all predictions right", predicted), ("all predictions wrong", (predicted + 2) % 4), ("a mixed set", mixed)):
        expected = float(np.mean(predicted == labels))
        assert_float_close(f"accuracy(X, y) with {case} ({round(expected * 13)} of 13)", net.accuracy(X, np.eye(4)[labels]), expected, rtol=0, atol=1e-12)
