"""Hidden tests of answers.py's explanations: each is collected for a person to grade (0 points here, never scored by keyword)."""

import pytest

from autograder.assertions import collect_written_answer
from checks import WRITTEN_ANSWERS


def collect(submission, record_property, function):
    """Collect the text that answers.py's ``function`` returns, under its question's name."""
    collect_written_answer(WRITTEN_ANSWERS[function], getattr(submission.module("answers"), function)(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_q1a_zero_initialisation_is_collected(submission, record_property):
    """Q 1A: why the zero-initialised ReLU network does not learn (collected for a person)."""
    collect(submission, record_property, "q1a_zero_initialisation")


@pytest.mark.graded(part="written", points=0)
def test_q1b_sigmoid_networks_is_collected(submission, record_property):
    """Q 1B: the sigmoid networks compared with the ReLU ones (collected for a person)."""
    collect(submission, record_property, "q1b_sigmoid_networks")


@pytest.mark.graded(part="written", points=0)
def test_q1c_dying_relu_is_collected(submission, record_property):
    """Q 1C: the dying ReLU problem without shuffling (collected for a person)."""
    collect(submission, record_property, "q1c_dying_relu")


@pytest.mark.graded(part="written", points=0)
def test_q1e_why_not_fewer_layers_is_collected(submission, record_property):
    """Q 1E: why fewer layers cannot compute XOR (collected for a person)."""
    collect(submission, record_property, "q1e_why_not_fewer_layers")


@pytest.mark.graded(part="written", points=0)
def test_q2a_versions_is_collected(submission, record_property):
    """Q 2A: torch and torchvision versions (collected for a person)."""
    collect(submission, record_property, "q2a_versions")


@pytest.mark.graded(part="written", points=0)
def test_q2b_the_data_is_collected(submission, record_property):
    """Q 2B: image size, pixel values, training and test set sizes (collected for a person)."""
    collect(submission, record_property, "q2b_the_data")


@pytest.mark.graded(part="written", points=0)
def test_q3a_zero_padding_is_collected(submission, record_property):
    """Q 3A: a benefit and a drawback of zero padding (collected for a person)."""
    collect(submission, record_property, "q3a_zero_padding")


@pytest.mark.graded(part="written", points=0)
def test_q3f_pooling_and_noise_is_collected(submission, record_property):
    """Q 3F: why pooling helps with shifted, noisy images (collected for a person)."""
    collect(submission, record_property, "q3f_pooling_and_noise")


@pytest.mark.graded(part="written", points=0)
def test_q3g_discussion_is_collected(submission, record_property):
    """Q 3G: design strategies, regularisers, and validating on the test set (collected for a person)."""
    collect(submission, record_property, "q3g_discussion")
