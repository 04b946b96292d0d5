"""Hidden tests of answers.py: the computable written problems, each graded against the grader's own computation.

Expected values are computed here with independent code: torch.optim.SGD's weight decay, torch's
autograd, scipy's root-finding and bounded minimisation, torch's max_pool2d. Tolerances are in each
test's docstring.
"""

import numpy as np
import pytest
import torch

from autograder.assertions import assert_array, assert_array_close, assert_float_close, describe
from checks import measured_window_width, window_maximum

HANDOUT_V = np.array([[3.0, 2.0, 5.0], [4.0, 1.0, 7.0], [3.0, 5.0, 0.0]])


def answers(submission):
    """The submitted answers module."""
    return submission.module("answers")


def as_bool(question, value):
    """``value`` as a bool (Python or numpy); fails with the question's name otherwise."""
    assert isinstance(value, (bool, np.bool_)), f"{question}: expected True or False, got {describe(value)}"
    return bool(value)


def weight_decay_factor(eta, lam, n, m):
    """w after one epoch of n / m steps of torch.optim.SGD with weight_decay = lam / n and a zero cost gradient, divided by w before."""
    weight = torch.ones(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([weight], lr=eta, weight_decay=lam / n)
    for _ in range(n // m):
        optimizer.zero_grad()
        (0.0 * weight).sum().backward()
        optimizer.step()
    return float(weight.detach())


def momentum_run(mu, eta, w0, steps):
    """The lecture's momentum rule on C(w) = w^2 / 2 with gradients from autograd: [w0, w1, ..., w_steps]."""
    weight, velocity, iterates = torch.tensor(float(w0), dtype=torch.float64, requires_grad=True), 0.0, [float(w0)]
    for _ in range(steps):
        (weight ** 2 / 2).backward()
        with torch.no_grad():
            velocity = mu * velocity - eta * weight.grad.item()
            weight += velocity
        weight.grad = None
        iterates.append(weight.item())
    return np.array(iterates)


def steps_below(iterates, level):
    """The first index at which |w| < level (len(iterates) when never)."""
    below = np.flatnonzero(np.abs(iterates) < level)
    return int(below[0]) if below.size else len(iterates)


def max_pool_with_autograd(V, dM):
    """(M, dV) of 2 x 2 max-pooling with stride 1 of V (H, W), by torch: M = max_pool2d(V), dV = autograd of sum(M * dM)."""
    values = torch.tensor(V, dtype=torch.float64, requires_grad=True)
    pooled = torch.nn.functional.max_pool2d(values[None, None], kernel_size=2, stride=1)[0, 0]
    (pooled * torch.tensor(dM, dtype=torch.float64)).sum().backward()
    return pooled.detach().numpy(), values.grad.numpy()


def pooling_inputs():
    """[(V (H, W), dM (H - 1, W - 1))]: the handout's V with dM of ones, then seeded inputs with unique window maxima."""
    rng = np.random.default_rng(11)
    cases = [(HANDOUT_V, np.ones((2, 2)))]
    for shape in ((4, 5), (6, 3)):
        cases.append((rng.permutation(shape[0] * shape[1]).reshape(shape).astype(np.float64), rng.normal(size=(shape[0] - 1, shape[1] - 1))))
    return cases


@pytest.mark.graded(part="1", points=1)
def test_q1_2b_decay_factor_per_epoch(submission):
    """Q1.2(b): the factor weight decay alone shrinks a weight by over one epoch (relative tolerance 1e-4)."""
    for eta, lam, n, m in ((0.5, 5.0, 50000, 10), (0.1, 20.0, 6000, 60), (1.0, 1.0, 1000, 1)):
        expected = weight_decay_factor(eta, lam, n, m)
        got = answers(submission).q1_2b_decay_factor_per_epoch(eta, lam, n, m)
        assert_float_close(f"Q1.2(b) q1_2b_decay_factor_per_epoch(eta={eta}, lam={lam}, n={n}, m={m}) "
                           "(expected: torch.optim.SGD's weight decay over n / m steps)", got, expected, rtol=1e-4, atol=0)


@pytest.mark.graded(part="2", points=1)
def test_q2_1_a_larger_derivative_does_not_avoid_instability(submission):
    """Q2.1: whether an activation with a derivative much larger than 1/4 avoids the unstable gradient problem (exact)."""
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    out = x
    for _ in range(30):
        out = 2.0 * out
    out.backward()
    expected = bool(1e-3 < x.grad.item() < 1e3)
    got = as_bool("Q2.1", answers(submission).q2_1_larger_derivative_avoids_instability())
    assert got == expected, (f"Q2.1: expected {expected} (autograd through 30 layers whose factor w f'(z) is 2 gives a gradient of "
                             f"{x.grad.item():.3g}: it explodes), got {got}")


@pytest.mark.graded(part="2", points=1)
def test_q2_2a_smallest_weight(submission):
    """Q2.2(a): the smallest |w| for which |w sigma'(w a + b)| >= 1 is possible (absolute tolerance 1e-4)."""
    z = torch.linspace(-10, 10, 200001, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(z).sum().backward()
    expected = 1.0 / z.grad.max().item()
    assert_float_close("Q2.2(a) q2_2a_smallest_weight() (expected: 1 / max sigma', with sigma' from autograd)",
                       answers(submission).q2_2a_smallest_weight(), expected, rtol=0, atol=1e-4)


@pytest.mark.graded(part="2", points=2)
def test_q2_2b_window_width(submission):
    """Q2.2(b): the width of {a : |w sigma'(w a + b)| >= 1} for several w of both signs (absolute tolerance 1e-6)."""
    module = answers(submission)
    for w in (3.0, 4.5, 5.0, 6.9, -8.0, 12.0, 40.0):
        expected = measured_window_width(w)
        assert_float_close(f"Q2.2(b) q2_2b_window_width({w}) (expected: the set measured by root-finding)",
                           module.q2_2b_window_width(w), expected, rtol=0, atol=1e-6)


@pytest.mark.graded(part="2", points=2)
def test_q2_2c_window_maximum(submission):
    """Q2.2(c): the |w| maximising the window's width and that width (tolerances 0.05 on |w|, 1e-3 on the width)."""
    w_star, width_star = window_maximum()
    answer = answers(submission).q2_2c_window_maximum()
    assert isinstance(answer, (tuple, list)) and len(answer) == 2, f"Q2.2(c): expected (w_star, width_star), got {describe(answer)}"
    assert_float_close("Q2.2(c) w_star (expected: scipy's bounded minimiser on the measured width)", answer[0], w_star, rtol=0, atol=0.05)
    assert_float_close("Q2.2(c) width_star", answer[1], width_star, rtol=0, atol=1e-3)


@pytest.mark.graded(part="2", points=2)
def test_q2_3_momentum_iterates(submission):
    """Q2.3: the lecture's momentum rule on C(w) = w^2 / 2, for mu = 0.5, 1.1 and -0.5 (relative tolerance 1e-9)."""
    module = answers(submission)
    for mu, eta, w0, steps in ((0.5, 0.1, 1.0, 30), (1.1, 0.1, 2.0, 40), (-0.5, 0.3, -1.5, 25)):
        got = module.q2_3_momentum_iterates(mu, eta, w0, steps)
        assert_array(f"Q2.3 q2_3_momentum_iterates({mu}, {eta}, {w0}, {steps})", got, shape=(steps + 1,))
        assert_array_close(f"Q2.3 q2_3_momentum_iterates({mu}, {eta}, {w0}, {steps}) (expected: the rule with autograd gradients)",
                           got, momentum_run(mu, eta, w0, steps), rtol=1e-9, atol=1e-12)


@pytest.mark.graded(part="2", points=0.5)
def test_q2_3_mu_above_one_diverges(submission):
    """Q2.3: whether momentum with mu = 1.1 (eta = 0.1, w0 = 1, C(w) = w^2 / 2) exceeds |w| = 1e6 within 500 steps (exact)."""
    peak = float(np.abs(momentum_run(1.1, 0.1, 1.0, 500)).max())
    got = as_bool("Q2.3 (mu > 1)", answers(submission).q2_3_mu_above_one_diverges())
    assert got == (peak > 1e6), f"Q2.3 (mu > 1): expected {peak > 1e6} (the largest |w| in 500 steps is {peak:.3g}), got {got}"


@pytest.mark.graded(part="2", points=0.5)
def test_q2_3_negative_mu_is_slower(submission):
    """Q2.3: whether mu = -0.5 needs more steps than mu = 0 to reach |w| < 1e-3 (eta = 0.1, w0 = 1, C(w) = w^2 / 2) (exact)."""
    negative, plain = steps_below(momentum_run(-0.5, 0.1, 1.0, 2000), 1e-3), steps_below(momentum_run(0.0, 0.1, 1.0, 2000), 1e-3)
    got = as_bool("Q2.3 (mu < 0)", answers(submission).q2_3_negative_mu_is_slower())
    assert got == (negative > plain), f"Q2.3 (mu < 0): expected {negative > plain} (mu = -0.5 takes {negative} steps, mu = 0 takes {plain}), got {got}"


@pytest.mark.graded(part="5.1", points=1)
def test_q5_1_max_pool(submission):
    """Q5.1: 2 x 2 max-pooling with stride 1, on the handout's V and on seeded matrices (absolute tolerance 1e-12)."""
    for V, dM in pooling_inputs():
        expected, _ = max_pool_with_autograd(V, dM)
        assert_array_close(f"Q5.1 q5_1_max_pool(V) for V of shape {V.shape} (expected: torch's max_pool2d)",
                           answers(submission).q5_1_max_pool(V), expected, rtol=0, atol=1e-12)


@pytest.mark.graded(part="5.1", points=2)
def test_q5_1_max_pool_backward(submission):
    """Q5.1: the gradient through 2 x 2 max-pooling with stride 1, on the handout's V and on seeded matrices (absolute tolerance 1e-12)."""
    for V, dM in pooling_inputs():
        _, expected = max_pool_with_autograd(V, dM)
        got = answers(submission).q5_1_max_pool_backward(V, dM)
        assert_array_close(f"Q5.1 q5_1_max_pool_backward(V, dM) for V of shape {V.shape} (expected: torch's autograd through max_pool2d)",
                           got, expected, rtol=0, atol=1e-12)
