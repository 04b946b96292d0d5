"""Public tests of pytorch_ann.py on the real data: PyTorchANN trained with the grading schedule (parts 2.5 to 2.7)."""

import pytest

from checks import assert_train_val_figure


@pytest.mark.graded(part="2.6", points=2)
def test_trained_pytorch_ann_reaches_the_required_test_accuracy(trained_pytorch_ann, record_property):
    """PyTorchANN trained with the grading schedule reaches the required accuracy on the Fashion-MNIST test set."""
    trained_pytorch_ann.assert_reaches_the_threshold(record_property)


@pytest.mark.graded(part="2.7", points=1)
def test_judgement_agrees_with_the_learning_curve_of_the_graded_training(trained_pytorch_ann):
    """report_my_judgement names what the learning curves of the graded training show."""
    trained_pytorch_ann.assert_judgement_matches_the_rule()


@pytest.mark.graded(part="2.5", points=0.25)
def test_plot_of_the_graded_training_history_shows_its_curves(submission, trained_pytorch_ann):
    """plot_train_val_metrics on the graded training's history draws its four curves."""
    history = trained_pytorch_ann.checked_history()
    figure = trained_pytorch_ann.model.plot_train_val_metrics(history["train_loss"], history["val_loss"],
                                                              history["train_accuracy"], history["val_accuracy"])
    assert_train_val_figure(submission.introspect("figure_summary", figure), **history)
