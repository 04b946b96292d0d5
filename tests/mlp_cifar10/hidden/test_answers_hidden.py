"""Hidden tests of answers.py: theory exercises 1 to 4, one test per question or sub-question.

Every expected value is computed here, independently of the reference answers, with torch in float64:
autograd for GELU's derivative and the back-propagation gradients, ``torch.nn.functional.conv2d`` and
``avg_pool2d`` for problem 4. The logic-gate networks are run here, on the whole truth table, from the
weights the submission returns. Free-text answers are collected for a person and score nothing here.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.assertions import as_float, assert_array, assert_array_close, collect_written_answer, describe

# Problem 4: the feature map and filters that answers.py states for the handout's Fig. 5.
FEATURE_MAP_P4 = np.array([
    [3, 1, 0, 2],
    [1, 4, 2, 1],
    [0, 2, 5, 1],
    [2, 1, 1, 3],
], dtype=float)
FILTER1_P4 = np.array([
    [1, 0, -1],
    [2, 0, -2],
    [1, 0, -1],
], dtype=float)
FILTER2_P4 = np.array([
    [1, -1],
    [-1, 1],
], dtype=float)
GD_RTOL, GD_ATOL = 1e-6, 1e-12
GRADIENT_RTOL, GRADIENT_ATOL = 1e-6, 1e-9
MAP_ATOL = 1e-6
GATES = {
    "AND": lambda a, b: a & b,
    "OR": lambda a, b: a | b,
    "XOR": lambda a, b: a ^ b,
    "XNOR": lambda a, b: 1 - (a ^ b),
}
TRUTH_TABLE_INPUTS = [(0, 0), (0, 1), (1, 0), (1, 1)]


@pytest.fixture
def answers(submission):
    """The submitted answers module (a proxy for the module in the worker)."""
    return submission.module("answers")


def as_float_array(name, value, shape):
    """``value`` as a float64 array of ``shape``; it must be a numeric array of that shape."""
    assert_array(name, value, shape=shape)
    assert value.dtype.kind in "biuf", f"{name}: expected numbers, got dtype {value.dtype}"
    return value.astype(np.float64)


def as_int(name, value):
    """``value`` as a Python int; it must be an integer (a float with an integer value is accepted)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    assert isinstance(value, int) and not isinstance(value, bool), f"{name}: expected an int, got {describe(value)}"
    return value


def pair(name, value):
    """``value`` as a 2-tuple; it must be a tuple or list of two items."""
    assert isinstance(value, (tuple, list)) and len(value) == 2, f"{name}: expected a tuple of two items, got {describe(value)}"
    return tuple(value)


# ---------------------------------------------------------------- Problem 1


def torch_gelu(x):
    """GELU's approximation x sigmoid(1.702 x) of a float64 tensor."""
    return x * torch.sigmoid(1.702 * x)


def autograd_gelu_slope(x):
    """d GELU / dx at the float ``x`` by torch autograd (float64)."""
    point = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch_gelu(point).backward()
    return float(point.grad)


def expected_descent(x0, eta, beta=None):
    """(iterates (3,), GELU values (3,)) of three steps from x0; with ``beta``, the handout's momentum rule (Eq. 5)."""
    x, velocity, iterates = x0, autograd_gelu_slope(x0), []
    for _ in range(3):
        slope = autograd_gelu_slope(x)
        if beta is None:
            x = x - eta * slope
        else:
            velocity = beta * velocity + (1 - beta) * slope
            x = x - eta * velocity
        iterates.append(x)
    return np.array(iterates), torch_gelu(torch.tensor(iterates, dtype=torch.float64)).numpy()


def assert_descent_answer(answers, function, x0, eta, beta=None):
    """``function``() returns the iterates and GELU values of ``expected_descent(x0, eta, beta)`` within GD_RTOL."""
    iterates, values = pair(f"{function}()", getattr(answers, function)())
    expected_iterates, expected_values = expected_descent(x0, eta, beta)
    setting = f"x0 = {x0:g}, eta = {eta:g}" + (f", beta = {beta:g}" if beta is not None else "")
    assert_array_close(f"{function}()[0], (x1, x2, x3) from {setting}", as_float_array(f"{function}()[0]", iterates, (3,)),
                       expected_iterates, rtol=GD_RTOL, atol=GD_ATOL)
    assert_array_close(f"{function}()[1], (GELU(x1), GELU(x2), GELU(x3)) from {setting}",
                       as_float_array(f"{function}()[1]", values, (3,)), expected_values, rtol=GD_RTOL, atol=GD_ATOL)


