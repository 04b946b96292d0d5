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
    ### BEGIN SOLUTION
    return ("With every weight at zero, each hidden pre-activation is 0, so every ReLU outputs 0 and has derivative 0 there. "
            "Backpropagation multiplies the output error by these zero activations and zero derivatives, so every weight "
            "gradient is 0 and gradient descent never moves the weights; the randomly initialised network has non-zero "
            "activations and gradients and learns.")
    ### END SOLUTION


def q1b_sigmoid_networks():
    """1B: how the two networks trained with sigmoid units differ from the ReLU ones, and why. Returns a str."""
    ### BEGIN SOLUTION
    return ("The randomly initialised sigmoid network learns a similar but smoother boundary, more slowly: the sigmoid "
            "saturates and its derivative is at most 1/4, so the backpropagated gradients shrink layer by layer. The "
            "zero-initialised sigmoid network now gets non-zero gradients (sigmoid(0) = 1/2), but all units of a layer "
            "stay identical by symmetry, so it can only fit a very simple boundary.")
    ### END SOLUTION


def q1c_dying_relu():
    """1C: what happens when SGD sees all negative examples before any positive one (dying ReLU). Returns a str."""
    ### BEGIN SOLUTION
    return ("Hundreds of consecutive updates on negative examples push the network to output negative values for everything, "
            "typically by driving biases and weights so that the ReLU pre-activations become negative for all inputs. "
            "Those units then output 0 with zero gradient, so when the positive examples arrive no gradient flows through "
            "them: the units are dead and the network cannot learn the positive class.")
    ### END SOLUTION


def or_network():
    """1D: a ReLU network computing OR on 0/1 inputs (value 0 for (0, 0), at least 1 otherwise) with the fewest hidden units.

    Returns a list of layers [(W, b), ...] as in the module docstring: inputs (2,), output (1,).
    """
    ### BEGIN SOLUTION
    return [(np.ones((1, 2)), np.zeros(1))]
    ### END SOLUTION


def xor_network():
    """1E: a ReLU network computing XOR on 0/1 inputs (value at least 1 for (0, 1) and (1, 0), 0 for (0, 0) and (1, 1)).

    It should have the fewest layers possible, and the fewest hidden units with that many layers.
    Returns a list of layers [(W, b), ...] as in the module docstring: inputs (2,), output (1,).
    """
    ### BEGIN SOLUTION
    sum_of_inputs = np.ones((1, 2))
    hidden = (np.vstack([sum_of_inputs, sum_of_inputs]), np.array([0.0, -1.0]))
    output = (np.array([[1.0, -2.0]]), np.zeros(1))
    return [hidden, output]
    ### END SOLUTION


def xor_minimum_layers():
    """1E: the minimum number of fully connected ReLU layers (the output layer included) of a network computing XOR. Returns an int."""
    ### BEGIN SOLUTION
    return len(xor_network())
    ### END SOLUTION


def q1e_why_not_fewer_layers():
    """1E: why a network with fewer layers than ``xor_minimum_layers()`` cannot compute XOR. Returns a str."""
    ### BEGIN SOLUTION
    return ("One layer computes relu(w1 x1 + w2 x2 + b). XOR needs w1 + b >= 1 and w2 + b >= 1, so w1 + w2 + 2b >= 2, "
            "while b <= 0 and w1 + w2 + b <= 0 give w1 + w2 + 2b <= 0: a contradiction. The positive inputs are not "
            "linearly separable from the others, so a hidden layer (OR minus twice AND) is needed.")
    ### END SOLUTION


def q2a_versions():
    """2A: the versions of torch and torchvision you used. Returns a str."""
    ### BEGIN SOLUTION
    return "torch 2.x and torchvision 0.x, as printed by `pip list | grep torch` in the environment used for the code."
    ### END SOLUTION


