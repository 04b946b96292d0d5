"""Hidden tests of answers.py: the written problems Q1 to Q3, one test per question or sub-question.

Every expected value is computed here, independently of the reference answers, with torch in float64:
autograd for derivatives, ``torch.nn.functional.conv2d`` for convolutions, ``torch.nn.Conv2d`` for
output sizes and parameter counts. Derivatives at a kink (z = 0 exactly) accept either one-sided
derivative, as the handout allows; the one-sided values are autograd's at z = -1e-300 and z = +1e-300.
Free-text answers (justifications, explanations) are collected for a person and score nothing here.
"""

import inspect

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.assertions import assert_array, assert_array_close, assert_float_close, collect_written_answer, describe

# Q3.1: the image and the filter of the handout, as read from its damaged text version (see answers.py).
X_Q3_1 = np.array([
    [8, 1, 7, -2, 5, 0],
    [-2, 1, 4, 6, 3, 3],
    [5, 1, 1, 3, -2, 6],
    [-1, 5, 0, 3, -2, 9],
    [8, -2, -1, -1, 4, 9],
    [-2, 0, -2, 9, -1, 7],
], dtype=float)
F_Q3_1 = np.array([
    [2, -1, 2, -1],
    [1, 3, 1, 3],
    [2, -1, 2, -1],
    [1, 3, 1, 3],
], dtype=float)
ALPHAS = (0.01, 0.2, 1.0)
ONE_SIDED = 1e-300
DERIVATIVE_RTOL, DERIVATIVE_ATOL = 1e-9, 1e-12
KINK_ATOL = 1e-9


@pytest.fixture
def answers(submission):
    """The submitted answers module (a proxy for the module in the worker)."""
    return submission.module("answers")


def as_bool(name, value):
    """``value`` as a Python bool; it must be one (True or False)."""
    assert isinstance(value, bool), f"{name}: expected a bool (True or False), got {describe(value)}"
    return value


def as_int(name, value):
    """``value`` as a Python int; it must be an integer (a float with an integer value is accepted)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    assert isinstance(value, int) and not isinstance(value, bool), f"{name}: expected an int, got {describe(value)}"
    return value


def as_float_array(name, value, shape):
    """``value`` as a float64 array of ``shape``; it must be a numeric array of that shape."""
    assert_array(name, value, shape=shape)
    assert value.dtype.kind in "biuf", f"{name}: expected numbers, got dtype {value.dtype}"
    return value.astype(np.float64)


def autograd_derivative(function, z):
    """d function(z) / dz at every entry of z (float array (N,)) by torch autograd in float64; returns an array (N,)."""
    inputs = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    function(inputs).sum().backward()
    return inputs.grad.numpy()


def one_sided_derivatives_at_zero(function):
    """(left, right) derivatives of ``function`` at z = 0: autograd's at z = -1e-300 and z = +1e-300."""
    values = autograd_derivative(function, np.array([-ONE_SIDED, ONE_SIDED]))
    return float(values[0]), float(values[1])


def activations():
    """{answer function name: (torch function of (z, alpha), whether it takes alpha)} for Q2.1 and Q2.2."""
    return {
        "relu": (lambda z, alpha: torch.relu(z), False),
        "leaky_relu": (lambda z, alpha: F.leaky_relu(z, negative_slope=alpha), True),
        "elu": (lambda z, alpha: F.elu(z, alpha=alpha), True),
    }


def assert_derivative_answer(answers, name):
    """Q2.1: ``<name>_derivative`` matches autograd at 200 random points, and a one-sided derivative at 0 and -0.0."""
    function, takes_alpha = activations()[name]
    z = np.random.default_rng(21).normal(0.0, 3.0, size=200)
    kinks = np.array([0.0, -0.0])
    for alpha in ALPHAS if takes_alpha else (None,):
        call = f"{name}_derivative(z, {alpha})" if takes_alpha else f"{name}_derivative(z)"
        arguments = (alpha,) if takes_alpha else ()
        answer = getattr(answers, f"{name}_derivative")(np.concatenate([z, kinks]), *arguments)
        answer = as_float_array(call, answer, (z.size + kinks.size,))
        expected = autograd_derivative(lambda t: function(t, alpha), z)
        assert_array_close(f"{call} at 200 random z != 0 (against torch autograd)", answer[:z.size], expected,
                           rtol=DERIVATIVE_RTOL, atol=DERIVATIVE_ATOL)
        left, right = one_sided_derivatives_at_zero(lambda t: function(t, alpha))
        for kink, value in zip(kinks, answer[z.size:]):
            assert min(abs(value - left), abs(value - right)) <= KINK_ATOL, (
                f"{call} at z = {kink}: expected the left ({left:g}) or the right ({right:g}) derivative, got {value:.10g}")


