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
    ### BEGIN SOLUTION
    s = 1.0 / (1.0 + math.exp(-1.702 * x))
    return s + 1.702 * x * s * (1.0 - s)
    ### END SOLUTION


def p1a_gradient_descent():
    """1(a): three steps of gradient descent on GELU from x0 = 0 with step size eta = 0.1.

    Returns a tuple of two float arrays (3,): (x1, x2, x3) and (GELU(x1), GELU(x2), GELU(x3)).
    """
    ### BEGIN SOLUTION
    x, iterates = 0.0, []
    for _ in range(3):
        x = x - 0.1 * gelu_derivative(x)
        iterates.append(x)
    return np.array(iterates), np.array([gelu(x) for x in iterates])
    ### END SOLUTION


def p1b_gradient_descent():
    """1(b): three steps of gradient descent on GELU from x0 = 0 with step size eta = 1.

    Returns a tuple of two float arrays (3,): (x1, x2, x3) and (GELU(x1), GELU(x2), GELU(x3)).
    """
    ### BEGIN SOLUTION
    x, iterates = 0.0, []
    for _ in range(3):
        x = x - 1.0 * gelu_derivative(x)
        iterates.append(x)
    return np.array(iterates), np.array([gelu(x) for x in iterates])
    ### END SOLUTION


def p1b_comparison():
    """1(b): how does gradient descent with eta = 1 compare with eta = 0.1 (a str)?"""
    ### BEGIN SOLUTION
    return ("With eta = 1 three steps take x to about -0.68 and GELU to -0.163, close to the minimum (about -0.17 near "
            "x = -0.75); with eta = 0.1 they only reach x = -0.14 (GELU -0.061). Here the larger step converges much faster.")
    ### END SOLUTION


def p1c_gradient_descent():
    """1(c): three steps of plain gradient descent on GELU from x0 = -3 with eta = 0.1.

    Returns a tuple of two float arrays (3,): (x1, x2, x3) and (GELU(x1), GELU(x2), GELU(x3)).
    """
    ### BEGIN SOLUTION
    x, iterates = -3.0, []
    for _ in range(3):
        x = x - 0.1 * gelu_derivative(x)
        iterates.append(x)
    return np.array(iterates), np.array([gelu(x) for x in iterates])
    ### END SOLUTION


def p1c_momentum():
    """1(c): three steps of gradient descent with momentum on GELU from x0 = -3, eta = 0.1, beta = 0.9.

    The handout's rule (Eq. 5): v0 = GELU'(x0); v_{t+1} = beta v_t + (1 - beta) GELU'(x_t);
    x_{t+1} = x_t - eta v_{t+1}.
    Returns a tuple of two float arrays (3,): (x1, x2, x3) and (GELU(x1), GELU(x2), GELU(x3)).
    """
    ### BEGIN SOLUTION
    x = -3.0
    v = gelu_derivative(x)
    iterates = []
    for _ in range(3):
        v = 0.9 * v + 0.1 * gelu_derivative(x)
        x = x - 0.1 * v
        iterates.append(x)
    return np.array(iterates), np.array([gelu(x) for x in iterates])
    ### END SOLUTION


def p1c_comparison():
    """1(c): how do plain gradient descent and gradient descent with momentum differ here (a str)?"""
    ### BEGIN SOLUTION
    return ("At x = -3 GELU is almost flat, so both move very little in three steps. Momentum starts from v0 = GELU'(x0) and "
            "averages the gradients, so it moves exactly as plain GD in the first step and then lags: the gradient grows as x "
            "moves right, and the average remembers the smaller old ones. Over many steps momentum accumulates speed and "
            "crosses flat regions faster.")
    ### END SOLUTION


# ---------------------------------------------------------------- Problem 2: logic gates as sigmoid MLPs
#
# A network is a list of layers [(W1, b1), ..., (WL, bL)] with W_i a float array (n_{i-1}, n_i) and b_i a float
# array (n_i,); n_0 = 2 (inputs A and B) and n_L = 1. Every layer applies the sigmoid: h_i = sigmoid(h_{i-1} W_i + b_i)
# with h_0 = [A, B]; the output h_L (1,) means 1 when it is >= 0.5 and 0 otherwise. The smallest structure has
# the fewest layers, then the fewest neurons.


def p2_and_network():
    """2: the smallest sigmoid MLP for A AND B; returns a list of (W, b) layers (see above)."""
    ### BEGIN SOLUTION
    gain = 10.0
    return [(gain * np.array([[1.0], [1.0]]), gain * np.array([-1.5]))]
    ### END SOLUTION


def p2_or_network():
    """2: the smallest sigmoid MLP for A OR B; returns a list of (W, b) layers (see above)."""
    ### BEGIN SOLUTION
    gain = 10.0
    return [(gain * np.array([[1.0], [1.0]]), gain * np.array([-0.5]))]
    ### END SOLUTION


