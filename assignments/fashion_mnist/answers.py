"""Written problems of the homework (Q1 true or false, Q2 activations, Q3 convolutions), answered in Python.

Each question is a function. Replace its ``raise NotImplementedError`` by code that returns the answer
in the form its docstring asks for; you may compute it (numpy is allowed) or return the value itself.
The grader calls each function and compares what it returns with its own computation: a question you
leave unanswered fails alone. Functions that return a string (explanations, justifications) are
collected for a person to grade; they earn no automatic points.

Only ``math`` and ``numpy`` may be imported in this file.

Letters in shapes: N entries, d features.
"""

import numpy as np

# Q3.1: the image X and the filter F of the handout. The handout's matrices were damaged in its text
# version; these are the values read from it (X is the 6x6 image inside the zero ring the handout draws
# around it).
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

# Q3.2(a): the options, by letter.
OPTIONS_Q3_2A = {
    "A": "The value of n is 4",
    "B": "The value of n is 5",
    "C": "If the padding is doubled, the value of n will be 10.",
    "D": "If the padding is doubled, the value of n will be 9.",
}

# Q3.2(b): the options, as q3_2b_hyperparameters must spell them.
OPTIONS_Q3_2B = ("stride size", "padding size", "image size", "filter size", "weights in the filter", "none of the above")


# ---------------------------------------------------------------- Q1: true or false, with a justification


def q1_1_sigmoid_activations_are_bounded_by_0_and_1():
    """Q1.1: true or false: with the sigmoid activation, hidden activations always lie between 0 and 1 (a bool)."""
    raise NotImplementedError


def q1_1_justification():
    """Q1.1: one or two sentences that justify your answer (a str)."""
    raise NotImplementedError


def q1_2_sigmoid_slope_exceeds_tanh_slope_near_0():
    """Q1.2: true or false: near 0 the derivative of the sigmoid is greater than the derivative of tanh (a bool)."""
    raise NotImplementedError


def q1_2_justification():
    """Q1.2: one or two sentences that justify your answer (a str)."""
    raise NotImplementedError


def q1_3_fully_connected_neurons_share_weights():
    """Q1.3: true or false: in a fully connected layer all neurons share one set of weights (a bool)."""
    raise NotImplementedError


def q1_3_justification():
    """Q1.3: one or two sentences that justify your answer (a str)."""
    raise NotImplementedError


# ---------------------------------------------------------------- Q2: ReLU, leaky ReLU and ELU


def relu_derivative(z):
    """Q2.1: d relu(z) / dz at every entry of z.

    Inputs:
    - z: float array (N,).
    Returns a float array (N,). At z = 0 either one-sided derivative is accepted.
    """
    raise NotImplementedError


def leaky_relu_derivative(z, alpha):
    """Q2.1: d leaky_relu(z) / dz at every entry of z, for the slope ``alpha`` (a float) below 0.

    Inputs:
    - z: float array (N,).
    - alpha: float.
    Returns a float array (N,). At z = 0 either one-sided derivative is accepted.
    """
    raise NotImplementedError


def elu_derivative(z, alpha):
    """Q2.1: d elu(z) / dz at every entry of z, for the constant ``alpha`` (a float).

    Inputs:
    - z: float array (N,).
    - alpha: float.
    Returns a float array (N,). At z = 0 either one-sided derivative is accepted.
    """
    raise NotImplementedError


def relu_wx_gradient(w, x):
    """Q2.2(a): the gradient of h = relu(w^T x) with respect to w (entry j: dh/dw_j).

    Inputs:
    - w: float array (d,).
    - x: float array (d,).
    Returns a float array (d,). Where w^T x = 0 either one-sided derivative is accepted.
    """
    raise NotImplementedError


def leaky_relu_wx_gradient(w, x, alpha):
    """Q2.2(b): the gradient of h = leaky_relu(w^T x) with respect to w, for the slope ``alpha`` (a float).

    Inputs:
    - w: float array (d,).
    - x: float array (d,).
    - alpha: float.
    Returns a float array (d,). Where w^T x = 0 either one-sided derivative is accepted.
    """
    raise NotImplementedError


def elu_wx_gradient(w, x, alpha):
    """Q2.2(c): the gradient of h = elu(w^T x) with respect to w, for the constant ``alpha`` (a float).

    Inputs:
    - w: float array (d,).
    - x: float array (d,).
    - alpha: float.
    Returns a float array (d,). Where w^T x = 0 either one-sided derivative is accepted.
    """
    raise NotImplementedError


def relu_neuron_is_dead(X, w, b):
    """Q2.3: whether the ReLU neuron h(x) = relu(w^T x + b) has a zero gradient (w and b) for every input row of X.

    Inputs:
    - X: float array (N, d), one input per row.
    - w: float array (d,).
    - b: float.
    Returns a bool. When some w^T x_i + b is exactly 0 either one-sided derivative is accepted.
    """
    raise NotImplementedError


def q2_4_leaky_relu_and_elu_neurons_can_die():
    """Q2.4: can leaky ReLU and ELU neurons (alpha > 0) die as ReLU neurons do (a bool)?"""
    raise NotImplementedError


def q2_4_explanation():
    """Q2.4: your explanation, using the derivatives of Q2.1 and Q2.2 (a str)."""
    raise NotImplementedError


# ---------------------------------------------------------------- Q3: convolutional layers


def q3_1a_output():
    """Q3.1(a): Y, the image X_Q3_1 convolved with the filter F_Q3_1 with zero padding 1 and stride 1.

    As in CNN layers, the filter is not flipped (cross-correlation). Returns a float array (5, 5), whose
    entries are named a, b, ..., y row by row.
    """
    raise NotImplementedError


def q3_1a_e():
    """Q3.1(a): the value of e (row 0, column 4 of Y) (a float)."""
    raise NotImplementedError


def q3_1a_v():
    """Q3.1(a): the value of v (row 4, column 1 of Y) (a float)."""
    raise NotImplementedError


def q3_1b_output_size():
    """Q3.1(b): output size of a 6x6 filter on a 10x12 (height x width) input, zero padding 2, stride 2.

    Returns a tuple of two ints (height, width).
    """
    raise NotImplementedError


def q3_2a_true_options():
    """Q3.2(a): 32x32 input, an n x n filter, stride 1, padding 2, output 32x32: the letters of OPTIONS_Q3_2A that hold.

    Returns a list of letters, e.g. ["A", "C"].
    """
    raise NotImplementedError


def q3_2b_hyperparameters():
    """Q3.2(b): the options of OPTIONS_Q3_2B that are hyper-parameters of a convolutional layer.

    Returns a list of option strings spelled as in OPTIONS_Q3_2B.
    """
    raise NotImplementedError


def q3_2c_parameters():
    """Q3.2(c): one 3x3 filter, stride 1, zero padding 2, on 12x12 colour images (3 channels, RGB).

    Returns a tuple of two ints: (parameters with the bias, parameters without it).
    """
    raise NotImplementedError


def q3_2d_parameters(num_filters):
    """Q3.2(d): parameters of ``num_filters`` 4x4 filters (stride 2, no padding, one bias each) on a 40x40x1 input.

    The handout does not say how many filters the layer has, so answer for any number. Returns an int.
    """
    raise NotImplementedError


def q3_2e_parameters():
    """Q3.2(e): total parameters of two layers on 28x28x1 images, every filter with a bias.

    Layer 1: four 6x6 filters, stride 2, zero padding 2; layer 2: three 3x3 filters, stride 1, no padding.
    Returns an int.
    """
    raise NotImplementedError