@pytest.mark.graded(part="T1", points=1)
def test_1_gelu_derivative(answers):
    """1 GELU'(x) of x sigmoid(1.702 x): against autograd at 41 points from -5 to 5 (rtol 1e-6)."""
    points = np.linspace(-5.0, 5.0, 41)
    answer = np.array([as_float(f"gelu_derivative({x:g})", answers.gelu_derivative(float(x))) for x in points])
    expected = np.array([autograd_gelu_slope(float(x)) for x in points])
    assert_array_close(f"gelu_derivative(x) for x = {points.tolist()}", answer, expected, rtol=GD_RTOL, atol=GD_ATOL)


@pytest.mark.graded(part="T1", points=2)
def test_1a_gradient_descent_from_0_with_eta_0_1(answers):
    """1(a) x1, x2, x3 and GELU of each from x0 = 0 with eta = 0.1 (rtol 1e-6)."""
    assert_descent_answer(answers, "p1a_gradient_descent", 0.0, 0.1)


@pytest.mark.graded(part="T1", points=2)
def test_1b_gradient_descent_from_0_with_eta_1(answers):
    """1(b) x1, x2, x3 and GELU of each from x0 = 0 with eta = 1 (rtol 1e-6)."""
    assert_descent_answer(answers, "p1b_gradient_descent", 0.0, 1.0)


@pytest.mark.graded(part="T1", points=2)
def test_1c_gradient_descent_from_minus_3(answers):
    """1(c) plain gradient descent: x1, x2, x3 and GELU of each from x0 = -3 with eta = 0.1 (rtol 1e-6)."""
    assert_descent_answer(answers, "p1c_gradient_descent", -3.0, 0.1)


@pytest.mark.graded(part="T1", points=2)
def test_1c_momentum_from_minus_3(answers):
    """1(c) momentum (beta = 0.9, the handout's rule): x1, x2, x3 and GELU of each from x0 = -3, eta = 0.1 (rtol 1e-6)."""
    assert_descent_answer(answers, "p1c_momentum", -3.0, 0.1, beta=0.9)


