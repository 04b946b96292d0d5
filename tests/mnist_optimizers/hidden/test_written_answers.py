"""The explanations of answers.py, collected for a person to grade (0 points here; never scored by keyword)."""

import pytest

from autograder.assertions import collect_written_answer

WRITTEN = {
    "q1_1_obstacles": "Q1.1 obstacles to learning lambda and eta by gradient descent",
    "q1_2a_weight_decay_dominates": "Q1.2(a) why weight decay dominates the first epochs",
    "q1_2c_decay_tails_off": "Q1.2(c) why the decay tails off near 1/sqrt(n)",
    "q2_1_justification": "Q2.1 justification",
    "q2_3_explanation": "Q2.3 what goes wrong with mu > 1 and mu < 0",
    "q3_1_best_optimizer": "Q3.1 which optimizer works best, and the results table",
    "q3_2_batch_norm_effect": "Q3.2 the retuned learning rate and whether batch normalisation helps",
    "q4_4_top5_discussion": "Q4.4 the top-5 classes of your own image",
    "q5_1_explanation": "Q5.1 back-propagation through convolution and max-pooling",
    "q5_2_cnn_design": "Q5.2 the CNN's design and result",
}


def written_answer_test(function, question):
    """A 0-point test named after ``question`` that collects what ``function`` of answers.py returns."""
    @pytest.mark.graded(part="written", points=0)
    def test(submission, record_property):
        collect_written_answer(question, getattr(submission.module("answers"), function)(), record_property)

    test.__doc__ = f"{question} (collected for grading by a person)"
    test.__name__ = f"test_{function}_is_collected"
    return test


for _function, _question in WRITTEN.items():
    globals()[f"test_{_function}_is_collected"] = written_answer_test(_function, _question)
