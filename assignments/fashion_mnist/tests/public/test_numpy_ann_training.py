"""Public test of numpy_ann.py on the real data: NumpyANN trained with the grading schedule (part 1.10)."""

import pytest


@pytest.mark.graded(part="1.10", points=2)
def test_trained_numpy_ann_reaches_the_required_test_accuracy(trained_numpy_ann, record_property):
    """NumpyANN trained with the grading schedule reaches the required accuracy on the Fashion-MNIST test set."""
    trained_numpy_ann.assert_reaches_the_threshold(record_property)
