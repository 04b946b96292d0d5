"""Public tests of pytorch_cnn.py: the PyTorchCNN architecture (part 3.1)."""

import numpy as np
import pytest

from autograder.assertions import assert_array
from autograder.worker.protocol import Tensor

BLOCK_CHANNELS = ((1, 32), (32, 64), (64, 128), (128, 256))
BLOCK_TYPES = ["Conv2d", "ReLU", "MaxPool2d", "BatchNorm2d", "Dropout"]
HEAD_TYPES = ["Flatten", "Linear", "ReLU", "Linear"]


def layers_of(submission, num_classes=10):
    """The leaf layers of a submitted PyTorchCNN(num_classes)'s model, as described by ``torch_module_summary``."""
    net = submission.module("pytorch_cnn").PyTorchCNN(num_classes, 0)
    return submission.introspect("torch_module_summary", net.model)["layers"]


def of_type(layers, kind):
    """The configs of the layers of type ``kind``, in order."""
    return [layer["config"] for layer in layers if layer["type"] == kind]


@pytest.mark.graded(part="3.1", points=1.5)
def test_layers_come_in_the_documented_order(submission):
    """The model's layers are four Conv2d-ReLU-MaxPool2d-BatchNorm2d-Dropout blocks, then Flatten-Linear-ReLU-Linear."""
    types = [layer["type"] for layer in layers_of(submission)]
    expected = BLOCK_TYPES * 4 + HEAD_TYPES
    first = next((i for i, (got, want) in enumerate(zip(types, expected)) if got != want), min(len(types), len(expected)))
    assert types == expected, (
        f"expected {len(expected)} layers {expected}, got {len(types)} layers {types}; "
        f"the first difference is at position {first}"
    )


@pytest.mark.graded(part="3.1", points=1)
def test_convolutions_have_the_documented_channels_kernel_stride_and_padding(submission):
    """The four Conv2d layers map 1->32->64->128->256 channels with 3x3 kernels, stride 1 and padding 1."""
    convolutions = of_type(layers_of(submission), "Conv2d")
    expected = [{"in_channels": c_in, "out_channels": c_out, "kernel_size": [3, 3], "stride": [1, 1], "padding": [1, 1]}
                for c_in, c_out in BLOCK_CHANNELS]
    assert len(convolutions) == len(expected), f"expected {len(expected)} Conv2d layers, got {len(convolutions)}"
    for index, (got, want) in enumerate(zip(convolutions, expected)):
        assert got == want, f"Conv2d layer {index + 1}: expected {want}, got {got}"


@pytest.mark.graded(part="3.1", points=1)
def test_pooling_batch_norm_and_dropout_have_the_documented_settings(submission):
    """Each block pools with a 2x2 MaxPool2d, normalises with BatchNorm2d of its channels and drops with p = 0.3."""
    layers = layers_of(submission)
    pools, norms, dropouts = of_type(layers, "MaxPool2d"), of_type(layers, "BatchNorm2d"), of_type(layers, "Dropout")
    for kind, found in (("MaxPool2d", pools), ("BatchNorm2d", norms), ("Dropout", dropouts)):
        assert len(found) == len(BLOCK_CHANNELS), f"expected {len(BLOCK_CHANNELS)} {kind} layers, got {len(found)}"
    for index, pool in enumerate(pools):
        assert pool["kernel_size"] in (2, [2, 2]) and pool["stride"] in (2, [2, 2]), (
            f"MaxPool2d layer {index + 1}: expected kernel_size=2 (and its default stride 2), got {pool}"
        )
    for index, (norm, (_, channels)) in enumerate(zip(norms, BLOCK_CHANNELS)):
        assert norm["num_features"] == channels, f"BatchNorm2d layer {index + 1}: expected num_features={channels}, got {norm}"
    for index, dropout in enumerate(dropouts):
        assert np.isclose(dropout["p"], 0.3), f"Dropout layer {index + 1}: expected p=0.3, got {dropout}"


@pytest.mark.graded(part="3.1", points=0.5)
def test_fully_connected_layers_map_256_features_to_128_and_then_to_the_classes(submission):
    """The head is Linear(256, 128) then Linear(128, num_classes), both with a bias."""
    for num_classes in (10, 7):
        linears = of_type(layers_of(submission, num_classes), "Linear")
        expected = [{"in_features": 256, "out_features": 128, "bias": True},
                    {"in_features": 128, "out_features": num_classes, "bias": True}]
        assert linears == expected, f"Linear layers of PyTorchCNN(num_classes={num_classes}): expected {expected}, got {linears}"


@pytest.mark.graded(part="3.1", points=0.5)
def test_output_has_one_logit_per_class_for_each_28_by_28_image(submission):
    """forward maps images (N, 1, 28, 28) to logits (N, num_classes)."""
    images = np.random.default_rng(2).uniform(0, 1, size=(3, 1, 28, 28)).astype(np.float32)
    pytorch_cnn = submission.module("pytorch_cnn")
    for num_classes in (10, 7):
        logits = pytorch_cnn.PyTorchCNN(num_classes, 0).forward(Tensor(images))
        assert_array(f"forward of PyTorchCNN(num_classes={num_classes}) on images of shape (3, 1, 28, 28)", logits,
                     shape=(3, num_classes), kind="f")
