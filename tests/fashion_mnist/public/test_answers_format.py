"""Public check of answers.py: it imports and defines every question's function (no answer is checked here)."""

import pytest

from autograder.assertions import assert_defines_functions

QUESTIONS = (
    "q1_1_sigmoid_activations_are_bounded_by_0_and_1", "q1_1_justification",
    "q1_2_sigmoid_slope_exceeds_tanh_slope_near_0", "q1_2_justification",
    "q1_3_fully_connected_neurons_share_weights", "q1_3_justification",
    "relu_derivative", "leaky_relu_derivative", "elu_derivative",
    "relu_wx_gradient", "leaky_relu_wx_gradient", "elu_wx_gradient",
    "relu_neuron_is_dead", "q2_4_leaky_relu_and_elu_neurons_can_die", "q2_4_explanation",
    "q3_1a_output", "q3_1a_e", "q3_1a_v", "q3_1b_output_size",
    "q3_2a_true_options", "q3_2b_hyperparameters", "q3_2c_parameters", "q3_2d_parameters", "q3_2e_parameters",
)


@pytest.mark.graded(part="answers-format", points=0)
def test_answers_imports_and_defines_every_question(submission):
    """answers.py imports and defines a function for every question."""
    assert_defines_functions(submission, "answers", QUESTIONS)
