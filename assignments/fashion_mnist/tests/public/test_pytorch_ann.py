"""Public tests of pytorch_ann.py: the PyTorchANN class on small seeded inputs (parts 2.1 to 2.5)."""

import numpy as np
import pytest
import torch

from autograder.assertions import assert_array, assert_array_close, assert_float_close, assert_history, assert_labels_are_argmax
from autograder.worker.protocol import Tensor
from checks import (
    HISTORY_KEYS, ann_state, assert_torch_init_matches, assert_train_val_figure, grader_ann, learnable_problem,
)


@pytest.mark.graded(part="2.1", points=0.5)
def test_constructor_stores_the_sizes_and_the_seed(submission):
    """The constructor stores input_size, hidden_size, output_size and seed."""
    net = submission.module("pytorch_ann").PyTorchANN(6, 5, 4, 3)
    for name, expected in (("input_size", 6), ("hidden_size", 5), ("output_size", 4), ("seed", 3)):
        assert_float_close(f"PyTorchANN(6, 5, 4, 3).{name}", getattr(net, name), expected, rtol=0, atol=0)


@pytest.mark.graded(part="2.1", points=1)
def test_model_is_a_sequential_of_linear_relu_linear(submission):
    """model is nn.Sequential(Linear(784, 128), ReLU(), Linear(128, 10))."""
    net = submission.module("pytorch_ann").PyTorchANN(784, 128, 10, 0)
    summary = submission.introspect("torch_module_summary", net.model)
    assert summary["type"] == "Sequential", f"model: expected an nn.Sequential, got {summary['type']}"
    types = [layer["type"] for layer in summary["layers"]]
    assert types == ["Linear", "ReLU", "Linear"], f"model's layers: expected ['Linear', 'ReLU', 'Linear'], got {types}"
    for layer, (fan_in, fan_out) in zip((summary["layers"][0], summary["layers"][2]), ((784, 128), (128, 10))):
        expected = {"in_features": fan_in, "out_features": fan_out, "bias": True}
        assert layer["config"] == expected, f"Linear layer: expected {expected}, got {layer['config']}"
    expected_count = 784 * 128 + 128 + 128 * 10 + 10
    assert summary["num_parameters"] == expected_count, f"model: expected {expected_count} parameters, got {summary['num_parameters']}"


@pytest.mark.graded(part="2.1", points=1)
def test_seeded_initialisation_matches_the_reference(submission, reference):
    """With a given seed, the model's initial weights equal the reference's (torch.manual_seed before building)."""
    assert_torch_init_matches(submission, reference)


@pytest.mark.graded(part="2.2", points=0.5)
def test_forward_returns_the_reference_logits(submission, reference):
    """forward returns the (N, C) logits of the seeded network, equal to the reference's."""
    D, H, C, seed = (int(v) for v in reference["torch0_config"])
    net = submission.module("pytorch_ann").PyTorchANN(D, H, C, seed)
    logits = net.forward(Tensor(reference["torch0_X"]))
    assert_array("forward(X)", logits, shape=reference["torch0_logits"].shape, kind="f")
    assert_array_close("forward(X)", logits, reference["torch0_logits"], rtol=1e-5, atol=1e-6)


@pytest.mark.graded(part="2.3", points=1)
def test_train_returns_four_metric_lists_with_one_float_per_epoch(submission):
    """train returns train_loss, val_loss, train_accuracy and val_accuracy, one float per epoch."""
    X, y = learnable_problem(seed=1, D=10, C=3, N=60)
    net = submission.module("pytorch_ann").PyTorchANN(10, 8, 3, 0)
    history = net.train(Tensor(X[:40]), Tensor(y[:40]), Tensor(X[40:]), Tensor(y[40:]), 3, 8, 0.1)
    metrics = assert_history(history, HISTORY_KEYS, 3)
    for key in ("train_loss", "val_loss"):
        assert all(value > 0 for value in metrics[key]), f"history[{key!r}]: expected positive losses, got {metrics[key]}"
    for key in ("train_accuracy", "val_accuracy"):
        assert all(0 <= value <= 1 for value in metrics[key]), f"history[{key!r}]: expected fractions in [0, 1], got {metrics[key]}"


@pytest.mark.graded(part="2.3", points=1.5)
def test_one_full_batch_epoch_is_one_plain_sgd_step_on_the_cross_entropy(submission):
    """One epoch with batch_size = N is one step of torch.optim.SGD on nn.CrossEntropyLoss."""
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(12, 6)).astype(np.float32), rng.integers(0, 4, size=12)
    X_val, y_val = rng.normal(size=(5, 6)).astype(np.float32), rng.integers(0, 4, size=5)
    lr = 0.1
    net = submission.module("pytorch_ann").PyTorchANN(6, 5, 4, 3)
    before = ann_state(submission, net, (6, 5, 4))
    net.train(Tensor(X), Tensor(y), Tensor(X_val), Tensor(y_val), 1, 12, lr)
    after = ann_state(submission, net, (6, 5, 4))
    model = grader_ann(before)
    torch.nn.CrossEntropyLoss()(model(torch.from_numpy(X)), torch.from_numpy(y)).backward()
    for name, parameter in model.named_parameters():
        expected = (parameter - lr * parameter.grad).detach().numpy()
        assert_array_close(f"model.state_dict()[{name!r}] after one epoch with batch_size=N=12 and learning_rate={lr} "
                           "(expected: one plain SGD step on nn.CrossEntropyLoss from the initial weights)",
                           after[name], expected, rtol=1e-5, atol=1e-6)


@pytest.mark.graded(part="2.4", points=0.5)
def test_predict_returns_integer_labels_of_the_largest_logit(submission, reference):
    """predict returns an integer label (N,) per row: the index of the largest logit."""
    D, H, C, seed = (int(v) for v in reference["torch1_config"])
    net = submission.module("pytorch_ann").PyTorchANN(D, H, C, seed)
    X = reference["torch1_X"]
    labels = net.predict(Tensor(X))
    assert_array("predict(X)", labels, shape=(len(X),), kind="i")
    logits = grader_ann(ann_state(submission, net, (D, H, C)))(torch.from_numpy(X)).detach().numpy()
    assert_labels_are_argmax("predict(X) (the argmax of the network's logits)", labels, logits)


@pytest.mark.graded(part="2.5", points=0.5)
def test_plot_draws_the_train_and_validation_curves_of_the_given_metrics(submission):
    """plot_train_val_metrics draws train and validation curves of loss and accuracy on two axes."""
    metrics = {"train_loss": [0.9, 0.7, 0.55, 0.5], "val_loss": [0.95, 0.8, 0.72, 0.74],
               "train_accuracy": [0.61, 0.7, 0.78, 0.81], "val_accuracy": [0.58, 0.66, 0.7, 0.69]}
    net = submission.module("pytorch_ann").PyTorchANN(6, 5, 4, 0)
    figure = net.plot_train_val_metrics(metrics["train_loss"], metrics["val_loss"], metrics["train_accuracy"], metrics["val_accuracy"])
    assert_train_val_figure(submission.introspect("figure_summary", figure), **metrics)
