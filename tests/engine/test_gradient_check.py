"""utils.gradient_check: central-difference gradients and the relative error."""

import numpy as np

from utils.gradient_check import numerical_gradient, rel_error


def test_the_numerical_gradient_of_a_cubic_is_three_times_the_square():
    x = np.array([[-1.5, 0.0, 0.3], [2.0, -0.7, 1.1]])
    grad = numerical_gradient(lambda v: float(np.sum(v ** 3)), x)
    error = rel_error(grad, 3 * x ** 2)
    assert grad.shape == x.shape, f"expected a gradient of shape {x.shape}, got {grad.shape}"
    assert error < 1e-7, f"expected a relative error below 1e-7 against 3 x^2, got {error:.3g}"


def test_the_numerical_gradient_of_a_quadratic_form_matches_its_formula():
    rng = np.random.default_rng(0)
    A, x = rng.normal(size=(4, 4)), rng.normal(size=4)
    grad = numerical_gradient(lambda v: float(v @ A @ v), x)
    error = rel_error(grad, (A + A.T) @ x)
    assert error < 1e-7, f"expected a relative error below 1e-7 against (A + A^T) x, got {error:.3g}"


def test_the_numerical_gradient_leaves_the_point_unchanged():
    x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    before = x.copy()
    numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)
    assert np.array_equal(x, before), f"expected x to be restored to {before.tolist()}, got {x.tolist()}"


def test_the_numerical_gradient_sees_changes_of_an_array_the_function_reads_itself():
    W = np.array([1.0, -2.0])
    grad = numerical_gradient(lambda _: float(np.sum(W ** 2)), W)
    assert np.allclose(grad, 2 * W), f"expected {2 * W}, got {grad}"


def test_the_relative_error_is_the_largest_entrywise_ratio():
    error = rel_error(np.array([1.0, 2.0]), np.array([3.0, 2.0]))
    assert np.isclose(error, 0.5), f"expected |1 - 3| / (1 + 3) = 0.5, got {error}"


def test_the_relative_error_of_two_zero_arrays_is_zero():
    error = rel_error(np.zeros(3), np.zeros(3))
    assert error == 0.0, f"expected 0.0, got {error}"
