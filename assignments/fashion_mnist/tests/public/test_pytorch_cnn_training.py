"""Public tests of pytorch_cnn.py on the real data: PyTorchCNN trained with the grading schedule (parts 3.2 and 3.3)."""

import pytest

from checks import assert_history, assert_judgement

HISTORY_KEYS = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")


@pytest.mark.graded(part="3.2", points=2)
def test_trained_pytorch_cnn_reaches_the_required_test_accuracy(trained_pytorch_cnn):
    """PyTorchCNN trained with the grading schedule reaches the required accuracy on the Fashion-MNIST test set."""
    threshold = trained_pytorch_cnn.schedule["threshold"]
    accuracy = trained_pytorch_cnn.accuracy_on_test_set()
    assert accuracy >= threshold, (
        f"test accuracy {accuracy:.4f} is below the required {threshold:.2f} ({trained_pytorch_cnn.describe_schedule()})"
    )


@pytest.mark.graded(part="3.3", points=2)
def test_judgement_agrees_with_the_learning_curve_of_the_graded_training(trained_pytorch_cnn):
    """report_my_judgement names what the learning curves of the graded CNN training show."""
    history = assert_history(trained_pytorch_cnn.history, HISTORY_KEYS, trained_pytorch_cnn.schedule["epochs"], finite=False)
    assert_judgement(trained_pytorch_cnn.model.report_my_judgement(), history, trained_pytorch_cnn.describe_schedule())
