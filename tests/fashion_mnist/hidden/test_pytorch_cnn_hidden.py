"""Hidden tests of pytorch_cnn.py: parameter count and seeded outputs of the architecture (part 3.1)."""

import pytest

from autograder.assertions import assert_array, assert_array_close
from autograder.worker.protocol import Tensor


@pytest.mark.graded(part="3.1", points=1)
def test_the_number_of_parameters_equals_the_reference(submission, reference):
    """The model has as many parameters as the reference CNN, layer by layer."""
    net = submission.module("pytorch_cnn").PyTorchCNN(10, 0)
    summary = submission.introspect("torch_module_summary", net.model)
    expected_total = int(reference["cnn_num_parameters"])
    per_layer = [(layer["type"], layer["num_parameters"]) for layer in summary["layers"]]
    assert summary["num_parameters"] == expected_total, (
        f"expected {expected_total} parameters, got {summary['num_parameters']}; yours per layer: {per_layer}; "
        f"the reference's per layer: {reference['cnn_layer_parameters'].tolist()}"
    )
    assert [count for _, count in per_layer] == reference["cnn_layer_parameters"].tolist(), (
        f"parameters per layer: expected {reference['cnn_layer_parameters'].tolist()}, got {per_layer}"
    )


@pytest.mark.graded(part="3.1", points=0.5)
def test_the_seeded_network_gives_the_reference_logits_in_eval_mode(submission, reference):
    """With a given seed, the network in eval mode returns the reference's logits."""
    seed = int(reference["cnn_seed"])
    net = submission.module("pytorch_cnn").PyTorchCNN(10, seed)
    net.model.eval()
    logits = net.forward(Tensor(reference["cnn_X"]))
    assert_array(f"forward of PyTorchCNN(10, seed={seed}) in eval mode", logits, shape=reference["cnn_logits_eval"].shape, kind="f")
    assert_array_close(f"forward of PyTorchCNN(10, seed={seed}) in eval mode", logits, reference["cnn_logits_eval"], rtol=1e-4, atol=1e-5)
