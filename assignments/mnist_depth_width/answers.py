"""Answers to the written problems of the handout (sections 1 and 3, and 2A, 2B), one function per question.

Replace each ``raise NotImplementedError`` with code that returns the answer. Computed answers are
graded by the autograder; explanations (functions returning a str) are collected and graded by a
person. Only ``math`` and ``numpy`` may be imported here.

Small networks (problems 1D and 1E) are given as lists of layers ``[(W1, b1), (W2, b2), ...]``, in
order from the inputs: layer i maps a vector a (n_in,) to relu(W_i a + b_i), with W_i a float array
(n_out, n_in) and b_i a float array (n_out,). Every unit is a ReLU unit, the output unit included;
the last layer has one output, the network's value. A network with one layer has no hidden unit.
"""

import numpy as np

# The four 4x4 matrices of problems 3D and 3E, stacked: (4, 4, 4), matrix k is POOLING_MATRICES[k].
POOLING_MATRICES = np.array([
    [[1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 0], [0, 0, 0, 0]],
    [[0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1], [0, 0, 0, 0]],
    [[0, 0, 0, 0], [0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1]],
    [[0, 0, 0, 0], [1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 0]],
], dtype=float)


def run_network(layers, x):
    """The value of a network given as ``[(W, b), ...]`` (see the module docstring) at inputs ``x`` (n_in,): array (n_out,)."""
    a = np.asarray(x, dtype=float)
    for W, b in layers:
        a = np.maximum(np.asarray(W, dtype=float) @ a + np.asarray(b, dtype=float), 0.0)
    return a


def q1a_zero_initialisation():
    """1A: why the ReLU network whose weights start at zero does not learn, in terms of backpropagation. Returns a str."""
    raise NotImplementedError


def q1b_sigmoid_networks():
    """1B: how the two networks trained with sigmoid units differ from the ReLU ones, and why. Returns a str."""
    raise NotImplementedError


def q1c_dying_relu():
    """1C: what happens when SGD sees all negative examples before any positive one (dying ReLU). Returns a str."""
    raise NotImplementedError


def or_network():
    """1D: a ReLU network computing OR on 0/1 inputs (value 0 for (0, 0), at least 1 otherwise) with the fewest hidden units.

    Returns a list of layers [(W, b), ...] as in the module docstring: inputs (2,), output (1,).
    """
    raise NotImplementedError


def xor_network():
    """1E: a ReLU network computing XOR on 0/1 inputs (value at least 1 for (0, 1) and (1, 0), 0 for (0, 0) and (1, 1)).

    It should have the fewest layers possible, and the fewest hidden units with that many layers.
    Returns a list of layers [(W, b), ...] as in the module docstring: inputs (2,), output (1,).
    """
    raise NotImplementedError


def xor_minimum_layers():
    """1E: the minimum number of fully connected ReLU layers (the output layer included) of a network computing XOR. Returns an int."""
    raise NotImplementedError


def q1e_why_not_fewer_layers():
    """1E: why a network with fewer layers than ``xor_minimum_layers()`` cannot compute XOR. Returns a str."""
    raise NotImplementedError


def q2a_versions():
    """2A: the versions of torch and torchvision you used. Returns a str."""
    raise NotImplementedError


def q2b_the_data():
    """2B: the images' height and width, what each value means, and the number of training and test images. Returns a str."""
    raise NotImplementedError


def q3a_zero_padding():
    """3A: one benefit and one drawback of zero-padding the input of a convolution. Returns a str."""
    raise NotImplementedError


def conv_parameters():
    """3B: the number of parameters of a layer of 8 filters of size 5x5x3, with one bias per filter. Returns an int."""
    raise NotImplementedError


def conv_output_shape():
    """3C: the output shape (height, width, channels) of that layer on a 32x32x3 input, stride 1, no padding. Returns a tuple of 3 ints."""
    raise NotImplementedError


def average_pooling():
    """3D: 2x2 average pooling with stride 2 of each of the four matrices. Returns a float array (4, 2, 2), matrix k at [k]."""
    raise NotImplementedError


def average_pooling_as_convolution():
    """3D: a convolution (one input and one output channel) equal to 2x2 average pooling with stride 2.

    Returns (filter, stride, padding): filter a float array (kh, kw), stride and padding ints (the same
    along both axes). The grader runs torch's conv2d with them (no bias) and compares with avg_pool2d.
    """
    raise NotImplementedError


def max_pooling():
    """3E: 2x2 max pooling with stride 2 of each of the four matrices. Returns a float array (4, 2, 2), matrix k at [k]."""
    raise NotImplementedError


def q3f_pooling_and_noise():
    """3F: why pooling helps with animals at various positions and images with a little noise. Returns a str."""
    raise NotImplementedError


def q3g_discussion():
    """3G: the most effective design strategies, the most effective regulariser, and a problem with validating on the test set. Returns a str."""
    raise NotImplementedError
