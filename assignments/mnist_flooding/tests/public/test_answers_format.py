"""Public check of answers.py: it imports and defines every question's function (no answer is checked here)."""

import pytest

from autograder.assertions import assert_defines_functions

QUESTIONS = (
    "q1_2_findings", "q1_3_small_weights", "q2_1_projection_proof", "q2_2_convex_hull_proof",
    "q3_1_gradient", "q3_1_update", "q3_2_separable_data",
    "q4_1_output", "q4_1_value_j", "q4_1_figure_choice", "q4_1_output_size", "q4_1_same_padding", "q4_1_num_parameters",
    "q4_2_dJ_dyhat1", "q4_2_dJ_dz1", "q4_2_dJ_dz2", "q4_2_dJ_dm11", "q4_2_dJ_dm12", "q4_2_dJ_dc1",
    "q4_2_dJ_dw22", "q4_2_dJ_db2", "q4_2_dJ_dw11",
    "q5_1_why_test_loss_rises", "q5_3_comparison", "q5_4_zero_training_loss", "q5_5_cnn_discussion",
)


@pytest.mark.graded(part="answers-format", points=0)
def test_answers_imports_and_defines_every_question(submission):
    """answers.py imports and defines a function for every question."""
    assert_defines_functions(submission, "answers", QUESTIONS)
