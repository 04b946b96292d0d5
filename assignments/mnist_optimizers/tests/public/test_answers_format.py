"""Public check of answers.py: it imports and defines every question's function (no expected values here)."""

import pytest

from autograder.assertions import assert_defines_functions

QUESTIONS = (
    "q1_1_obstacles", "q1_2a_weight_decay_dominates", "q1_2b_decay_factor_per_epoch", "q1_2c_decay_tails_off",
    "q2_1_larger_derivative_avoids_instability", "q2_1_justification", "q2_2a_smallest_weight", "q2_2b_window_width",
    "q2_2c_window_maximum", "q2_3_momentum_iterates", "q2_3_mu_above_one_diverges", "q2_3_negative_mu_is_slower",
    "q2_3_explanation", "q3_1_best_optimizer", "q3_2_batch_norm_effect", "q4_4_top5_discussion", "q5_1_max_pool",
    "q5_1_max_pool_backward", "q5_1_explanation", "q5_2_cnn_design",
)


@pytest.mark.graded(part="answers-format", points=0)
def test_answers_defines_every_question(submission):
    """answers.py imports and defines a function for every question."""
    assert_defines_functions(submission, "answers", QUESTIONS)
