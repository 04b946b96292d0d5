"""Hidden tests of answers.py: one graded test per computable written question.

Every expected value is computed here, at test time, by code independent of the answer: torch's
convolution and pooling on the handout's matrices, a linear feasibility problem (scipy) for the
smallest ReLU networks, and the networks run on the whole truth table. Shown after grades are published.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.assertions import describe
from checks import HANDOUT_POOLING_MATRICES, assert_computes, minimum_network, read_network


def answers(submission):
    """The submitted answers module (a proxy)."""
    return submission.module("answers")


def integer(value, what):
    """``value`` as an int, when it is an integer number (an int, or a float with an integer value)."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and float(value) == int(value)
    assert ok, f"{what}: expected an integer, got {describe(value)}"
    return int(value)


def network_size(layers):
    """(layers, hidden units) of a network [(W, b), ...]."""
    return len(layers), sum(W.shape[0] for W, _ in layers[:-1])


def pooled(kind):
    """The handout's four matrices after 2x2 ``kind`` ("avg" or "max") pooling with stride 2, by torch: (4, 2, 2) float64."""
    images = torch.from_numpy(HANDOUT_POOLING_MATRICES)[:, None]
    pool = F.avg_pool2d if kind == "avg" else F.max_pool2d
    return pool(images, kernel_size=2, stride=2)[:, 0].numpy()


