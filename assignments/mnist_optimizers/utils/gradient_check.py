"""Numerical gradients, for checking a hand-written backward pass against the forward pass.

Typical use: ``rel_error(analytic, numerical_gradient(loss_of_W, W))`` below about 1e-7 means the
analytic gradient is right; above about 1e-3 it is almost surely wrong.
"""

import numpy as np


def numerical_gradient(f, x, h=1e-6):
    """Central-difference gradient of a scalar function at ``x``.

    Each entry of ``x`` is moved by +h and -h in place (and restored), so ``f`` may read ``x``
    itself rather than take it as an argument.

    Inputs:
    - f: function of one argument, an array shaped like x, returning a float.
    - x: float array of any shape (the point; left unchanged on return).
    - h: step size.

    Returns:
    - grad: float64 array shaped like x, grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h).
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        above = f(x)
        x[index] = original - h
        below = f(x)
        x[index] = original
        grad[index] = (above - below) / (2 * h)
    return grad


def rel_error(a, b):
    """Largest relative difference between two arrays of the same shape.

    Inputs:
    - a, b: arrays of the same shape.

    Returns:
    - float: max over entries of |a - b| / max(1e-8, |a| + |b|).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