@pytest.mark.graded(part="written", points=0)
def test_1b_comparison_is_collected(answers, record_property):
    """1(b) comparison of eta = 1 with eta = 0.1 (collected for a person to grade)."""
    collect_written_answer("1(b) comparison", answers.p1b_comparison(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_1c_comparison_is_collected(answers, record_property):
    """1(c) comparison of plain gradient descent with momentum (collected for a person to grade)."""
    collect_written_answer("1(c) comparison", answers.p1c_comparison(), record_property)


# ---------------------------------------------------------------- Problem 2


def read_network(name, layers):
    """The layers [(W (n_in, n_out), b (n_out,))] of a returned network, checked to chain from 2 inputs to 1 output."""
    assert isinstance(layers, (list, tuple)) and layers, f"{name}: expected a non-empty list of (W, b) layers, got {describe(layers)}"
    network, width = [], 2
    for index, layer in enumerate(layers):
        W, b = pair(f"{name}[{index}]", layer)
        assert isinstance(W, np.ndarray) and W.ndim == 2 and W.shape[0] == width, (
            f"{name}[{index}]: expected W of shape ({width}, n) (the layer's {width} inputs), got {describe(W)}")
        assert isinstance(b, np.ndarray) and b.size == W.shape[1] and b.ndim in (1, 2), (
            f"{name}[{index}]: expected b of shape ({W.shape[1]},), got {describe(b)}")
        network.append((as_float_array(f"{name}[{index}] W", W, W.shape), as_float_array(f"{name}[{index}] b", b, b.shape).reshape(-1)))
        width = W.shape[1]
    assert width == 1, f"{name}: expected one output neuron, got {width}"
    return network


def network_outputs(network):
    """The network's output (4,) on the inputs of TRUTH_TABLE_INPUTS, every layer a sigmoid, by torch in float64."""
    h = torch.tensor(TRUTH_TABLE_INPUTS, dtype=torch.float64)
    for W, b in network:
        h = torch.sigmoid(h @ torch.tensor(W) + torch.tensor(b))
    return h[:, 0].numpy()


def linearly_separable(gate):
    """Whether one line separates the inputs where ``gate`` is 1 from those where it is 0 (exact).

    The perceptron rule runs from zero weights on the integer inputs (A, B, 1). If a separating line exists
    it stops making mistakes; if none does, its integer weights stay bounded (perceptron cycling theorem),
    so the weights at the start of an epoch repeat. Either event is reached in finitely many epochs.
    """
    inputs = np.array([(a, b, 1) for a, b in TRUTH_TABLE_INPUTS], dtype=np.int64)
    signs = np.array([1 if gate(a, b) else -1 for a, b in TRUTH_TABLE_INPUTS], dtype=np.int64)
    weights, seen = np.zeros(3, dtype=np.int64), set()
    while tuple(weights) not in seen:
        seen.add(tuple(weights))
        mistakes = 0
        for x, sign in zip(inputs, signs):
            if sign * int(weights @ x) <= 0:
                weights = weights + sign * x
                mistakes += 1
        if mistakes == 0:
            return True
    return False


def smallest_structure(gate):
    """The hidden layer sizes of the smallest sigmoid MLP for ``gate``: [] or [2].

    A single sigmoid neuron outputs 1 exactly where a linear function of (A, B) is >= 0, so it suffices
    when the gate is linearly separable. Otherwise one hidden neuron is not enough (the output is then a
    monotone function of one linear form, which again thresholds a line), and two are (e.g. OR and NAND).
    """
    return [] if linearly_separable(gate) else [2]


def assert_computes_the_gate(name, network, gate_name):
    """The network's thresholded outputs (>= 0.5 means 1) equal the gate on the four inputs."""
    outputs = network_outputs(network)
    predicted = [int(value >= 0.5) for value in outputs]
    expected = [GATES[gate_name](a, b) for a, b in TRUTH_TABLE_INPUTS]
    assert predicted == expected, (
        f"{name}: on inputs (A, B) = {TRUTH_TABLE_INPUTS} expected {gate_name} = {expected}, got {predicted} "
        f"(outputs {np.round(outputs, 6).tolist()}; >= 0.5 means 1)")


def assert_gate_network(answers, gate_name, check_size):
    """``p2_<gate>_network()`` computes the gate; with ``check_size``, its hidden layers are the smallest possible."""
    function = f"p2_{gate_name.lower()}_network"
    network = read_network(f"{function}()", getattr(answers, function)())
    assert_computes_the_gate(f"{function}()", network, gate_name)
    if check_size:
        hidden = [W.shape[1] for W, _ in network[:-1]]
        smallest = smallest_structure(GATES[gate_name])
        assert hidden == smallest, (
            f"{function}(): expected the smallest structure, hidden layer sizes {smallest} "
            f"({'a single sigmoid neuron' if not smallest else 'one hidden layer of 2 neurons'}), got hidden layer sizes {hidden}")


@pytest.mark.graded(part="T2", points=2)
def test_2_and_network_computes_and(answers):
    """2 AND gate: the sigmoid MLP computes AND on the whole truth table (output >= 0.5 means 1)."""
    assert_gate_network(answers, "AND", check_size=False)


@pytest.mark.graded(part="T2", points=1)
def test_2_and_network_is_the_smallest(answers):
    """2 AND gate: the sigmoid MLP computes AND with the smallest structure."""
    assert_gate_network(answers, "AND", check_size=True)


@pytest.mark.graded(part="T2", points=2)
def test_2_or_network_computes_or(answers):
    """2 OR gate: the sigmoid MLP computes OR on the whole truth table (output >= 0.5 means 1)."""
    assert_gate_network(answers, "OR", check_size=False)


@pytest.mark.graded(part="T2", points=1)
def test_2_or_network_is_the_smallest(answers):
    """2 OR gate: the sigmoid MLP computes OR with the smallest structure."""
    assert_gate_network(answers, "OR", check_size=True)


@pytest.mark.graded(part="T2", points=2)
def test_2_xor_network_computes_xor(answers):
    """2 XOR gate: the sigmoid MLP computes XOR on the whole truth table (output >= 0.5 means 1)."""
    assert_gate_network(answers, "XOR", check_size=False)


@pytest.mark.graded(part="T2", points=1)
def test_2_xor_network_is_the_smallest(answers):
    """2 XOR gate: the sigmoid MLP computes XOR with the smallest structure."""
    assert_gate_network(answers, "XOR", check_size=True)


@pytest.mark.graded(part="T2", points=2)
def test_2_xnor_network_computes_xnor(answers):
    """2 XNOR gate: the sigmoid MLP computes XNOR on the whole truth table (output >= 0.5 means 1)."""
    assert_gate_network(answers, "XNOR", check_size=False)


@pytest.mark.graded(part="T2", points=1)
def test_2_xnor_network_is_the_smallest(answers):
    """2 XNOR gate: the sigmoid MLP computes XNOR with the smallest structure."""
    assert_gate_network(answers, "XNOR", check_size=True)


# ---------------------------------------------------------------- Problem 3


def backprop_problem(seed, sizes):
    """A random problem of the handout's network: (x (1, N), W1 (N, M), b1 (1, M), W2 (M, K), b2 (1, K), y (1, K) one-hot)."""
    rng = np.random.default_rng(seed)
    n, m, k = sizes
    y = np.eye(k)[[rng.integers(k)]]
    return (rng.normal(size=(1, n)), rng.normal(size=(n, m)), rng.normal(size=(1, m)), rng.normal(size=(m, k)) * 2,
            rng.normal(size=(1, k)), y)


def autograd_gradients(x, W1, b1, W2, b2, y):
    """(dE/df2 (1, K), dE/dx (1, N)) of E = -sum y log softmax(sigmoid(x W1 + b1) W2 + b2) by torch autograd in float64."""
    inputs = torch.tensor(x, requires_grad=True)
    f2 = torch.sigmoid(inputs @ torch.tensor(W1) + torch.tensor(b1)) @ torch.tensor(W2) + torch.tensor(b2)
    f2.retain_grad()
    loss = -(torch.tensor(y) * torch.log_softmax(f2, dim=1)).sum()
    loss.backward()
    return f2.grad.numpy(), inputs.grad.numpy()


PROBLEM_SIZES = [(4, 5, 3)] * 10 + [(3, 2, 6), (1, 1, 2), (7, 4, 10)] * 4


@pytest.mark.graded(part="T3", points=5)
def test_3a_gradient_wrt_f2(answers):
    """3(a) dE/df2: against autograd on 22 random networks and labels (rtol 1e-6)."""
    for seed, sizes in enumerate(PROBLEM_SIZES):
        problem = backprop_problem(seed, sizes)
        expected, _ = autograd_gradients(*problem)
        answer = as_float_array(f"p3a_gradient_wrt_f2 for sizes (N, M, K) = {sizes}", answers.p3a_gradient_wrt_f2(*problem), expected.shape)
        assert_array_close(f"p3a_gradient_wrt_f2(x, W1, b1, W2, b2, y) for (N, M, K) = {sizes}, seed {seed} (against torch autograd)",
                           answer, expected, rtol=GRADIENT_RTOL, atol=GRADIENT_ATOL)


@pytest.mark.graded(part="T3", points=5)
def test_3b_gradient_wrt_x(answers):
    """3(b) dE/dx: against autograd on 22 random networks and labels (rtol 1e-6)."""
    for seed, sizes in enumerate(PROBLEM_SIZES):
        problem = backprop_problem(seed, sizes)
        _, expected = autograd_gradients(*problem)
        answer = as_float_array(f"p3b_gradient_wrt_x for sizes (N, M, K) = {sizes}", answers.p3b_gradient_wrt_x(*problem), expected.shape)
        assert_array_close(f"p3b_gradient_wrt_x(x, W1, b1, W2, b2, y) for (N, M, K) = {sizes}, seed {seed} (against torch autograd)",
                           answer, expected, rtol=GRADIENT_RTOL, atol=GRADIENT_ATOL)


# ---------------------------------------------------------------- Problem 4


def conv(feature_map, kernel, padding, stride=1):
    """``feature_map`` (H, W) convolved as a CNN layer does (torch.nn.functional.conv2d): an array (H', W')."""
    return F.conv2d(torch.tensor(feature_map)[None, None], torch.tensor(kernel)[None, None], padding=padding, stride=stride)[0, 0].numpy()


def expected_padding():
    """The smallest zero padding that keeps FEATURE_MAP_P4's size with FILTER1_P4 at stride 1, found with conv2d."""
    return next(p for p in range(5) if conv(FEATURE_MAP_P4, FILTER1_P4, p).shape == FEATURE_MAP_P4.shape)


def expected_feature_map():
    """F' of 4(a): an array (4, 4)."""
    return conv(FEATURE_MAP_P4, FILTER1_P4, expected_padding())


@pytest.mark.graded(part="T4", points=1)
def test_4a_padding(answers):
    """4(a) the padding that keeps the feature map's size with Filter1 at stride 1."""
    expected = expected_padding()
    answer = as_int("p4a_padding()", answers.p4a_padding())
    assert answer == expected, f"4(a): expected padding {expected}, got {answer}"


@pytest.mark.graded(part="T4", points=3)
def test_4a_feature_map(answers):
    """4(a) the new feature map F' (4 x 4), each entry within 1e-6."""
    assert_array_close("p4a_feature_map()", as_float_array("p4a_feature_map()", answers.p4a_feature_map(), (4, 4)),
                       expected_feature_map(), rtol=0, atol=MAP_ATOL)


@pytest.mark.graded(part="T4", points=2)
def test_4b_stride_with_filter2_and_padding_1(answers):
    """4(b) the stride that keeps the size with Filter2 and padding 1, or None when no stride does."""
    size = FEATURE_MAP_P4.shape[0]
    strides = [s for s in range(1, size + 3) if conv(FEATURE_MAP_P4, FILTER2_P4, 1, stride=s).shape == FEATURE_MAP_P4.shape]
    expected = strides[0] if strides else None
    answer = answers.p4b_stride()
    if answer is not None:
        answer = as_int("p4b_stride()", answer)
    sizes = {s: conv(FEATURE_MAP_P4, FILTER2_P4, 1, stride=s).shape for s in range(1, size + 1)}
    assert answer == expected, f"4(b): expected {expected} (output shapes by stride: {sizes}), got {answer}"


@pytest.mark.graded(part="written", points=0)
def test_4b_explanation_is_collected(answers, record_property):
    """4(b) explanation (collected for a person to grade)."""
    collect_written_answer("4(b) explanation", answers.p4b_explanation(), record_property)


@pytest.mark.graded(part="T4", points=4)
def test_4c_average_pooling(answers):
    """4(c) 2x2 average pooling with stride 2 of F' (2 x 2), each entry within 1e-6."""
    expected = F.avg_pool2d(torch.tensor(expected_feature_map())[None, None], 2, stride=2)[0, 0].numpy()
    assert_array_close("p4c_average_pool()", as_float_array("p4c_average_pool()", answers.p4c_average_pool(), (2, 2)),
                       expected, rtol=0, atol=MAP_ATOL)


@pytest.mark.graded(part="T4", points=4)
def test_4d_average_pooling_as_a_convolution(answers):
    """4(d) the filter, stride and padding run as a convolution equal 2x2 average pooling on F' and on random 4x4, 6x6, 8x8 maps."""
    answer = answers.p4d_pooling_as_convolution()
    assert isinstance(answer, (tuple, list)) and len(answer) == 3, (
        f"p4d_pooling_as_convolution(): expected a tuple (filter, stride, padding), got {describe(answer)}")
    kernel, stride, padding = answer
    assert isinstance(kernel, np.ndarray) and kernel.ndim == 2, f"p4d_pooling_as_convolution()[0]: expected a 2-D filter, got {describe(kernel)}"
    kernel = as_float_array("the filter", kernel, kernel.shape)
    stride, padding = as_int("the stride", stride), as_int("the padding", padding)
    assert stride >= 1 and padding >= 0, f"p4d_pooling_as_convolution(): expected a stride >= 1 and a padding >= 0, got {stride} and {padding}"
    rng = np.random.default_rng(44)
    for feature_map in [expected_feature_map()] + [rng.normal(size=(n, n)) for n in (4, 6, 8)]:
        expected = F.avg_pool2d(torch.tensor(feature_map)[None, None], 2, stride=2)[0, 0].numpy()
        try:
            got = conv(feature_map, kernel, padding, stride=stride)
        except RuntimeError as exc:
            raise AssertionError(f"4(d): the filter of shape {kernel.shape} with stride {stride} and padding {padding} cannot run "
                                 f"as a convolution on a {feature_map.shape} map: {exc}") from None
        assert_array_close(f"the convolution (filter {kernel.tolist()}, stride {stride}, padding {padding}) of a {feature_map.shape} map "
                           f"against 2x2 average pooling with stride 2", got, expected, rtol=0, atol=MAP_ATOL)
