"""Hidden tests of p1.py: finite differences, other sizes and seeds, large inputs, the MLP's other methods (parts 1a to 1d)."""

import numpy as np
import pytest

from autograder.assertions import as_float, assert_array, assert_array_close, assert_float_close, assert_gradient_close
from checks import (
    assert_backward_matches_finite_differences, assert_step_matches_the_reference, build_mlp, describe_network,
    elementwise_finite_difference, layer_shapes, mlp_output, read_layers, seed_worker_numpy, softmax_cross_entropy, toy_mlp, toy_problem,
    toy_problem_names,
)
from utils.gradient_check import numerical_gradient

FINITE_DIFFERENCES = "central finite differences of its own forward"


def assert_derivative_matches_finite_differences(p1, name, x):
    """``name``().derivative() after forward(x) matches central finite differences of its forward, entry by entry."""
    activation = getattr(p1, name)()
    expected = elementwise_finite_difference(activation.forward, x)
    activation.forward(x)
    assert_gradient_close(f"{name}().derivative() after forward(x)", activation.derivative(), expected, FINITE_DIFFERENCES)


@pytest.mark.graded(part="1a", points=0.5)
def test_sigmoid_derivative_matches_finite_differences(submission, reference):
    """Sigmoid's derivative matches central finite differences of Sigmoid.forward."""
    assert_derivative_matches_finite_differences(submission.module("p1"), "Sigmoid", reference["p1_act_x"])


@pytest.mark.graded(part="1a", points=0.25)
def test_tanh_derivative_matches_finite_differences(submission, reference):
    """Tanh's derivative matches central finite differences of Tanh.forward."""
    assert_derivative_matches_finite_differences(submission.module("p1"), "Tanh", reference["p1_act_x"])


@pytest.mark.graded(part="1a", points=0.25)
def test_relu_derivative_matches_finite_differences_away_from_zero_and_is_zero_at_zero(submission, reference):
    """ReLU's derivative matches finite differences where x != 0 and is 0 where x = 0 or -0.0."""
    p1 = submission.module("p1")
    x = reference["p1_act_x"]
    away = x[x != 0]
    assert_derivative_matches_finite_differences(p1, "ReLU", away)
    relu = p1.ReLU()
    relu.forward(x)
    derivative = relu.derivative()
    assert_array("ReLU().derivative() after forward(x)", derivative, shape=x.shape, kind="f")
    at_zero = derivative[x == 0]
    assert not at_zero.any(), f"ReLU().derivative() where x is 0 or -0.0: expected 0, got {at_zero.tolist()}"


@pytest.mark.graded(part="1a", points=0.5)
def test_activation_forward_passes_are_finite_and_saturate_for_inputs_up_to_1e4(submission, reference):
    """Sigmoid, Tanh and ReLU forward match the reference, finite, for inputs from -1e4 to 1e4."""
    p1 = submission.module("p1")
    x = reference["p1_act_large_x"]
    for name in ("Sigmoid", "Tanh", "ReLU"):
        out = getattr(p1, name)().forward(x)
        assert_array(f"{name}().forward(x) for x = {x.tolist()}", out, shape=x.shape, kind="f")
        assert np.isfinite(out).all(), f"{name}().forward(x) for x = {x.tolist()}: expected finite values, got {out.tolist()}"
        assert_array_close(f"{name}().forward(x) for x = {x.tolist()}", out, reference[f"p1_{name.lower()}_large_forward"], atol=1e-12)


@pytest.mark.graded(part="1b", points=1)
def test_softmax_cross_entropy_matches_the_reference_for_a_batch_of_one(submission, reference):
    """SoftmaxCrossEntropy's forward and derivative match the reference for a batch of one example of 5 classes."""
    criterion = submission.module("p1").SoftmaxCrossEntropy()
    logits, labels = reference["p1_ce_logits"], reference["p1_ce_labels"]
    assert_array_close(f"forward on logits {logits.shape}", criterion.forward(logits, labels), reference["p1_ce_loss"])
    assert_array_close(f"derivative() after forward on logits {logits.shape}", criterion.derivative(), reference["p1_ce_derivative"])


