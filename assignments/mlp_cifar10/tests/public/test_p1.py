"""Public tests of p1.py: activations, softmax cross-entropy, initialisation and the MLP (parts 1a to 1d)."""

import numpy as np
import pytest

from autograder.assertions import as_float, assert_array, assert_array_close, assert_float_close, describe
from checks import (
    assert_backward_matches_the_reference, build_mlp, describe_network, layer_shapes, mlp_holding, read_layers, seed_worker_numpy,
    toy_mlp, toy_problem, toy_problem_names,
)

MODEL_CHECK_FILE = "check_model.npz"


def assert_activation_derivative(p1, reference, name):
    """``name``().derivative() after forward(p1_act_x) is the reference's."""
    activation = getattr(p1, name)()
    activation.forward(reference["p1_act_x"])
    assert_array_close(f"{name}().derivative() after forward(x)", activation.derivative(), reference[f"p1_{name.lower()}_derivative"])


@pytest.mark.graded(part="1a", points=0.5)
def test_activation_forward_passes_match_the_reference_and_are_kept_as_state(submission, reference):
    """Sigmoid, Tanh and ReLU forward return the reference values and keep them in self.state."""
    p1 = submission.module("p1")
    for name in ("Sigmoid", "Tanh", "ReLU"):
        activation = getattr(p1, name)()
        expected = reference[f"p1_{name.lower()}_forward"]
        assert_array_close(f"{name}().forward(x)", activation.forward(reference["p1_act_x"]), expected)
        assert_array_close(f"{name}().state after forward(x)", activation.state, expected)


@pytest.mark.graded(part="1a", points=0.25)
def test_sigmoid_derivative_matches_the_reference(submission, reference):
    """Sigmoid's derivative is state * (1 - state) at the last forward's input."""
    assert_activation_derivative(submission.module("p1"), reference, "Sigmoid")


@pytest.mark.graded(part="1a", points=0.25)
def test_tanh_derivative_matches_the_reference(submission, reference):
    """Tanh's derivative is 1 - state^2 at the last forward's input."""
    assert_activation_derivative(submission.module("p1"), reference, "Tanh")


@pytest.mark.graded(part="1a", points=0.5)
def test_relu_derivative_is_one_for_positive_inputs_and_zero_elsewhere_including_zero(submission, reference):
    """ReLU's derivative is 1 where the input was > 0 and 0 where it was <= 0 (0 and -0.0 included)."""
    assert_activation_derivative(submission.module("p1"), reference, "ReLU")


@pytest.mark.graded(part="1b", points=1)
def test_softmax_cross_entropy_forward_returns_the_loss_of_every_example(submission, reference):
    """SoftmaxCrossEntropy.forward returns the (N,) per-example losses of the reference."""
    criterion = submission.module("p1").SoftmaxCrossEntropy()
    loss = criterion.forward(reference["p1_ce_logits"], reference["p1_ce_labels"])
    assert_array_close("SoftmaxCrossEntropy().forward(logits, labels)", loss, reference["p1_ce_loss"])


@pytest.mark.graded(part="1b", points=1)
def test_softmax_cross_entropy_derivative_is_softmax_minus_labels(submission, reference):
    """SoftmaxCrossEntropy.derivative returns softmax(logits) - labels (N, C), not divided by N."""
    criterion = submission.module("p1").SoftmaxCrossEntropy()
    criterion.forward(reference["p1_ce_logits"], reference["p1_ce_labels"])
    assert_array_close("SoftmaxCrossEntropy().derivative() after forward", criterion.derivative(), reference["p1_ce_derivative"])


@pytest.mark.graded(part="1b", points=0.5)
def test_softmax_cross_entropy_is_finite_and_exact_for_logits_of_1e4(submission, reference):
    """SoftmaxCrossEntropy.forward stays finite and exact for logits of size 1e4 (a stable log-softmax)."""
    criterion = submission.module("p1").SoftmaxCrossEntropy()
    loss = criterion.forward(reference["p1_ce_large_logits"], reference["p1_ce_large_labels"])
    assert_array("forward with logits of size 1e4", loss, shape=reference["p1_ce_large_loss"].shape, kind="f")
    assert np.isfinite(loss).all(), (
        f"forward with logits of size 1e4 returned {loss}: compute log softmax as (z - max) - log(sum exp(z - max))"
    )
    assert_array_close("forward with logits of size 1e4", loss, reference["p1_ce_large_loss"])


