"""Public check of answers.py: it imports and defines every answer function (no expected value is shown here)."""

import pytest

from autograder.sandbox import SubmissionError
from checks import COMPUTED_ANSWERS, WRITTEN_ANSWERS


@pytest.mark.graded(part="answers-format", points=0)
def test_answers_imports_and_defines_every_answer_function(submission):
    """answers.py imports and defines every answer function."""
    module = submission.module("answers")
    missing = []
    for name in (*COMPUTED_ANSWERS, *WRITTEN_ANSWERS):
        try:
            getattr(module, name)
        except SubmissionError:
            missing.append(name)
    assert not missing, f"answers.py should define {len(COMPUTED_ANSWERS) + len(WRITTEN_ANSWERS)} answer functions; missing: {missing}"