@pytest.mark.graded(part="1b", points=1)
def test_softmax_cross_entropy_derivative_matches_finite_differences(submission):
    """derivative() matches central finite differences of the summed per-example losses with respect to the logits."""
    rng = np.random.default_rng(41)
    logits, labels = rng.normal(0, 2, size=(6, 4)), np.eye(4)[rng.integers(0, 4, size=6)]
    criterion = submission.module("p1").SoftmaxCrossEntropy()
    criterion.forward(logits, labels)
    expected = numerical_gradient(lambda z: float(softmax_cross_entropy(z, labels).sum()), logits.copy())
    assert_gradient_close("SoftmaxCrossEntropy().derivative()", criterion.derivative(), expected,
                          "central finite differences of the sum over the batch of -sum_c y log softmax")


@pytest.mark.graded(part="1b", points=0.5)
def test_softmax_cross_entropy_derivative_is_exact_for_logits_of_1e4(submission, reference):
    """For logits of size 1e4 with ties, forward is finite and derivative() is the reference's softmax - labels."""
    criterion = submission.module("p1").SoftmaxCrossEntropy()
    loss = criterion.forward(reference["p1_ce_large_logits"], reference["p1_ce_large_labels"])
    assert_array_close("forward with logits of size 1e4", loss, reference["p1_ce_large_loss"])
    assert_array_close("derivative() after forward with logits of size 1e4", criterion.derivative(), reference["p1_ce_large_derivative"])


@pytest.mark.graded(part="1c", points=0.5)
def test_random_normal_weight_init_matches_the_reference_for_other_sizes_and_seeds(submission, reference):
    """After np.random.seed(s), random_normal_weight_init(d0, d1) equals the reference for other sizes and seeds."""
    p1 = submission.module("p1")
    for i in range(2):
        d0, d1, seed = (int(v) for v in reference[f"p1_init{i}_config"])
        seed_worker_numpy(p1, seed)
        assert_array_close(f"random_normal_weight_init({d0}, {d1}) after np.random.seed({seed})", p1.random_normal_weight_init(d0, d1),
                           reference[f"p1_init{i}"])


@pytest.mark.graded(part="1c", points=0.5)
def test_random_normal_weight_init_draws_standard_normal_values_from_the_global_generator(submission):
    """Draws follow numpy's global generator (a seed repeats them, the next call differs) with mean 0 and deviation 1."""
    p1 = submission.module("p1")
    seed_worker_numpy(p1, 5)
    first, second = p1.random_normal_weight_init(400, 250), p1.random_normal_weight_init(400, 250)
    seed_worker_numpy(p1, 5)
    repeated = p1.random_normal_weight_init(400, 250)
    assert_array("random_normal_weight_init(400, 250)", first, shape=(400, 250), kind="f")
    assert_array_close("random_normal_weight_init(400, 250) after the same seed again", repeated, first, rtol=0, atol=0)
    assert not np.array_equal(first, second), "two calls in a row gave the same weights: draw from the global generator without reseeding"
    assert abs(first.mean()) < 0.02 and abs(first.std() - 1) < 0.02, (
        f"random_normal_weight_init(400, 250): expected a standard normal sample (mean 0, deviation 1), "
        f"got mean {first.mean():.4f} and deviation {first.std():.4f}"
    )