def assert_wx_gradient_answer(answers, name):
    """Q2.2: ``<name>_wx_gradient`` matches autograd of h = act(w^T x) for 50 random (w, x), and a one-sided value at w^T x = 0."""
    function, takes_alpha = activations()[name]
    rng = np.random.default_rng(22)
    for alpha in ALPHAS if takes_alpha else (None,):
        arguments = (alpha,) if takes_alpha else ()
        label = f"{name}_wx_gradient(w, x{', ' + str(alpha) if takes_alpha else ''})"
        for trial in range(50):
            w, x = rng.normal(size=5), rng.normal(size=5)
            weights = torch.tensor(w, dtype=torch.float64, requires_grad=True)
            function(weights @ torch.tensor(x, dtype=torch.float64), alpha).backward()
            answer = as_float_array(f"{label} for trial {trial}", getattr(answers, f"{name}_wx_gradient")(w, x, *arguments), (5,))
            assert_array_close(f"{label} with w = {w.tolist()}, x = {x.tolist()} (against torch autograd)", answer, weights.grad.numpy(),
                               rtol=DERIVATIVE_RTOL, atol=DERIVATIVE_ATOL)
        w, x = np.array([1.0, 1.0, 2.0, 0.0, -1.0]), np.array([2.0, -2.0, 0.5, 3.0, 1.0])
        left, right = one_sided_derivatives_at_zero(lambda t: function(t, alpha))
        answer = as_float_array(f"{label} at w^T x = 0", getattr(answers, f"{name}_wx_gradient")(w, x, *arguments), (5,))
        assert np.allclose(answer, left * x, atol=KINK_ATOL) or np.allclose(answer, right * x, atol=KINK_ATOL), (
            f"{label} with w = {w.tolist()}, x = {x.tolist()} (w^T x = 0): expected the left ({(left * x).tolist()}) "
            f"or the right ({(right * x).tolist()}) derivative, got {answer.tolist()}")


# ---------------------------------------------------------------- Q1


@pytest.mark.graded(part="Q1", points=1)
def test_q1_1_sigmoid_activations_are_bounded(answers):
    """Q1.1 true or false: sigmoid activations always lie between 0 and 1."""
    values = torch.sigmoid(torch.linspace(-1000.0, 1000.0, 20001, dtype=torch.float64))
    expected = bool(((values >= 0) & (values <= 1)).all())
    answer = as_bool("q1_1_sigmoid_activations_are_bounded_by_0_and_1()", answers.q1_1_sigmoid_activations_are_bounded_by_0_and_1())
    assert answer == expected, (f"Q1.1: expected {expected} (torch.sigmoid stays in [0, 1] from z = -1000 to 1000), got {answer}")


@pytest.mark.graded(part="Q1", points=2)
def test_q1_2_sigmoid_slope_against_tanh_slope_near_0(answers):
    """Q1.2 true or false: near 0 the sigmoid's derivative is greater than tanh's."""
    z = np.linspace(-0.1, 0.1, 201)
    sigmoid_slope, tanh_slope = autograd_derivative(torch.sigmoid, z), autograd_derivative(torch.tanh, z)
    expected = bool(np.all(sigmoid_slope > tanh_slope))
    answer = as_bool("q1_2_sigmoid_slope_exceeds_tanh_slope_near_0()", answers.q1_2_sigmoid_slope_exceeds_tanh_slope_near_0())
    assert answer == expected, (f"Q1.2: expected {expected} (autograd at 0: sigmoid' = {sigmoid_slope[100]:g}, "
                                f"tanh' = {tanh_slope[100]:g}), got {answer}")


@pytest.mark.graded(part="Q1", points=1)
def test_q1_3_fully_connected_neurons_do_not_share_weights(answers):
    """Q1.3 true or false: all neurons of a fully connected layer share one set of weights."""
    torch.manual_seed(0)
    layer = torch.nn.Linear(4, 3, dtype=torch.float64)
    x = torch.randn(4, dtype=torch.float64)
    jacobian = torch.autograd.functional.jacobian(lambda weight: F.linear(x, weight, layer.bias), layer.weight.detach())
    expected = bool(torch.equal(jacobian[0], jacobian[1]))
    answer = as_bool("q1_3_fully_connected_neurons_share_weights()", answers.q1_3_fully_connected_neurons_share_weights())
    assert answer == expected, (f"Q1.3: expected {expected} (in torch.nn.Linear, neuron 0's output depends on row 0 of the weight "
                                f"matrix only, neuron 1's on row 1), got {answer}")