def assert_pooling(value, expected, what):
    """``value`` is an array (4, 2, 2) equal to ``expected`` within 1e-9, matrix by matrix."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    assert array is not None and array.shape == expected.shape, f"{what}: expected an array of shape {expected.shape}, got {describe(value)}"
    wrong = [k for k in range(len(expected)) if not np.allclose(array[k], expected[k], rtol=0, atol=1e-9)]
    assert not wrong, "; ".join(f"{what}, matrix {k + 1}: expected {expected[k].tolist()}, got {array[k].tolist()}" for k in wrong)


@pytest.mark.graded(part="1D", points=5)
def test_the_or_network_computes_or(submission):
    """Q 1D: the ReLU network for OR gives 0 on (0, 0) and at least 1 on the other inputs (tolerance 1e-9)."""
    assert_computes(read_network(answers(submission).or_network(), "or_network()"), "OR", "or_network()")


@pytest.mark.graded(part="1D", points=2)
def test_the_or_network_has_the_fewest_hidden_units(submission):
    """Q 1D: the ReLU network for OR has the fewest hidden units possible (computed by a feasibility problem)."""
    layers = read_network(answers(submission).or_network(), "or_network()")
    expected_layers, expected_units = minimum_network("OR")
    got_layers, got_units = network_size(layers)
    assert got_units == expected_units, (f"or_network(): expected {expected_units} hidden units ({expected_layers} layer), "
                                         f"got {got_units} hidden units in {got_layers} layers")


@pytest.mark.graded(part="1E", points=3)
def test_the_minimum_number_of_layers_for_xor(submission):
    """Q 1E: the minimum number of fully connected ReLU layers computing XOR (computed: one layer is infeasible, two suffice)."""
    got = integer(answers(submission).xor_minimum_layers(), "xor_minimum_layers()")
    expected = minimum_network("XOR")[0]
    assert got == expected, f"xor_minimum_layers(): expected {expected}, got {got}"


@pytest.mark.graded(part="1E", points=1)
def test_the_xor_network_computes_xor(submission):
    """Q 1E: the ReLU network for XOR gives at least 1 on (0, 1) and (1, 0), and 0 on (0, 0) and (1, 1) (tolerance 1e-9)."""
    assert_computes(read_network(answers(submission).xor_network(), "xor_network()"), "XOR", "xor_network()")


@pytest.mark.graded(part="1E", points=1)
def test_the_xor_network_has_the_fewest_layers_and_hidden_units(submission):
    """Q 1E: the ReLU network for XOR has the fewest layers and, with them, the fewest hidden units."""
    got = network_size(read_network(answers(submission).xor_network(), "xor_network()"))
    expected = minimum_network("XOR")
    assert got == expected, f"xor_network(): expected {expected[0]} layers with {expected[1]} hidden units, got {got[0]} layers with {got[1]} hidden units"


@pytest.mark.graded(part="3B", points=2)
def test_the_parameters_of_eight_5x5x3_filters_with_bias(submission):
    """Q 3B: parameters of the 8 5x5x3 filters with bias (counted on torch.nn.Conv2d(3, 8, 5))."""
    expected = sum(p.numel() for p in torch.nn.Conv2d(3, 8, kernel_size=5, bias=True).parameters())
    got = integer(answers(submission).conv_parameters(), "conv_parameters()")
    assert got == expected, f"conv_parameters(): expected {expected}, got {got}"


@pytest.mark.graded(part="3C", points=3)
def test_the_output_shape_of_eight_5x5_filters_on_a_32x32x3_input(submission):
    """Q 3C: output shape (height, width, channels) of 8 5x5x3 filters on a 32x32x3 input, stride 1, no padding (run with torch)."""
    output = F.conv2d(torch.zeros(1, 3, 32, 32), torch.zeros(8, 3, 5, 5), stride=1, padding=0)
    expected = (output.shape[2], output.shape[3], output.shape[1])
    value = answers(submission).conv_output_shape()
    assert isinstance(value, (list, tuple)) and len(value) == 3, f"conv_output_shape(): expected (height, width, channels), got {describe(value)}"
    got = tuple(integer(v, "conv_output_shape()") for v in value)
    assert got == expected, f"conv_output_shape(): expected {expected}, got {got}"


@pytest.mark.graded(part="3D", points=2)
def test_average_pooling_of_the_four_matrices(submission):
    """Q 3D: 2x2 average pooling with stride 2 of the four matrices (compared with torch's avg_pool2d, tolerance 1e-9)."""
    assert_pooling(answers(submission).average_pooling(), pooled("avg"), "average_pooling()")


@pytest.mark.graded(part="3D", points=1)
def test_average_pooling_as_a_convolution(submission):
    """Q 3D: the filter, stride and padding of a convolution equal to 2x2 average pooling (run with torch's conv2d, tolerance 1e-9)."""
    value = answers(submission).average_pooling_as_convolution()
    assert isinstance(value, (list, tuple)) and len(value) == 3, f"average_pooling_as_convolution(): expected (filter, stride, padding), got {describe(value)}"
    try:
        kernel = np.asarray(value[0], dtype=np.float64)
    except (TypeError, ValueError):
        kernel = None
    assert kernel is not None and kernel.ndim == 2, f"average_pooling_as_convolution(): the filter should be a 2-D array, got {describe(value[0])}"
    stride, padding = integer(value[1], "the stride"), integer(value[2], "the padding")
    assert stride >= 1 and padding >= 0, f"average_pooling_as_convolution(): expected stride >= 1 and padding >= 0, got stride {stride}, padding {padding}"
    images = torch.cat([torch.from_numpy(HANDOUT_POOLING_MATRICES), torch.from_numpy(np.random.default_rng(3).normal(size=(4, 4, 4)))])[:, None]
    expected = F.avg_pool2d(images, kernel_size=2, stride=2)
    got = F.conv2d(images, torch.from_numpy(kernel)[None, None], stride=stride, padding=padding)
    assert got.shape == expected.shape and torch.allclose(got, expected, rtol=0, atol=1e-9), (
        f"average_pooling_as_convolution(): conv2d with filter {kernel.tolist()}, stride {stride}, padding {padding} gives "
        f"{got[0, 0].tolist()} on the first matrix (shape {tuple(got.shape[2:])}); 2x2 average pooling gives {expected[0, 0].tolist()}")


@pytest.mark.graded(part="3E", points=3)
def test_max_pooling_of_the_four_matrices(submission):
    """Q 3E: 2x2 max pooling with stride 2 of the four matrices (compared with torch's max_pool2d, tolerance 1e-9)."""
    assert_pooling(answers(submission).max_pooling(), pooled("max"), "max_pooling()")