@pytest.mark.graded(part="1d", points=0.5)
def test_mlp_of_the_trained_size_draws_the_reference_weights_after_seeding(submission, reference):
    """The 784-256-128-10 MLP built after np.random.seed(s) holds the reference's weights."""
    p1 = submission.module("p1")
    sizes, seed = [int(d) for d in reference["p1_seeded_large_sizes"]], int(reference["p1_seeded_large_seed"])
    seed_worker_numpy(p1, seed)
    mlp = build_mlp(p1, sizes, ["ReLU", "ReLU", "Identity"], 0.1)
    context = f"MLP of widths {sizes} built after np.random.seed({seed}) with weight_init_fn=np.random.randn"
    W = read_layers(mlp, "W", layer_shapes(sizes)["W"], context)
    assert_array_close(f"{context}: first rows of W[0]", W[0][:3], reference["p1_seeded_large_W0_head"])
    assert_array_close(f"{context}: first rows of W[1]", W[1][:3], reference["p1_seeded_large_W1_head"])
    assert_array_close(f"{context}: W[2]", W[2], reference["p1_seeded_large_W2"])


@pytest.mark.graded(part="1d", points=0.5)
def test_forward_matches_the_reference_for_other_sizes_and_activations(submission, reference):
    """MLP.forward returns the reference outputs for other networks of 0, 1, 2 and 5 hidden layers."""
    p1 = submission.module("p1")
    for name in toy_problem_names(reference):
        problem = toy_problem(reference, name)
        output = toy_mlp(p1, problem).forward(problem["X"])
        assert_array_close(f"{describe_network(problem)}: forward(X)", output, reference[f"p1_{name}_output"])


@pytest.mark.graded(part="1d", points=1)
def test_backward_gradients_match_finite_differences_for_relu_and_tanh_layers(submission):
    """backward's dW and db match central finite differences of the mean loss for a ReLU-Tanh network and a linear one."""
    p1 = submission.module("p1")
    assert_backward_matches_finite_differences(p1, 13, [5, 6, 4, 3], ["ReLU", "Tanh", "Identity"], 7)
    assert_backward_matches_finite_differences(p1, 17, [4, 3], ["Identity"], 5)


@pytest.mark.graded(part="1d", points=0.5)
def test_backward_gradients_match_finite_differences_for_sigmoid_layers(submission):
    """backward's dW and db match central finite differences of the mean loss for a network with Sigmoid layers."""
    assert_backward_matches_finite_differences(submission.module("p1"), 19, [4, 5, 6, 3], ["Sigmoid", "Sigmoid", "Identity"], 6)


@pytest.mark.graded(part="1d", points=0.5)
def test_one_training_step_matches_the_reference_without_sigmoid_layers(submission, reference):
    """forward, backward and step give the reference's dW, db, then W, b, for Identity, ReLU and Tanh networks."""
    p1 = submission.module("p1")
    for name in toy_problem_names(reference, sigmoid=False):
        assert_step_matches_the_reference(p1, reference, name)


@pytest.mark.graded(part="1d", points=0.5)
def test_one_training_step_matches_the_reference_with_sigmoid_layers(submission, reference):
    """forward, backward and step give the reference's dW, db, then W, b, for a 5-hidden-layer network with Sigmoid layers."""
    p1 = submission.module("p1")
    for name in toy_problem_names(reference, sigmoid=True):
        assert_step_matches_the_reference(p1, reference, name)


@pytest.mark.graded(part="1d", points=0.25)
def test_zero_grads_sets_every_gradient_to_zeros_of_its_shape(submission):
    """zero_grads replaces every dW[i] and db[i] by zeros of the parameter's shape."""
    sizes = [6, 5, 4, 3]
    shapes = layer_shapes(sizes)
    rng = np.random.default_rng(8)
    mlp = build_mlp(submission.module("p1"), sizes, ["Tanh", "ReLU", "Identity"], 0.1)
    mlp.dW = [rng.normal(size=shape) for shape in shapes["W"]]
    mlp.db = [rng.normal(size=shape) for shape in shapes["b"]]
    mlp.zero_grads()
    for attribute, key in (("dW", "W"), ("db", "b")):
        for i, value in enumerate(read_layers(mlp, attribute, shapes[key], "after zero_grads()")):
            assert not value.any(), f"after zero_grads(): {attribute}[{i}] should be zeros, got values up to {np.abs(value).max():g}"


