"""Hidden tests of pytorch_ann.py: other sizes and seeds, what training does, the plot's labels (parts 2.1 to 2.5)."""

import numpy as np
import pytest
import torch

from autograder.assertions import (
    assert_accuracy_matches, assert_array, assert_array_close, assert_float_close, assert_history, assert_labels_are_argmax,
)
from autograder.worker.protocol import Tensor
from checks import (
    HISTORY_KEYS, ann_state, assert_torch_init_matches, assert_train_val_figure, grader_ann, learnable_problem,
)


@pytest.mark.graded(part="2.1", points=0.5)
def test_seeded_initialisation_matches_the_reference_for_other_sizes_and_seeds(submission, reference):
    """Seeded initial weights equal the reference's for other sizes and seeds, the handout's size (784, 128, 10) included."""
    assert_torch_init_matches(submission, reference)
    D, H, C, seed = (int(v) for v in reference["torch_large_config"])
    state = ann_state(submission, submission.module("pytorch_ann").PyTorchANN(D, H, C, seed), (D, H, C))
    label = f"PyTorchANN({D}, {H}, {C}, seed={seed}).model.state_dict()"
    assert_array_close(f"first rows of {label}['0.weight']", state["0.weight"][:4], reference["torch_large_0_weight_head"], rtol=1e-6, atol=0)
    assert_array_close(f"{label}['2.weight']", state["2.weight"], reference["torch_large_2_weight"], rtol=1e-6, atol=0)
    assert_array_close(f"{label}['2.bias']", state["2.bias"], reference["torch_large_2_bias"], rtol=1e-6, atol=0)


@pytest.mark.graded(part="2.2", points=0.5)
def test_forward_computes_linear_relu_linear_logits_of_the_networks_weights(submission):
    """forward returns the raw logits Linear-ReLU-Linear of the network's own weights (no softmax)."""
    X = np.random.default_rng(8).normal(size=(9, 12)).astype(np.float32)
    net = submission.module("pytorch_ann").PyTorchANN(12, 9, 5, 99)
    logits = net.forward(Tensor(X))
    expected = grader_ann(ann_state(submission, net, (12, 9, 5)))(torch.from_numpy(X)).detach().numpy()
    assert_array("forward(X)", logits, shape=(9, 5), kind="f")
    assert_array_close("forward(X)", logits, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.graded(part="2.3", points=1)
def test_training_lowers_the_loss_on_a_learnable_problem(submission):
    """Training for a few epochs lowers the training and validation loss on a learnable problem."""
    X, y = learnable_problem(seed=4, D=10, C=3, N=144)
    net = submission.module("pytorch_ann").PyTorchANN(10, 16, 3, 0)
    history = net.train(Tensor(X[:96]), Tensor(y[:96]), Tensor(X[96:]), Tensor(y[96:]), 6, 16, 0.3)
    metrics = assert_history(history, HISTORY_KEYS, 6)
    for key in ("train_loss", "val_loss"):
        first, last = metrics[key][0], metrics[key][-1]
        assert last < first, f"history[{key!r}] should fall over 6 epochs with learning_rate=0.3 on a learnable problem, got {metrics[key]}"


@pytest.mark.graded(part="2.3", points=0.5)
def test_training_changes_every_parameter(submission):
    """Training updates both layers' weights and biases."""
    X, y = learnable_problem(seed=6, D=8, C=4, N=48)
    net = submission.module("pytorch_ann").PyTorchANN(8, 6, 4, 2)
    before = ann_state(submission, net, (8, 6, 4))
    net.train(Tensor(X[:32]), Tensor(y[:32]), Tensor(X[32:]), Tensor(y[32:]), 2, 8, 0.1)
    after = ann_state(submission, net, (8, 6, 4))
    unchanged = [name for name in before if np.array_equal(before[name], after[name])]
    assert not unchanged, f"after 2 epochs of training these parameters did not change: {unchanged} (the optimizer must get model.parameters())"


@pytest.mark.graded(part="2.3", points=1)
def test_validation_metrics_describe_the_model_at_the_end_of_each_epoch(submission):
    """The last epoch's val_loss and val_accuracy are the cross-entropy and accuracy of the trained model on the validation set."""
    X, y = learnable_problem(seed=9, D=7, C=4, N=70)
    X_val, y_val = X[50:], y[50:]
    net = submission.module("pytorch_ann").PyTorchANN(7, 6, 4, 5)
    history = net.train(Tensor(X[:50]), Tensor(y[:50]), Tensor(X_val), Tensor(y_val), 2, 16, 0.2)
    metrics = assert_history(history, HISTORY_KEYS, 2)
    model = grader_ann(ann_state(submission, net, (7, 6, 4)))
    with torch.no_grad():
        logits = model(torch.from_numpy(X_val))
        loss = float(torch.nn.CrossEntropyLoss()(logits, torch.from_numpy(y_val)))
    assert_float_close("history['val_loss'][-1] (cross-entropy of the trained model on the validation set)", metrics["val_loss"][-1], loss,
                       rtol=1e-4, atol=1e-5)
    assert_accuracy_matches("history['val_accuracy'][-1] (fraction of validation rows predicted right by the trained model)",
                            metrics["val_accuracy"][-1], logits.numpy(), y_val)


@pytest.mark.graded(part="2.4", points=0.5)
def test_predict_labels_match_the_reference_logits_for_another_size(submission, reference):
    """predict on the seeded network of another size returns the argmax of the reference logits."""
    D, H, C, seed = (int(v) for v in reference["torch1_config"])
    net = submission.module("pytorch_ann").PyTorchANN(D, H, C, seed)
    labels = net.predict(Tensor(reference["torch1_X"]))
    assert_array("predict(X)", labels, shape=(len(reference["torch1_X"]),), kind="i")
    assert_labels_are_argmax(f"predict(X) of PyTorchANN({D}, {H}, {C}, seed={seed})", labels, reference["torch1_logits"])


@pytest.mark.graded(part="2.5", points=0.25)
def test_plot_has_axis_labels_and_a_legend_on_both_axes(submission):
    """Both axes of the plot have an x label, a y label and a legend naming the train and validation curves."""
    metrics = {"train_loss": [1.2, 0.8], "val_loss": [1.3, 0.9], "train_accuracy": [0.4, 0.62], "val_accuracy": [0.38, 0.57]}
    net = submission.module("pytorch_ann").PyTorchANN(6, 5, 4, 0)
    figure = net.plot_train_val_metrics(metrics["train_loss"], metrics["val_loss"], metrics["train_accuracy"], metrics["val_accuracy"])
    summary = submission.introspect("figure_summary", figure)
    assert_train_val_figure(summary, **metrics)
    for index, ax in enumerate(summary["axes"]):
        assert ax["xlabel"].strip(), f"axes {index} has no x label"
        assert ax["ylabel"].strip(), f"axes {index} has no y label"
        legend = ax["legend"] or []
        assert any("train" in text.lower() for text in legend) and any("val" in text.lower() for text in legend), (
            f"axes {index}: expected a legend naming the train and validation curves, got {ax['legend']}"
        )
