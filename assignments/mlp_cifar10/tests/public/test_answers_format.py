"""Public check of answers.py: it imports and defines every question's function (no answer is checked here)."""

import pytest

from autograder.sandbox import SubmissionError

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
    answers = submission.module("answers")
    missing, not_functions = [], []
    for name in QUESTIONS:
        try:
            value = getattr(answers, name)
        except SubmissionError:
            missing.append(name)
            continue
        if submission.introspect("type_name", value) != "builtins.function":
            not_functions.append(name)
    assert not missing, f"answers.py: expected a function for every question, got these missing: {missing}"
    assert not not_functions, f"answers.py: expected these names to be functions (def name(...)), got other values: {not_functions}"