@pytest.mark.graded(part="1d", points=0.5)
def test_get_loss_and_get_error_for_other_networks_and_all_right_or_all_wrong_labels(submission, reference):
    """get_loss and get_error match the reference for other networks; get_error is 0 when all are right and N when none is."""
    p1 = submission.module("p1")
    for name in toy_problem_names(reference):
        problem = toy_problem(reference, name)
        mlp = toy_mlp(p1, problem)
        mlp.forward(problem["X"])
        network = describe_network(problem)
        assert_float_close(f"{network}: get_loss(Y)", mlp.get_loss(problem["Y"]), reference[f"p1_{name}_loss"])
        predicted = mlp_output(problem["X"], problem["W"], problem["b"], problem["activations"]).argmax(axis=1)
        classes, n = problem["sizes"][-1], len(problem["X"])
        for case, labels, expected in (("all predictions right", predicted, 0), ("all predictions wrong", (predicted + 1) % classes, n),
                                       ("the reference labels", problem["Y"].argmax(axis=1), int(reference[f"p1_{name}_error"]))):
            error = as_float(f"{network}: get_error(Y)", mlp.get_error(np.eye(classes)[labels]))
            assert error == expected, f"{network}: get_error(Y) with {case}: expected {expected} of {n}, got {error:g}"


@pytest.mark.graded(part="1d", points=0.25)
def test_train_and_eval_switch_train_mode(submission):
    """eval() sets train_mode to False and train() sets it back to True."""
    mlp = build_mlp(submission.module("p1"), [4, 3, 2], ["ReLU", "Identity"], 0.1)
    for method, expected in (("eval", False), ("train", True), ("eval", False)):
        getattr(mlp, method)()
        mode = mlp.train_mode
        assert mode is expected, f"train_mode after {method}(): expected {expected}, got {mode!r}"


@pytest.mark.graded(part="1d", points=0.5)
def test_get_training_stats_records_four_curves_and_lowers_the_loss_on_a_learnable_problem(submission):
    """get_training_stats returns training and validation losses and errors, one per epoch, and training lowers the loss (10 classes)."""
    p1 = submission.module("p1")
    seed_worker_numpy(p1, 3)
    rng = np.random.default_rng(3)
    rule = rng.normal(size=(8, 10))
    X = rng.normal(size=(200, 8))
    y = (X @ rule).argmax(axis=1)
    mlp = build_mlp(p1, [8, 16, 10], ["ReLU", "Identity"], 0.1)
    mlp.W = [0.3 * rng.normal(size=(8, 16)), 0.3 * rng.normal(size=(16, 10))]
    epochs = 6
    stats = p1.get_training_stats(mlp, ((X[:150], y[:150]), (X[150:], y[150:]), (X[150:], y[150:])), epochs, 16)
    names = ("training_losses", "training_errors", "validation_losses", "validation_errors")
    assert isinstance(stats, (list, tuple)) and len(stats) >= 4, f"get_training_stats should return the four lists {names}, got {stats!r:.200}"
    curves = {}
    for name, values in zip(names, stats):
        assert isinstance(values, (list, tuple, np.ndarray)) and len(values) == epochs, (
            f"{name}: expected {epochs} values (one per epoch), got {values!r:.200}"
        )
        curves[name] = [as_float(f"{name}[{i}]", value) for i, value in enumerate(values)]
    for name in ("training_errors", "validation_errors"):
        assert all(0 <= value <= 1 for value in curves[name]), f"{name}: expected fractions in [0, 1], got {curves[name]}"
    for name in ("training_losses", "validation_losses"):
        assert all(value > 0 for value in curves[name]), f"{name}: expected positive losses, got {curves[name]}"
        assert curves[name][-1] < curves[name][0], f"{name} should fall over {epochs} epochs on a learnable problem, got {curves[name]}"
