"""Theory exercises 1 to 4 of the handout (gradient descent on GELU, logic gates, back-propagation, CNNs), answered in Python.

Each question is a function. Replace its ``raise NotImplementedError`` by code that returns the answer
in the form its docstring asks for; you may compute it (numpy is allowed) or return the values
themselves. The grader calls each function and compares what it returns with its own computation: a
question you leave unanswered fails alone. Functions that return a string (the comparisons, the
explanation of 4(b)) are collected for a person to grade; they earn no automatic points.

Only ``math`` and ``numpy`` may be imported in this file.

Letters in shapes: N inputs, M hidden units, K classes.
"""

import math

import numpy as np

# Problem 4: the feature map F and the filters of the handout's Fig. 5, whose values are not in the
# text version of the handout: these are the values the course uses for it.
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


def gelu(x):
    """GELU(x) ~ x sigmoid(1.702 x) (the handout's Eq. 2) of a float x; returns a float."""
    return x / (1.0 + math.exp(-1.702 * x))


# ---------------------------------------------------------------- Problem 1: gradient descent on GELU


def gelu_derivative(x):
    """1: d GELU(x) / dx of the approximation x sigmoid(1.702 x), at a float x; returns a float."""
    raise NotImplementedError


def p1a_gradient_descent():
    """1(a): three steps of gradient descent on GELU from x0 = 0 with step size eta = 0.1.

    Returns a tuple of two float arrays (3,): (x1, x2, x3) and (GELU(x1), GELU(x2), GELU(x3)).
    """
    raise NotImplementedError


def p1b_gradient_descent():
    """1(b): three steps of gradient descent on GELU from x0 = 0 with step size eta = 1.

    Returns a tuple of two float arrays (3,): (x1, x2, x3) and (GELU(x1), GELU(x2), GELU(x3)).
    """
    raise NotImplementedError


def p1b_comparison():
    """1(b): how does gradient descent with eta = 1 compare with eta = 0.1 (a str)?"""
    raise NotImplementedError


def p1c_gradient_descent():
    """1(c): three steps of plain gradient descent on GELU from x0 = -3 with eta = 0.1.

    Returns a tuple of two float arrays (3,): (x1, x2, x3) and (GELU(x1), GELU(x2), GELU(x3)).
    """
    raise NotImplementedError


def p1c_momentum():
    """1(c): three steps of gradient descent with momentum on GELU from x0 = -3, eta = 0.1, beta = 0.9.

    The handout's rule (Eq. 5): v0 = GELU'(x0); v_{t+1} = beta v_t + (1 - beta) GELU'(x_t);
    x_{t+1} = x_t - eta v_{t+1}.
    Returns a tuple of two float arrays (3,): (x1, x2, x3) and (GELU(x1), GELU(x2), GELU(x3)).
    """
    raise NotImplementedError


def p1c_comparison():
    """1(c): how do plain gradient descent and gradient descent with momentum differ here (a str)?"""
    raise NotImplementedError


# ---------------------------------------------------------------- Problem 2: logic gates as sigmoid MLPs
#
# A network is a list of layers [(W1, b1), ..., (WL, bL)] with W_i a float array (n_{i-1}, n_i) and b_i a float
# array (n_i,); n_0 = 2 (inputs A and B) and n_L = 1. Every layer applies the sigmoid: h_i = sigmoid(h_{i-1} W_i + b_i)
# with h_0 = [A, B]; the output h_L (1,) means 1 when it is >= 0.5 and 0 otherwise. The smallest structure has
# the fewest layers, then the fewest neurons.


def p2_and_network():
    """2: the smallest sigmoid MLP for A AND B; returns a list of (W, b) layers (see above)."""
    raise NotImplementedError


def p2_or_network():
    """2: the smallest sigmoid MLP for A OR B; returns a list of (W, b) layers (see above)."""
    raise NotImplementedError


def p2_xor_network():
    """2: the smallest sigmoid MLP for A XOR B; returns a list of (W, b) layers (see above)."""
    raise NotImplementedError


def p2_xnor_network():
    """2: the smallest sigmoid MLP for A XNOR B; returns a list of (W, b) layers (see above)."""
    raise NotImplementedError


# ---------------------------------------------------------------- Problem 3: back-propagation
#
# The network of Fig. 4: f1 = x W1 + b1, a = sigmoid(f1), f2 = a W2 + b2, o = softmax(f2),
# E = -sum_i y_i log o_i, with x (1, N), W1 (N, M), b1 (1, M), W2 (M, K), b2 (1, K) and y (1, K) one-hot.


def p3a_gradient_wrt_f2(x, W1, b1, W2, b2, y):
    """3(a): dE/df2 for one example; returns a float array (1, K).

    Inputs: x (1, N), W1 (N, M), b1 (1, M), W2 (M, K), b2 (1, K), y (1, K) one-hot (float arrays).
    """
    raise NotImplementedError


def p3b_gradient_wrt_x(x, W1, b1, W2, b2, y):
    """3(b): dE/dx for one example; returns a float array (1, N).

    Inputs: x (1, N), W1 (N, M), b1 (1, M), W2 (M, K), b2 (1, K), y (1, K) one-hot (float arrays).
    """
    raise NotImplementedError


# ---------------------------------------------------------------- Problem 4: convolution and pooling
#
# Convolutions are those of CNN layers: the filter slides over the zero-padded map without being flipped.


def p4a_padding():
    """4(a): the zero padding that keeps FEATURE_MAP_P4's size with FILTER1_P4 at stride 1 (an int)."""
    raise NotImplementedError


def p4a_feature_map():
    """4(a): F', FEATURE_MAP_P4 convolved with FILTER1_P4 with that padding, stride 1; a float array (4, 4)."""
    raise NotImplementedError


def p4b_stride():
    """4(b): with FILTER2_P4 and zero padding 1, the stride that keeps FEATURE_MAP_P4's size, or None if no stride does (int or None)."""
    raise NotImplementedError


def p4b_explanation():
    """4(b): why this stride works, or why no stride does (a str)."""
    raise NotImplementedError


def p4c_average_pool():
    """4(c): 2x2 average pooling with stride 2 of the F' of 4(a); a float array (2, 2)."""
    raise NotImplementedError


def p4d_pooling_as_convolution():
    """4(d): a convolution that does 4(c)'s average pooling on any map.

    Returns a tuple (filter, stride, padding): filter a float array (kh, kw), stride and padding ints.
    """
    raise NotImplementedError
