"""utils.learning_curves: the rule's three verdicts, its boundaries, and the histories it refuses."""

import math

import pytest

from utils import learning_curves
from utils.learning_curves import judge_learning_curve


def history(train_loss, val_loss, train_accuracy, val_accuracy):
    """A training history of the four curves (lists of one float per epoch)."""
    return {"train_loss": train_loss, "val_loss": val_loss, "train_accuracy": train_accuracy, "val_accuracy": val_accuracy}


LEVELLED_OFF = history([0.60, 0.40, 0.33, 0.31], [0.50, 0.40, 0.36, 0.35], [0.78, 0.86, 0.88, 0.89], [0.82, 0.86, 0.87, 0.875])


def assert_verdict(expected, curves):
    """judge_learning_curve(curves) is ``expected``."""
    verdict = judge_learning_curve(curves)
    assert verdict == expected, f"expected {expected!r}, got {verdict!r} for {curves}"


def test_a_levelled_off_curve_with_close_train_and_validation_metrics_is_generalizing():
    assert_verdict("generalizing", LEVELLED_OFF)


def test_a_training_accuracy_below_the_floor_is_underfitting():
    assert_verdict("underfitting", history([0.9, 0.85, 0.84], [0.9, 0.86, 0.85], [0.70, 0.74, 0.75], [0.70, 0.73, 0.74]))


def test_a_training_loss_still_falling_steeply_is_underfitting():
    assert_verdict("underfitting", history([0.70, 0.44], [0.47, 0.35], [0.75, 0.84], [0.82, 0.87]))


def test_a_steeply_falling_training_loss_wins_over_a_rising_validation_loss():
    assert_verdict("underfitting", history([0.69, 0.44, 0.38], [0.47, 0.35, 0.52], [0.75, 0.84, 0.86], [0.82, 0.87, 0.81]))


def test_a_large_train_validation_accuracy_gap_is_overfitting():
    assert_verdict("overfitting", history([0.30, 0.20, 0.19], [0.35, 0.37, 0.38], [0.90, 0.95, 0.96], [0.88, 0.89, 0.89]))


def test_a_validation_loss_rising_while_the_training_loss_falls_is_overfitting():
    assert_verdict("overfitting", history([0.40, 0.33, 0.31], [0.35, 0.30, 0.38], [0.86, 0.88, 0.89], [0.87, 0.88, 0.87]))


def test_a_validation_loss_rising_with_the_training_loss_is_not_overfitting():
    assert_verdict("generalizing", history([0.30, 0.33, 0.34], [0.30, 0.35, 0.38], [0.89, 0.88, 0.88], [0.88, 0.875, 0.87]))


@pytest.mark.parametrize("gap, expected", [(0.049, "generalizing"), (0.051, "overfitting")])
def test_the_accuracy_gap_boundary_is_five_points(gap, expected):
    assert_verdict(expected, history([0.33, 0.31], [0.35, 0.35], [0.88, 0.89], [0.87, 0.89 - gap]))


@pytest.mark.parametrize("final_val_loss, expected", [(0.359, "generalizing"), (0.361, "overfitting")])
def test_the_validation_loss_rise_boundary_is_twenty_percent_above_its_minimum(final_val_loss, expected):
    assert_verdict(expected, history([0.35, 0.33, 0.32], [0.30, 0.31, final_val_loss], [0.88, 0.89, 0.89], [0.88, 0.88, 0.88]))


@pytest.mark.parametrize("final_train_loss, expected", [(0.361, "generalizing"), (0.359, "underfitting")])
def test_the_still_learning_boundary_is_a_ten_percent_drop_over_the_last_epoch(final_train_loss, expected):
    assert_verdict(expected, history([0.50, 0.40, final_train_loss], [0.40, 0.36, 0.35], [0.84, 0.87, 0.88], [0.85, 0.87, 0.875]))


@pytest.mark.parametrize("train_accuracy, expected", [(0.79, "underfitting"), (0.81, "generalizing")])
def test_the_training_accuracy_floor_is_eighty_percent(train_accuracy, expected):
    assert_verdict(expected, history([0.52, 0.50], [0.52, 0.51], [0.78, train_accuracy], [0.78, train_accuracy]))


def test_a_single_epoch_is_judged_without_the_still_learning_test():
    assert_verdict("generalizing", history([0.40], [0.38], [0.86], [0.86]))


def test_a_diverged_training_is_underfitting():
    assert_verdict("underfitting", history([0.5, math.nan], [0.5, math.nan], [0.85, 0.10], [0.85, 0.10]))


def test_a_history_missing_a_curve_is_refused():
    curves = dict(LEVELLED_OFF)
    del curves["val_loss"]
    with pytest.raises(ValueError):
        judge_learning_curve(curves)


def test_curves_of_different_lengths_are_refused():
    with pytest.raises(ValueError):
        judge_learning_curve(history([0.5, 0.4], [0.5], [0.8, 0.85], [0.8, 0.85]))


def test_the_module_docstring_states_every_constant_of_the_rule():
    doc = learning_curves.__doc__
    for name in ("TRAIN_ACCURACY_FLOOR", "STILL_LEARNING_DROP", "ACCURACY_GAP", "VAL_LOSS_RISE"):
        stated = f"{name} = {getattr(learning_curves, name)}"
        assert stated in doc, f"expected the docstring to state {stated!r}, got no such text"
