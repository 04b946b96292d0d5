"""Public check of answers.py: it imports and defines every answer function (no expected value is shown here)."""

import pytest

from autograder.assertions import assert_defines_functions
from checks import COMPUTED_ANSWERS, WRITTEN_ANSWERS


@pytest.mark.graded(part="answers-format", points=0)
def test_answers_imports_and_defines_every_answer_function(submission):
    """answers.py imports and defines every answer function."""
    assert_defines_functions(submission, "answers", (*COMPUTED_ANSWERS, *WRITTEN_ANSWERS))