@pytest.mark.graded(part="1c", points=0.5)
def test_random_normal_weight_init_after_seeding_matches_the_reference(submission, reference):
    """After np.random.seed(s), random_normal_weight_init(d0, d1) returns np.random.randn(d0, d1)."""
    p1 = submission.module("p1")
    for i in range(2):
        d0, d1, seed = (int(v) for v in reference[f"p1_init{i}_config"])
        seed_worker_numpy(p1, seed)
        weights = p1.random_normal_weight_init(d0, d1)
        assert_array(f"random_normal_weight_init({d0}, {d1})", weights, shape=(d0, d1), kind="f")
        assert_array_close(f"random_normal_weight_init({d0}, {d1}) after np.random.seed({seed})", weights, reference[f"p1_init{i}"])


@pytest.mark.graded(part="1c", points=0.5)
def test_zeros_bias_init_returns_a_float_vector_of_zeros(submission):
    """zeros_bias_init(d) returns a float vector of d zeros, of shape (d,)."""
    p1 = submission.module("p1")
    for d in (1, 7, 128):
        bias = p1.zeros_bias_init(d)
        assert_array(f"zeros_bias_init({d})", bias, shape=(d,), kind="f")
        assert not bias.any(), f"zeros_bias_init({d}): expected zeros, got values up to {np.abs(bias).max():g}"


@pytest.mark.graded(part="1d", points=0.5)
def test_mlp_creates_weights_biases_and_zero_gradients_of_the_documented_shapes(submission):
    """MLP builds W[i] (d_i, d_i+1), b[i] (d_i+1,) and zero dW, db for 0, 1, 2 and 5 hidden layers."""
    p1 = submission.module("p1")
    for sizes in ([7, 3], [7, 4, 3], [8, 5, 6, 2], [6, 5, 4, 6, 3, 5, 4]):
        activations = ["ReLU"] * (len(sizes) - 2) + ["Identity"]
        mlp = build_mlp(p1, sizes, activations, 0.1)
        context = f"MLP({sizes[0]}, {sizes[-1]}, hiddens={sizes[1:-1]})"
        shapes = layer_shapes(sizes)
        for attribute, key in (("W", "W"), ("b", "b"), ("dW", "W"), ("db", "b")):
            arrays = read_layers(mlp, attribute, shapes[key], context)
            if attribute != "W":
                for i, array in enumerate(arrays):
                    assert not array.any(), f"{context}: {attribute}[{i}] should start at zero, got values up to {np.abs(array).max():g}"
        train_mode = mlp.train_mode
        assert train_mode is True, f"{context}: train_mode should be True after construction, got {train_mode!r}"


@pytest.mark.graded(part="1d", points=0.5)
def test_mlp_draws_the_weights_in_layer_order_with_the_init_function(submission, reference):
    """After np.random.seed(s), MLP's W[0], W[1], ... are weight_init_fn's draws in layer order."""
    p1 = submission.module("p1")
    sizes, seed = [int(d) for d in reference["p1_seeded_sizes"]], int(reference["p1_seeded_seed"])
    seed_worker_numpy(p1, seed)
    mlp = build_mlp(p1, sizes, ["ReLU"] * (len(sizes) - 2) + ["Identity"], 0.1)
    context = f"MLP of widths {sizes} built after np.random.seed({seed}) with weight_init_fn=np.random.randn"
    for i, weights in enumerate(read_layers(mlp, "W", layer_shapes(sizes)["W"], context)):
        assert_array_close(f"{context}: W[{i}]", weights, reference[f"p1_seeded_W{i}"])


@pytest.mark.graded(part="1d", points=1)
def test_forward_matches_the_reference_with_0_1_2_and_5_hidden_layers(submission, reference):
    """MLP.forward returns the reference outputs (N, C) for networks of 0, 1, 2 and 5 hidden layers."""
    p1 = submission.module("p1")
    for name in toy_problem_names(reference):
        problem = toy_problem(reference, name)
        output = toy_mlp(p1, problem).forward(problem["X"])
        assert_array_close(f"{describe_network(problem)}: forward(X)", output, reference[f"p1_{name}_output"])