@pytest.mark.graded(part="written", points=0)
def test_q1_1_justification_is_collected(answers, record_property):
    """Q1.1 justification (collected for a person to grade)."""
    collect_written_answer("Q1.1 justification", answers.q1_1_justification(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_q1_2_justification_is_collected(answers, record_property):
    """Q1.2 justification (collected for a person to grade)."""
    collect_written_answer("Q1.2 justification", answers.q1_2_justification(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_q1_3_justification_is_collected(answers, record_property):
    """Q1.3 justification (collected for a person to grade)."""
    collect_written_answer("Q1.3 justification", answers.q1_3_justification(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_q2_4_explanation_is_collected(answers, record_property):
    """Q2.4 explanation (collected for a person to grade)."""
    collect_written_answer("Q2.4 explanation", answers.q2_4_explanation(), record_property)


# ---------------------------------------------------------------- Q2


@pytest.mark.graded(part="Q2.1", points=2)
def test_q2_1_relu_derivative(answers):
    """Q2.1 derivative of ReLU: against autograd at 200 random points (rtol 1e-9), either one-sided value at 0."""
    assert_derivative_answer(answers, "relu")


@pytest.mark.graded(part="Q2.1", points=2)
def test_q2_1_leaky_relu_derivative(answers):
    """Q2.1 derivative of leaky ReLU: against autograd for alpha 0.01, 0.2, 1 (rtol 1e-9), either one-sided value at 0."""
    assert_derivative_answer(answers, "leaky_relu")


@pytest.mark.graded(part="Q2.1", points=2)
def test_q2_1_elu_derivative(answers):
    """Q2.1 derivative of ELU: against autograd for alpha 0.01, 0.2, 1 (rtol 1e-9), either one-sided value at 0."""
    assert_derivative_answer(answers, "elu")


@pytest.mark.graded(part="Q2.2", points=2)
def test_q2_2a_relu_wx_gradient(answers):
    """Q2.2(a) d relu(w^T x) / dw_j: against autograd for 50 random (w, x) (rtol 1e-9), either one-sided value at w^T x = 0."""
    assert_wx_gradient_answer(answers, "relu")


@pytest.mark.graded(part="Q2.2", points=2)
def test_q2_2b_leaky_relu_wx_gradient(answers):
    """Q2.2(b) d leaky_relu(w^T x) / dw_j: against autograd for 50 random (w, x) per alpha (rtol 1e-9), either one-sided value at 0."""
    assert_wx_gradient_answer(answers, "leaky_relu")


@pytest.mark.graded(part="Q2.2", points=2)
def test_q2_2c_elu_wx_gradient(answers):
    """Q2.2(c) d elu(w^T x) / dw_j: against autograd for 50 random (w, x) per alpha (rtol 1e-9), either one-sided value at 0."""
    assert_wx_gradient_answer(answers, "elu")


@pytest.mark.graded(part="Q2.3", points=4)
def test_q2_3_dead_relu_condition(answers):
    """Q2.3 dead ReLU neuron: relu_neuron_is_dead(X, w, b) agrees with autograd on 30 cases; either answer when max w^T x_i + b = 0."""
    rng = np.random.default_rng(23)
    for case in range(30):
        X, w = rng.normal(size=(20, 4)), rng.normal(size=4)
        top = float(np.max(X @ w))
        b = [-top - 0.5, -top + 0.5, float(rng.normal())][case % 3]
        weights = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        bias = torch.tensor(b, dtype=torch.float64, requires_grad=True)
        torch.relu(torch.tensor(X, dtype=torch.float64) @ weights + bias).sum().backward()
        expected = bool((weights.grad == 0).all() and bias.grad == 0)
        answer = as_bool(f"relu_neuron_is_dead(X, w, b) for case {case}", answers.relu_neuron_is_dead(X, w, b))
        assert answer == expected, (f"relu_neuron_is_dead(X, w, b) with X of shape {X.shape}, w = {w.tolist()}, b = {b:.6g} "
                                    f"(largest w^T x_i + b = {top + b:.6g}): expected {expected} (autograd's gradient of the "
                                    f"neuron's outputs with respect to w and b is {'zero' if expected else 'not zero'}), got {answer}")
    X, w = rng.normal(size=(20, 4)), rng.normal(size=4)
    as_bool("relu_neuron_is_dead(X, w, b) when the largest w^T x_i + b is exactly 0",
            answers.relu_neuron_is_dead(X, w, -float(np.max(X @ w))))


@pytest.mark.graded(part="Q2.4", points=1)
def test_q2_4_leaky_relu_and_elu_neurons_cannot_die(answers):
    """Q2.4 can leaky ReLU and ELU neurons die like ReLU neurons?"""
    z = np.linspace(-50.0, 50.0, 10001)
    slopes = [autograd_derivative(lambda t, a=alpha, f=function: f(t, a), z)
              for alpha in ALPHAS for name, (function, takes_alpha) in activations().items() if takes_alpha]
    expected = bool(any((slope == 0).any() for slope in slopes))
    answer = as_bool("q2_4_leaky_relu_and_elu_neurons_can_die()", answers.q2_4_leaky_relu_and_elu_neurons_can_die())
    smallest = min(float(np.min(slope)) for slope in slopes)
    assert answer == expected, (f"Q2.4: expected {expected} (autograd: the smallest derivative of leaky ReLU and ELU for z "
                                f"from -50 to 50 and alpha in {ALPHAS} is {smallest:.3g}), got {answer}")


# ---------------------------------------------------------------- Q3.1


def expected_q3_1a_output():
    """Y of Q3.1(a) by torch.nn.functional.conv2d (cross-correlation), zero padding 1, stride 1: an array (5, 5)."""
    image = torch.tensor(X_Q3_1)[None, None]
    kernel = torch.tensor(F_Q3_1)[None, None]
    return F.conv2d(image, kernel, padding=1, stride=1)[0, 0].numpy()


@pytest.mark.graded(part="Q3.1", points=1)
def test_q3_1a_value_of_e(answers):
    """Q3.1(a) value of e (row 0, column 4 of Y), within 1e-6."""
    assert_float_close("q3_1a_e()", answers.q3_1a_e(), expected_q3_1a_output()[0, 4], rtol=0, atol=1e-6)


@pytest.mark.graded(part="Q3.1", points=1)
def test_q3_1a_value_of_v(answers):
    """Q3.1(a) value of v (row 4, column 1 of Y), within 1e-6."""
    assert_float_close("q3_1a_v()", answers.q3_1a_v(), expected_q3_1a_output()[4, 1], rtol=0, atol=1e-6)


@pytest.mark.graded(part="Q3.1", points=2)
def test_q3_1a_whole_output(answers):
    """Q3.1(a) the whole output Y (5 x 5), each entry within 1e-6."""
    assert_array_close("q3_1a_output()", as_float_array("q3_1a_output()", answers.q3_1a_output(), (5, 5)),
                       expected_q3_1a_output(), rtol=0, atol=1e-6)


@pytest.mark.graded(part="Q3.1", points=4)
def test_q3_1b_output_size(answers):
    """Q3.1(b) output size of a 6x6 filter on a 10x12 input, padding 2, stride 2 (height, width)."""
    expected = tuple(F.conv2d(torch.zeros(1, 1, 10, 12), torch.zeros(1, 1, 6, 6), padding=2, stride=2).shape[-2:])
    answer = answers.q3_1b_output_size()
    assert isinstance(answer, (tuple, list)) and len(answer) == 2, f"q3_1b_output_size(): expected a tuple (height, width), got {describe(answer)}"
    answer = tuple(as_int(f"q3_1b_output_size()[{i}]", value) for i, value in enumerate(answer))
    assert answer == expected, f"Q3.1(b): expected {expected[0]} x {expected[1]} (height x width), got {answer[0]} x {answer[1]}"


# ---------------------------------------------------------------- Q3.2


def chosen_options(name, value, allowed):
    """The set of options a select-all answer names; ``value`` must be a list (or tuple) of strings from ``allowed``."""
    assert isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value), (
        f"{name}: expected a list of strings from {sorted(allowed)}, got {describe(value)}")
    chosen = {item.strip() for item in value}
    unknown = sorted(chosen - set(allowed))
    assert not unknown, f"{name}: expected options from {sorted(allowed)}, got unknown ones {unknown}"
    return chosen


def filter_size_keeping_32(padding):
    """The n for which an n x n filter, stride 1, keeps a 32x32 input at 32x32 with ``padding``: found with torch."""
    image = torch.zeros(1, 1, 32, 32)
    return next(n for n in range(1, 40) if F.conv2d(image, torch.zeros(1, 1, n, n), padding=padding).shape[-1] == 32)


@pytest.mark.graded(part="Q3.2", points=4)
def test_q3_2a_filter_size_options(answers):
    """Q3.2(a) which statements on the filter size n hold (select all that apply)."""
    n, n_doubled = filter_size_keeping_32(2), filter_size_keeping_32(4)
    holds = {"A": n == 4, "B": n == 5, "C": n_doubled == 10, "D": n_doubled == 9}
    expected = {letter for letter, true in holds.items() if true}
    answer = chosen_options("q3_2a_true_options()", answers.q3_2a_true_options(), holds)
    assert answer == expected, (f"Q3.2(a): expected the options {sorted(expected)} (n = {n} with padding 2, n = {n_doubled} "
                                f"with padding 4), got {sorted(answer)}")


@pytest.mark.graded(part="Q3.2", points=6)
def test_q3_2b_hyperparameters(answers):
    """Q3.2(b) which options are hyper-parameters of a convolutional layer (select all that apply)."""
    constructor_arguments = set(inspect.signature(torch.nn.Conv2d).parameters)
    learned = {name for name, _ in torch.nn.Conv2d(1, 1, 3).named_parameters()}
    as_torch = {"stride size": "stride", "padding size": "padding", "image size": "image_size", "filter size": "kernel_size",
                "weights in the filter": "weight"}
    expected = {option for option, name in as_torch.items() if name in constructor_arguments and name not in learned}
    expected = expected or {"none of the above"}
    answer = chosen_options("q3_2b_hyperparameters()", answers.q3_2b_hyperparameters(), list(as_torch) + ["none of the above"])
    assert answer == expected, (f"Q3.2(b): expected {sorted(expected)} (what torch.nn.Conv2d is built with, not what it learns: "
                                f"{sorted(learned)}), got {sorted(answer)}")


def parameter_count(module):
    """Number of learned parameters of a torch module."""
    return sum(parameter.numel() for parameter in module.parameters())


@pytest.mark.graded(part="Q3.2", points=2)
def test_q3_2c_parameters_with_and_without_bias(answers):
    """Q3.2(c) parameters of one 3x3 filter on 12x12 colour (RGB) images, with and without bias."""
    expected = tuple(parameter_count(torch.nn.Conv2d(3, 1, 3, stride=1, padding=2, bias=bias)) for bias in (True, False))
    answer = answers.q3_2c_parameters()
    assert isinstance(answer, (tuple, list)) and len(answer) == 2, f"q3_2c_parameters(): expected a tuple (with bias, without bias), got {describe(answer)}"
    answer = tuple(as_int(f"q3_2c_parameters()[{i}]", value) for i, value in enumerate(answer))
    assert answer == expected, f"Q3.2(c): expected {expected[0]} with the bias and {expected[1]} without, got {answer[0]} and {answer[1]}"


@pytest.mark.graded(part="Q3.2", points=2)
def test_q3_2d_parameters_of_4x4_filters_on_40x40x1(answers):
    """Q3.2(d) parameters of K 4x4 filters with bias on a 40x40x1 input, for K = 1, 2, 4 and 8."""
    for filters in (1, 2, 4, 8):
        expected = parameter_count(torch.nn.Conv2d(1, filters, 4, stride=2))
        answer = as_int(f"q3_2d_parameters({filters})", answers.q3_2d_parameters(filters))
        assert answer == expected, f"Q3.2(d): expected {expected} parameters for {filters} filters, got {answer}"


@pytest.mark.graded(part="Q3.2", points=6)
def test_q3_2e_parameters_of_two_stacked_layers(answers):
    """Q3.2(e) total parameters of four 6x6 filters then three 3x3 filters, with bias, on 28x28x1 images."""
    layers = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 6, stride=2, padding=2), torch.nn.Conv2d(4, 3, 3, stride=1))
    layers(torch.zeros(1, 1, 28, 28))
    expected = parameter_count(layers)
    answer = as_int("q3_2e_parameters()", answers.q3_2e_parameters())
    assert answer == expected, f"Q3.2(e): expected {expected} parameters, got {answer}"
