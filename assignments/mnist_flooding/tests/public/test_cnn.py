"""Public tests of cnn.py (part 5.5): the handout's suggested CNN, layer by layer, and its accuracy after the
grader trains it with flooding.fit and [training.cnn] (so this accuracy also depends on flooding.py's fit)."""

import numpy as np
import pytest

from autograder.assertions import assert_array
from autograder.worker.protocol import Tensor
from utils.architecture import check_summary

LAYER_TYPES = ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"]
CONVOLUTIONS = [
    {"in_channels": 1, "out_channels": 16, "kernel_size": [5, 5], "stride": [1, 1], "padding": [2, 2]},
    {"in_channels": 16, "out_channels": 32, "kernel_size": [5, 5], "stride": [1, 1], "padding": [2, 2]},
]
NUM_CLASSES = 10


def cnn_summary(submission, seed=0):
    """``torch_module_summary`` of the submitted ``build_cnn(seed)``."""
    return submission.introspect("torch_module_summary", submission.module("cnn").build_cnn(seed))


def of_type(summary, kind):
    """The configs of the layers of type ``kind``, in order."""
    return [layer["config"] for layer in summary["layers"] if layer["type"] == kind]


def expected_parameter_count():
    """Parameters of the suggested CNN, counted by the grader's torch: conv 1->16 and 16->32 (5x5, bias), Linear(32*7*7, 10)."""
    import torch

    layers = [torch.nn.Conv2d(1, 16, 5, padding=2), torch.nn.Conv2d(16, 32, 5, padding=2), torch.nn.Linear(32 * 7 * 7, NUM_CLASSES)]
    return sum(parameter.numel() for layer in layers for parameter in layer.parameters())


@pytest.mark.graded(part="5.5", points=2)
def test_the_layers_are_conv_relu_pool_twice_then_flatten_and_linear(submission):
    """build_cnn()'s layers are Conv2d, ReLU, MaxPool2d, Conv2d, ReLU, MaxPool2d, Flatten, Linear, in this order."""
    summary = cnn_summary(submission)
    report = check_summary(summary, allowed_layers=tuple(sorted(set(LAYER_TYPES))), required_layers=("Conv2d", "MaxPool2d"))
    types = [layer["type"] for layer in summary["layers"]]
    first = next((i for i, (got, want) in enumerate(zip(types, LAYER_TYPES)) if got != want), min(len(types), len(LAYER_TYPES)))
    assert report.ok and types == LAYER_TYPES, (
        f"build_cnn(): expected the {len(LAYER_TYPES)} layers {LAYER_TYPES}, got {len(types)} layers {types} "
        f"(first difference at position {first}); {report}")


@pytest.mark.graded(part="5.5", points=2)
def test_the_convolutions_have_the_suggested_channels_kernels_strides_and_padding(submission):
    """The two Conv2d layers map 1 -> 16 -> 32 channels with 5x5 kernels, stride 1 and padding 2."""
    convolutions = of_type(cnn_summary(submission), "Conv2d")
    assert len(convolutions) == len(CONVOLUTIONS), f"build_cnn(): expected {len(CONVOLUTIONS)} Conv2d layers, got {len(convolutions)}"
    for index, (got, want) in enumerate(zip(convolutions, CONVOLUTIONS)):
        assert got == want, f"build_cnn(): Conv2d layer {index + 1}: expected {want}, got {got}"


@pytest.mark.graded(part="5.5", points=1.5)
def test_pooling_halves_the_maps_and_the_linear_layer_maps_1568_features_to_10(submission):
    """Both MaxPool2d have kernel 2 and stride 2; the Linear layer maps 32*7*7 = 1568 features to 10; parameters as counted by torch."""
    summary = cnn_summary(submission)
    for index, pool in enumerate(of_type(summary, "MaxPool2d")):
        assert pool["kernel_size"] in (2, [2, 2]) and pool["stride"] in (2, [2, 2]), (
            f"build_cnn(): MaxPool2d layer {index + 1}: expected kernel_size 2 and stride 2, got {pool}")
    linears = of_type(summary, "Linear")
    expected_linear = [{"in_features": 32 * 7 * 7, "out_features": NUM_CLASSES, "bias": True}]
    assert linears == expected_linear, f"build_cnn(): expected the Linear layers {expected_linear}, got {linears}"
    expected = expected_parameter_count()
    assert summary["num_parameters"] == expected, f"build_cnn(): expected {expected:,} parameters, got {summary['num_parameters']:,}"


@pytest.mark.graded(part="5.5", points=0.5)
def test_build_cnn_maps_images_to_ten_logits_and_is_seeded(submission):
    """build_cnn(seed) maps images (N, 1, 28, 28) to logits (N, 10); the same seed gives the same weights."""
    cnn = submission.module("cnn")
    images = np.random.default_rng(1).uniform(0, 1, size=(4, 1, 28, 28)).astype(np.float32)
    assert_array("build_cnn(0) on images of shape (4, 1, 28, 28)", cnn.build_cnn(0)(Tensor(images)), shape=(4, NUM_CLASSES), kind="f")
    first, again = (submission.introspect("state_dict", cnn.build_cnn(7)) for _ in range(2))
    assert all(np.array_equal(first[name], again[name]) for name in first), "build_cnn(7) built twice gave different initial weights"


@pytest.mark.graded(part="5.5", points=4)
def test_the_trained_cnn_reaches_the_accuracy_threshold(trained_cnn, record_property):
    """build_cnn() trained by flooding.fit with the grading schedule reaches the test-accuracy threshold."""
    trained_cnn.curves()
    trained_cnn.assert_reaches_the_threshold(record_property, "build_cnn()")
