"""Public check of answers.py: it imports and defines every question's function (no answer is checked here)."""

import pytest

from autograder.assertions import assert_defines_functions

QUESTIONS = (
    "gelu_derivative", "p1a_gradient_descent", "p1b_gradient_descent", "p1b_comparison",
    "p1c_gradient_descent", "p1c_momentum", "p1c_comparison",
    "p2_and_network", "p2_or_network", "p2_xor_network", "p2_xnor_network",
    "p3a_gradient_wrt_f2", "p3b_gradient_wrt_x",
    "p4a_padding", "p4a_feature_map", "p4b_stride", "p4b_explanation", "p4c_average_pool", "p4d_pooling_as_convolution",
)


@pytest.mark.graded(part="answers-format", points=0)
def test_answers_imports_and_defines_every_question(submission):
    """answers.py imports and defines a function for every question."""
    assert_defines_functions(submission, "answers", QUESTIONS)