@pytest.mark.graded(part="1d", points=0.75)
def test_backward_gradients_match_the_reference_without_sigmoid_layers(submission, reference):
    """backward's dW and db match the reference for networks of Identity, ReLU and Tanh layers."""
    p1 = submission.module("p1")
    for name in toy_problem_names(reference, sigmoid=False):
        assert_backward_matches_the_reference(p1, reference, name)


@pytest.mark.graded(part="1d", points=0.75)
def test_backward_gradients_match_the_reference_with_sigmoid_layers(submission, reference):
    """backward's dW and db match the reference for networks with Sigmoid layers (2 and 5 hidden layers)."""
    p1 = submission.module("p1")
    for name in toy_problem_names(reference, sigmoid=True):
        assert_backward_matches_the_reference(p1, reference, name)


@pytest.mark.graded(part="1d", points=0.5)
def test_step_moves_every_parameter_by_minus_lr_times_its_gradient(submission):
    """step sets W[i] to W[i] - lr dW[i] and b[i] to b[i] - lr db[i] for every layer."""
    rng = np.random.default_rng(3)
    sizes, lr = [5, 4, 3, 2], 0.3
    shapes = layer_shapes(sizes)
    W, dW = ([rng.normal(size=shape) for shape in shapes["W"]] for _ in range(2))
    b, db = ([rng.normal(size=shape) for shape in shapes["b"]] for _ in range(2))
    mlp = mlp_holding(submission.module("p1"), sizes, ["ReLU", "Tanh", "Identity"], lr, W, b)
    mlp.dW, mlp.db = dW, db
    mlp.step()
    context = f"after step() with lr={lr:g} and given dW, db"
    for attribute, before, gradient in (("W", W, dW), ("b", b, db)):
        for i, value in enumerate(read_layers(mlp, attribute, shapes[attribute], context)):
            assert_array_close(f"{context}: {attribute}[{i}]", value, before[i] - lr * gradient[i])


@pytest.mark.graded(part="1d", points=0.5)
def test_get_loss_and_get_error_match_the_reference(submission, reference):
    """After forward(X), get_loss(Y) is the mean per-example loss and get_error(Y) the number of wrong predictions."""
    p1 = submission.module("p1")
    for name in toy_problem_names(reference):
        problem = toy_problem(reference, name)
        mlp = toy_mlp(p1, problem)
        mlp.forward(problem["X"])
        network = describe_network(problem)
        assert_float_close(f"{network}: get_loss(Y) after forward(X)", mlp.get_loss(problem["Y"]), reference[f"p1_{name}_loss"])
        error = as_float(f"{network}: get_error(Y)", mlp.get_error(problem["Y"]))
        expected = int(reference[f"p1_{name}_error"])
        assert error == expected, (
            f"{network}: get_error(Y) after forward(X) on {len(problem['X'])} examples: expected {expected} wrong predictions, got {error:g}"
        )


@pytest.mark.graded(part="1d", points=0.5)
def test_save_model_writes_the_weights_biases_and_activation_names(submission, reference):
    """save_model writes an .npz with W0.., b0.. and the activation class names (the p1_model.npz format)."""
    p1 = submission.module("p1")
    name = toy_problem_names(reference)[-1]
    problem = toy_problem(reference, name)
    toy_mlp(p1, problem).save_model(MODEL_CHECK_FILE)
    stored = submission.introspect("npz_arrays", MODEL_CHECK_FILE)
    layers = len(problem["activations"])
    expected = {f"W{i}": problem["W"][i] for i in range(layers)}
    expected.update({f"b{i}": problem["b"][i] for i in range(layers)})
    expected["activations"] = np.array(problem["activations"])
    assert sorted(stored) == sorted(expected), (
        f"save_model({MODEL_CHECK_FILE!r}) of a {describe_network(problem)}: expected the arrays {sorted(expected)}, got {sorted(stored)}"
    )
    for key in sorted(expected):
        if key == "activations":
            names = stored[key]
            assert names.dtype.kind == "U" and names.tolist() == problem["activations"], (
                f"the saved 'activations': expected the string array {problem['activations']}, got {describe(names)}: {names.tolist()}"
            )
        else:
            assert_array_close(f"the saved {key!r}", stored[key], expected[key])
