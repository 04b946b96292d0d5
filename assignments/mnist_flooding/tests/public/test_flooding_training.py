"""Public tests of flooding.py's training (part 5.2): build_mlp() trained by fit with the grading schedule
([training.mlp]) on the grader's 8:2 split; its error curves, their figure, and its test accuracy.

The handout's 500 epochs on all of MNIST are yours to run; the grader runs a short seeded schedule.
The errors the curves end with are checked against the grader's own count of the model's mistakes.
"""

import numpy as np
import pytest

from checks import assert_error_matches


@pytest.mark.graded(part="5.2", points=2)
def test_fit_returns_one_error_per_epoch_in_percent_ending_at_the_models_errors(trained_mlp, record_property):
    """fit's history has one value per epoch; its last training and validation errors are the model's, in percent."""
    curves = trained_mlp.curves()
    for split, key in (("train", "train_error"), ("val", "val_error")):
        assert_error_matches(f"history[{key!r}][-1], after the last epoch ({trained_mlp.describe()})", curves[key][-1],
                             trained_mlp.error_percent(split))
    record_property("output", f"training errors {np.round(curves['train_error'], 2).tolist()}%, "
                              f"validation errors {np.round(curves['val_error'], 2).tolist()}%")


@pytest.mark.graded(part="5.2", points=1)
def test_the_figure_shows_the_training_and_validation_error_curves(submission, trained_mlp):
    """plot_error_curves(history, title) draws the training and validation errors against the epoch, labelled."""
    curves = trained_mlp.curves()
    figure = submission.module("flooding").plot_error_curves(trained_mlp.history, "no flooding")
    summary = submission.introspect("figure_summary", figure)
    lines = [line for axes in summary["axes"] for line in axes["lines"]]
    epochs = list(range(1, len(curves["train_error"]) + 1))
    for word, key in (("train", "train_error"), ("valid", "val_error")):
        found = [line for line in lines if word in line["label"].lower()]
        assert len(found) == 1, (f"plot_error_curves: expected one line labelled with '{word}', got labels "
                                 f"{[line['label'] for line in lines]}")
        assert np.allclose(found[0]["y"], curves[key]) and found[0]["x"] == epochs, (
            f"plot_error_curves: the '{found[0]['label']}' line should plot history[{key!r}] = {curves[key]} against epochs {epochs}, "
            f"got x = {found[0]['x']}, y = {found[0]['y']}")
    assert any("%" in axes["ylabel"] for axes in summary["axes"]), (
        f"plot_error_curves: expected a y label in percent (e.g. 'error (%)'), got {[axes['ylabel'] for axes in summary['axes']]}")


@pytest.mark.graded(part="5.2", points=1.5)
def test_the_trained_mlp_reaches_the_accuracy_threshold(trained_mlp, record_property):
    """build_mlp() trained by fit with the grading schedule reaches the test-accuracy threshold."""
    trained_mlp.assert_reaches_the_threshold(record_property, "build_mlp()")
