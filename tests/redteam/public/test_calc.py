"""Public tests of the corpus assignment: two small functions and a class any honest submission gets right."""

import numpy as np
import pytest

from autograder.assertions import as_float, assert_array_close, assert_float_close


@pytest.mark.graded(part="1", points=1)
def test_add_returns_the_sum(submission):
    """add(2, 3) is 5."""
    assert_float_close("add(2, 3)", as_float("add(2, 3)", submission.module("calc").add(2, 3)), 5.0)


@pytest.mark.graded(part="1", points=1)
def test_mean_rows_returns_the_mean_of_each_row(submission):
    """mean_rows(X) is the (N,) mean of each row of X (N, D)."""
    X = np.arange(12, dtype=np.float64).reshape(3, 4)
    assert_array_close("mean_rows(X)", submission.module("calc").mean_rows(X), X.mean(axis=1))


@pytest.mark.graded(part="4", points=1)
def test_a_tally_starts_at_its_start(submission):
    """Tally(10).total is 10."""
    tally = submission.module("calc").Tally(10)
    assert_float_close("Tally(10).total", as_float("Tally(10).total", tally.total), 10.0)


@pytest.mark.graded(part="4", points=1)
def test_a_tally_adds(submission):
    """Tally(10).add(5) returns the new total, 15."""
    tally = submission.module("calc").Tally(10)
    assert_float_close("Tally(10).add(5)", as_float("Tally(10).add(5)", tally.add(5)), 15.0)