def q2b_the_data():
    """2B: the images' height and width, what each value means, and the number of training and test images. Returns a str."""
    ### BEGIN SOLUTION
    return ("Each image is 1 x 28 x 28 (one channel, 28 pixels high and 28 wide). Each value is the grey level of one pixel, "
            "scaled to [0, 1] by ToTensor (0: background, 1: full ink). The training set holds 60,000 images and the test "
            "set 10,000.")
    ### END SOLUTION


def q3a_zero_padding():
    """3A: one benefit and one drawback of zero-padding the input of a convolution. Returns a str."""
    ### BEGIN SOLUTION
    return ("Benefit: the output keeps the input's size and pixels near the border are covered by as many filter positions "
            "as central ones. Drawback: the padded zeros are not real data, so border outputs mix in artificial values "
            "(edge artefacts), and computing on them costs time.")
    ### END SOLUTION


def conv_parameters():
    """3B: the number of parameters of a layer of 8 filters of size 5x5x3, with one bias per filter. Returns an int."""
    ### BEGIN SOLUTION
    filters, height, width, channels = 8, 5, 5, 3
    return filters * (height * width * channels + 1)
    ### END SOLUTION


def conv_output_shape():
    """3C: the output shape (height, width, channels) of that layer on a 32x32x3 input, stride 1, no padding. Returns a tuple of 3 ints."""
    ### BEGIN SOLUTION
    side, kernel, stride, padding, filters = 32, 5, 1, 0, 8
    out = (side + 2 * padding - kernel) // stride + 1
    return (out, out, filters)
    ### END SOLUTION


def average_pooling():
    """3D: 2x2 average pooling with stride 2 of each of the four matrices. Returns a float array (4, 2, 2), matrix k at [k]."""
    ### BEGIN SOLUTION
    K, H, W = POOLING_MATRICES.shape
    return POOLING_MATRICES.reshape(K, H // 2, 2, W // 2, 2).mean(axis=(2, 4))
    ### END SOLUTION


def average_pooling_as_convolution():
    """3D: a convolution (one input and one output channel) equal to 2x2 average pooling with stride 2.

    Returns (filter, stride, padding): filter a float array (kh, kw), stride and padding ints (the same
    along both axes). The grader runs torch's conv2d with them (no bias) and compares with avg_pool2d.
    """
    ### BEGIN SOLUTION
    size = 2
    return np.full((size, size), 1.0 / size ** 2), size, 0
    ### END SOLUTION


def max_pooling():
    """3E: 2x2 max pooling with stride 2 of each of the four matrices. Returns a float array (4, 2, 2), matrix k at [k]."""
    ### BEGIN SOLUTION
    K, H, W = POOLING_MATRICES.shape
    return POOLING_MATRICES.reshape(K, H // 2, 2, W // 2, 2).max(axis=(2, 4))
    ### END SOLUTION


def q3f_pooling_and_noise():
    """3F: why pooling helps with animals at various positions and images with a little noise. Returns a str."""
    ### BEGIN SOLUTION
    return ("Pooling summarises each small neighbourhood by one value, so small shifts of the animal change the pooled "
            "features little (local translation invariance), and an isolated missing or noisy pixel is outvoted by its "
            "neighbours (averaged away, or ignored by the max when others are stronger).")
    ### END SOLUTION


def q3g_discussion():
    """3G: the most effective design strategies, the most effective regulariser, and a problem with validating on the test set. Returns a str."""
    ### BEGIN SOLUTION
    return ("Small 3x3 convolutions with batch norm before each ReLU, max-pooling to halve the resolution and a small dense "
            "head gave the best accuracy per parameter; batch norm helped most (faster, steadier training), dropout helped a "
            "little at small p and hurt at large p. Choosing hyper-parameters by test accuracy after one epoch overfits the "
            "test set (it is no longer an unbiased estimate) and favours fast starters over models that end best after "
            "10 epochs; a separate validation set should be used.")
    ### END SOLUTION
