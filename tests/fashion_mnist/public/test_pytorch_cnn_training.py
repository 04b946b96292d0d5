"""Public tests of pytorch_cnn.py on the real data: PyTorchCNN trained with the grading schedule (parts 3.2 and 3.3)."""

import pytest


@pytest.mark.graded(part="3.2", points=2)
def test_trained_pytorch_cnn_reaches_the_required_test_accuracy(trained_pytorch_cnn, record_property):
    """PyTorchCNN trained with the grading schedule reaches the required accuracy on the Fashion-MNIST test set."""
    trained_pytorch_cnn.assert_reaches_the_threshold(record_property)


@pytest.mark.graded(part="3.3", points=2)
def test_judgement_agrees_with_the_learning_curve_of_the_graded_training(trained_pytorch_cnn):
    """report_my_judgement names what the learning curves of the graded CNN training show."""
    trained_pytorch_cnn.assert_judgement_matches_the_rule()