def p2_xor_network():
    """2: the smallest sigmoid MLP for A XOR B; returns a list of (W, b) layers (see above)."""
    ### BEGIN SOLUTION
    gain = 10.0
    # Hidden units: A OR B and A NAND B; the output is their AND.
    hidden = (gain * np.array([[1.0, -1.0], [1.0, -1.0]]), gain * np.array([-0.5, 1.5]))
    output = (gain * np.array([[1.0], [1.0]]), gain * np.array([-1.5]))
    return [hidden, output]
    ### END SOLUTION


def p2_xnor_network():
    """2: the smallest sigmoid MLP for A XNOR B; returns a list of (W, b) layers (see above)."""
    ### BEGIN SOLUTION
    gain = 10.0
    # Hidden units: A OR B and A NAND B; the output is NOT their AND.
    hidden = (gain * np.array([[1.0, -1.0], [1.0, -1.0]]), gain * np.array([-0.5, 1.5]))
    output = (gain * np.array([[-1.0], [-1.0]]), gain * np.array([1.5]))
    return [hidden, output]
    ### END SOLUTION


# ---------------------------------------------------------------- Problem 3: back-propagation
#
# The network of Fig. 4: f1 = x W1 + b1, a = sigmoid(f1), f2 = a W2 + b2, o = softmax(f2),
# E = -sum_i y_i log o_i, with x (1, N), W1 (N, M), b1 (1, M), W2 (M, K), b2 (1, K) and y (1, K) one-hot.


def p3a_gradient_wrt_f2(x, W1, b1, W2, b2, y):
    """3(a): dE/df2 for one example; returns a float array (1, K).

    Inputs: x (1, N), W1 (N, M), b1 (1, M), W2 (M, K), b2 (1, K), y (1, K) one-hot (float arrays).
    """
    ### BEGIN SOLUTION
    a = 1.0 / (1.0 + np.exp(-(x @ W1 + b1)))
    f2 = a @ W2 + b2
    o = np.exp(f2 - f2.max())
    o /= o.sum()
    return o - y
    ### END SOLUTION


def p3b_gradient_wrt_x(x, W1, b1, W2, b2, y):
    """3(b): dE/dx for one example; returns a float array (1, N).

    Inputs: x (1, N), W1 (N, M), b1 (1, M), W2 (M, K), b2 (1, K), y (1, K) one-hot (float arrays).
    """
    ### BEGIN SOLUTION
    a = 1.0 / (1.0 + np.exp(-(x @ W1 + b1)))
    f2 = a @ W2 + b2
    o = np.exp(f2 - f2.max())
    o /= o.sum()
    d_f2 = o - y
    d_f1 = (d_f2 @ W2.T) * a * (1.0 - a)
    return d_f1 @ W1.T
    ### END SOLUTION


# ---------------------------------------------------------------- Problem 4: convolution and pooling
#
# Convolutions are those of CNN layers: the filter slides over the zero-padded map without being flipped.


def p4a_padding():
    """4(a): the zero padding that keeps FEATURE_MAP_P4's size with FILTER1_P4 at stride 1 (an int)."""
    ### BEGIN SOLUTION
    size, kernel = FEATURE_MAP_P4.shape[0], FILTER1_P4.shape[0]
    return next(p for p in range(kernel) if size + 2 * p - kernel + 1 == size)
    ### END SOLUTION


def p4a_feature_map():
    """4(a): F', FEATURE_MAP_P4 convolved with FILTER1_P4 with that padding, stride 1; a float array (4, 4)."""
    ### BEGIN SOLUTION
    padded = np.pad(FEATURE_MAP_P4, p4a_padding())
    k = FILTER1_P4.shape[0]
    out = np.empty(FEATURE_MAP_P4.shape)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(padded[i:i + k, j:j + k] * FILTER1_P4)
    return out
    ### END SOLUTION


def p4b_stride():
    """4(b): with FILTER2_P4 and zero padding 1, the stride that keeps FEATURE_MAP_P4's size, or None if no stride does (int or None)."""
    ### BEGIN SOLUTION
    size, kernel = FEATURE_MAP_P4.shape[0], FILTER2_P4.shape[0]
    strides = [s for s in range(1, size + 3) if (size + 2 - kernel) // s + 1 == size]
    return strides[0] if strides else None
    ### END SOLUTION


def p4b_explanation():
    """4(b): why this stride works, or why no stride does (a str)."""
    ### BEGIN SOLUTION
    return ("No stride works: with a 2x2 filter and padding 1 the output side is (4 + 2 - 2) / s + 1, which is 5 for s = 1 "
            "and at most 3 for s >= 2, never 4. An even filter cannot be centred by a symmetric padding.")
    ### END SOLUTION


def p4c_average_pool():
    """4(c): 2x2 average pooling with stride 2 of the F' of 4(a); a float array (2, 2)."""
    ### BEGIN SOLUTION
    mapped = p4a_feature_map()
    return mapped.reshape(2, 2, 2, 2).mean(axis=(1, 3))
    ### END SOLUTION


def p4d_pooling_as_convolution():
    """4(d): a convolution that does 4(c)'s average pooling on any map.

    Returns a tuple (filter, stride, padding): filter a float array (kh, kw), stride and padding ints.
    """
    ### BEGIN SOLUTION
    window = 2
    return np.full((window, window), 1.0 / window ** 2), window, 0
    ### END SOLUTION
