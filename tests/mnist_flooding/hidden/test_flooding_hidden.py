"""Hidden test of flooding.py (part 5.3): the flooded objective on further known inputs."""

import numpy as np
import pytest

from autograder.assertions import assert_array_close
from autograder.worker.protocol import Tensor


@pytest.mark.graded(part="5.3", points=0.5)
def test_flooded_loss_matches_the_formula_on_further_inputs(submission, reference):
    """flooded_loss(R, b) = |R - b| + b on further loss values and levels, the loss exactly at b included."""
    flooding = submission.module("flooding")
    for losses, level, expected in zip(reference["flood_losses"], reference["flood_levels"], reference["flood_values"]):
        value = flooding.flooded_loss(Tensor(losses), float(level))
        assert_array_close(f"flooded_loss(R, b={level:.2f}) for R = {np.round(losses, 4).tolist()} (expected |R - b| + b)",
                           value, expected, rtol=1e-6, atol=1e-7)
