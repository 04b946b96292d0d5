"""Hidden tests of answers.py: the written problems Q1 to Q5, one test per question or sub-question.

Every expected value is computed here, independently of the reference answers, with torch in float64:
autograd for the logistic ridge gradient (Q3.1) and for the graph of Q4.2 (its ReLU with the handout's
derivative, 1 at 0), ``torch.nn.functional.conv2d`` and ``torch.nn.Conv2d`` for Q4.1. Gradient functions
are run at many seeded random points and at points where the ReLU's input is exactly 0. Free-text answers
are collected for a person and score nothing here.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.assertions import as_float, assert_array, assert_array_close, collect_written_answer, describe
from checks import dag_gradients, dag_points, logistic_problems, ridge_logistic_gradient

# Q4.1: the image and filter of the handout.
Q4_1_IMAGE = np.array([
    [-15, -10, -13, 12, 6, 2],
    [8, 12, 10, -1, 3, -15],
    [8, 10, 11, -14, -14, 5],
    [-4, 4, -11, -6, 13, 14],
    [-13, 3, 8, -3, -2, 15],
    [14, 12, -2, -9, -11, 0],
], dtype=np.float64)
Q4_1_FILTER = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float64) / 16.0
GRADIENT_RTOL, GRADIENT_ATOL = 1e-6, 1e-9
DAG_RANDOM_POINTS, DAG_KINK_POINTS = 40, 8


@pytest.fixture
def answers(submission):
    """The submitted answers module (a proxy for the module in the worker)."""
    return submission.module("answers")


def as_int(name, value):
    """``value`` as a Python int; an integer (or a float with an integer value) is required."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iu":
        return int(value.reshape(()))
    assert isinstance(value, int) and not isinstance(value, bool), f"{name}: expected an int, got {describe(value)}"
    return value


def int_pair(name, value):
    """``value`` as a tuple of two ints."""
    assert isinstance(value, (list, tuple, np.ndarray)) and len(value) == 2, f"{name}: expected two ints (a tuple), got {describe(value)}"
    return tuple(as_int(f"{name}[{i}]", item) for i, item in enumerate(value))


def convolution_output():
    """Q4.1's Y: the image convolved (cross-correlated, as a CNN layer) with the filter, no padding, stride 1: (4, 4)."""
    image = torch.from_numpy(Q4_1_IMAGE)[None, None]
    return F.conv2d(image, torch.from_numpy(Q4_1_FILTER)[None, None]).numpy()[0, 0]


def output_shape(size, kernel, stride, padding):
    """(height, width) of a conv2d output, measured by running torch's conv2d on zeros."""
    out = F.conv2d(torch.zeros(1, 1, *size), torch.zeros(1, 1, *kernel), stride=stride, padding=padding)
    return tuple(out.shape[2:])


def assert_close_number(question, returned, expected, where):
    """A returned float within GRADIENT_RTOL / GRADIENT_ATOL of the expected one, naming the point."""
    value = as_float(f"{question} at {where}", returned)
    assert np.isclose(value, expected, rtol=GRADIENT_RTOL, atol=GRADIENT_ATOL), (
        f"{question} at {where}: expected {expected:.10g} (torch autograd), got {value:.10g}")


def assert_dag_gradient(answers, function, key, question, seed):
    """``answers.<function>(x, y, theta)`` equals autograd's dJ/d<key> at random points and at points on the ReLU's kink."""
    for index, (x, y, theta) in enumerate(dag_points(seed, DAG_RANDOM_POINTS, DAG_KINK_POINTS)):
        expected = dag_gradients(x, y, theta)[key]
        kink = " (w11 x1 + w21 x2 = 0: ReLU'(0) = 1)" if index >= DAG_RANDOM_POINTS else ""
        where = f"point {index}{kink}: x={np.round(x, 4).tolist()}, y={np.round(y, 4).tolist()}, theta={ {k: round(v, 4) for k, v in theta.items()} }"
        assert_close_number(question, getattr(answers, function)(x, y, theta), expected, where)


# ---------------------------------------------------------------- Q3


@pytest.mark.graded(part="3.1", points=4)
def test_q3_1_gradient_of_the_logistic_ridge_objective(answers):
    """Q3.1 gradient df/dtheta of logistic ridge regression (torch autograd, rtol 1e-6, atol 1e-9)."""
    for index, (theta, X, y, lam, _) in enumerate(logistic_problems(31, 8)):
        returned = answers.q3_1_gradient(theta, X, y, lam)
        assert_array_close(f"Q3.1 q3_1_gradient on problem {index} (N={len(y)}, M+1={len(theta)}, lam={lam:.3f})",
                           returned, ridge_logistic_gradient(theta, X, y, lam), rtol=GRADIENT_RTOL, atol=GRADIENT_ATOL)


@pytest.mark.graded(part="3.1", points=1)
def test_q3_1_gradient_descent_update(answers):
    """Q3.1 update: theta - eta * df/dtheta, every component at once (torch autograd, rtol 1e-6, atol 1e-9)."""
    for index, (theta, X, y, lam, eta) in enumerate(logistic_problems(32, 6)):
        expected = theta - eta * ridge_logistic_gradient(theta, X, y, lam)
        assert_array_close(f"Q3.1 q3_1_update on problem {index} (lam={lam:.3f}, eta={eta:.3f})",
                           answers.q3_1_update(theta, X, y, lam, eta), expected, rtol=GRADIENT_RTOL, atol=GRADIENT_ATOL)


# ---------------------------------------------------------------- Q4.1


@pytest.mark.graded(part="4.1", points=1.5)
def test_q4_1_value_of_j(answers):
    """Q4.1 value of j, Y[2, 1] of X convolved with F (torch conv2d, atol 1e-9)."""
    expected = float(convolution_output()[2, 1])
    value = as_float("Q4.1 q4_1_value_j()", answers.q4_1_value_j())
    assert np.isclose(value, expected, rtol=0, atol=1e-9), f"Q4.1 value of j: expected {expected:.10g}, got {value:.10g}"


@pytest.mark.graded(part="4.1", points=0.5)
def test_q4_1_whole_output(answers):
    """Q4.1 the whole output Y (4, 4) of X convolved with F (torch conv2d, atol 1e-9)."""
    returned = answers.q4_1_output()
    assert_array("Q4.1 q4_1_output()", returned, shape=(4, 4))
    assert_array_close("Q4.1 q4_1_output()", returned, convolution_output(), rtol=0, atol=1e-9)


@pytest.mark.graded(part="4.1", points=2)
def test_q4_1_output_size(answers):
    """Q4.1 output size of a (6, 4) input with a (2, 2) filter, no padding, stride (2, 2) (measured with torch conv2d)."""
    expected = output_shape((6, 4), (2, 2), stride=2, padding=0)
    returned = int_pair("Q4.1 q4_1_output_size()", answers.q4_1_output_size())
    assert returned == expected, f"Q4.1 output size (height, width): expected {expected}, got {returned}"


@pytest.mark.graded(part="4.1", points=2)
def test_q4_1_padding_that_keeps_the_size(answers):
    """Q4.1 smallest padding (top=bottom, left=right) keeping a (6, 4) input's size with a (2, 2) filter, stride 2 (torch conv2d)."""
    heights = [p for p in range(7) if output_shape((6, 4), (2, 2), stride=2, padding=(p, 0))[0] == 6]
    widths = [p for p in range(7) if output_shape((6, 4), (2, 2), stride=2, padding=(0, p))[1] == 4]
    expected = (heights[0], widths[0])
    returned = int_pair("Q4.1 q4_1_same_padding()", answers.q4_1_same_padding())
    assert returned == expected, f"Q4.1 padding (top=bottom, left=right): expected {expected}, got {returned}"


@pytest.mark.graded(part="4.1", points=2)
def test_q4_1_number_of_parameters(answers):
    """Q4.1 parameters of one 4x4 filter, stride 2, on 22x22 grey images, no bias (counted on torch.nn.Conv2d)."""
    layer = torch.nn.Conv2d(1, 1, kernel_size=4, stride=2, bias=False)
    expected = sum(parameter.numel() for parameter in layer.parameters())
    returned = as_int("Q4.1 q4_1_num_parameters()", answers.q4_1_num_parameters())
    assert returned == expected, f"Q4.1 number of parameters: expected {expected}, got {returned}"


# ---------------------------------------------------------------- Q4.2


@pytest.mark.graded(part="4.2", points=2)
def test_q4_2_1_gradient_with_respect_to_yhat1(answers):
    """Q4.2.1 dJ/dyhat1 as a function of y1 and yhat1 (torch autograd at 40 random points, rtol 1e-6, atol 1e-9)."""
    rng = np.random.default_rng(421)
    for index in range(40):
        y1 = float(rng.normal(0, 2))
        yhat1 = y1 + float(rng.choice([-1, 1]) * rng.uniform(0.05, 3))
        yhat = torch.tensor(yhat1, dtype=torch.float64, requires_grad=True)
        torch.log((y1 - yhat) ** 2).backward()
        assert_close_number("Q4.2.1 q4_2_dJ_dyhat1", answers.q4_2_dJ_dyhat1(y1, yhat1), float(yhat.grad),
                            f"point {index}: y1={y1:.6g}, yhat1={yhat1:.6g}")


@pytest.mark.graded(part="4.2", points=1)
def test_q4_2_2_gradient_with_respect_to_z1(answers):
    """Q4.2.2 dJ/dz1 (torch autograd at 48 points, 8 on the ReLU's kink; rtol 1e-6, atol 1e-9)."""
    assert_dag_gradient(answers, "q4_2_dJ_dz1", "z1", "Q4.2.2 dJ/dz1", seed=4221)


@pytest.mark.graded(part="4.2", points=1)
def test_q4_2_2_gradient_with_respect_to_z2(answers):
    """Q4.2.2 dJ/dz2 (torch autograd at 48 points, 8 on the ReLU's kink; rtol 1e-6, atol 1e-9)."""
    assert_dag_gradient(answers, "q4_2_dJ_dz2", "z2", "Q4.2.2 dJ/dz2", seed=4222)


@pytest.mark.graded(part="4.2", points=1)
def test_q4_2_2_gradient_with_respect_to_m11(answers):
    """Q4.2.2 dJ/dm11 (torch autograd at 48 points, 8 on the ReLU's kink; rtol 1e-6, atol 1e-9)."""
    assert_dag_gradient(answers, "q4_2_dJ_dm11", "m11", "Q4.2.2 dJ/dm11", seed=4223)


@pytest.mark.graded(part="4.2", points=1)
def test_q4_2_2_gradient_with_respect_to_m12(answers):
    """Q4.2.2 dJ/dm12 (torch autograd at 48 points, 8 on the ReLU's kink; rtol 1e-6, atol 1e-9)."""
    assert_dag_gradient(answers, "q4_2_dJ_dm12", "m12", "Q4.2.2 dJ/dm12", seed=4224)


@pytest.mark.graded(part="4.2", points=1)
def test_q4_2_2_gradient_with_respect_to_c1(answers):
    """Q4.2.2 dJ/dc1 (torch autograd at 48 points, 8 on the ReLU's kink; rtol 1e-6, atol 1e-9)."""
    assert_dag_gradient(answers, "q4_2_dJ_dc1", "c1", "Q4.2.2 dJ/dc1", seed=4225)


@pytest.mark.graded(part="4.2", points=1)
def test_q4_2_3_gradient_with_respect_to_w22(answers):
    """Q4.2.3 dJ/dw22 (torch autograd at 48 points, 8 on the ReLU's kink; rtol 1e-6, atol 1e-9)."""
    assert_dag_gradient(answers, "q4_2_dJ_dw22", "w22", "Q4.2.3 dJ/dw22", seed=4231)


@pytest.mark.graded(part="4.2", points=1)
def test_q4_2_3_gradient_with_respect_to_b2(answers):
    """Q4.2.3 dJ/db2 (torch autograd at 48 points, 8 on the ReLU's kink; rtol 1e-6, atol 1e-9)."""
    assert_dag_gradient(answers, "q4_2_dJ_db2", "b2", "Q4.2.3 dJ/db2", seed=4232)


@pytest.mark.graded(part="4.2", points=2)
def test_q4_2_3_gradient_with_respect_to_w11_with_the_relu_cases(answers):
    """Q4.2.3 dJ/dw11 with ReLU'(a) = 0 for a < 0, 1 otherwise (autograd at 48 points, 8 with a = 0; rtol 1e-6, atol 1e-9)."""
    assert_dag_gradient(answers, "q4_2_dJ_dw11", "w11", "Q4.2.3 dJ/dw11", seed=4233)


# ---------------------------------------------------------------- written answers


@pytest.mark.graded(part="written", points=0)
def test_q1_2_findings_is_collected(answers, record_property):
    """Q1.2 findings on learning rate, activation, depth and regularisation (collected for a person to grade)."""
    collect_written_answer("Q1.2 findings on learning rate, activation, depth and regularisation", answers.q1_2_findings(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_q1_3_small_weights_is_collected(answers, record_property):
    """Q1.3 small weights and smaller models (collected for a person to grade)."""
    collect_written_answer("Q1.3 small weights and smaller models", answers.q1_3_small_weights(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_q2_1_projection_proof_is_collected(answers, record_property):
    """Q2.1 least squares as an orthogonal projection (proof) (collected for a person to grade)."""
    collect_written_answer("Q2.1 least squares as an orthogonal projection (proof)", answers.q2_1_projection_proof(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_q2_2_convex_hull_proof_is_collected(answers, record_property):
    """Q2.2 convex hulls and linear separability (proof) (collected for a person to grade)."""
    collect_written_answer("Q2.2 convex hulls and linear separability (proof)", answers.q2_2_convex_hull_proof(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_q3_2_separable_data_is_collected(answers, record_property):
    """Q3.2 separable data and l1 / l2 regularisation (collected for a person to grade)."""
    collect_written_answer("Q3.2 separable data and l1 / l2 regularisation", answers.q3_2_separable_data(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_q4_1_figure_choice_is_collected(answers, record_property):
    """Q4.1 which of Figure 3b and 3c is the output (collected for a person to grade)."""
    collect_written_answer("Q4.1 which of Figure 3b and 3c is the output", answers.q4_1_figure_choice(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_q5_1_why_test_loss_rises_is_collected(answers, record_property):
    """Q5.1 why the test loss rises (collected for a person to grade)."""
    collect_written_answer("Q5.1 why the test loss rises", answers.q5_1_why_test_loss_rises(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_q5_3_comparison_is_collected(answers, record_property):
    """Q5.3 flooding against the baseline (collected for a person to grade)."""
    collect_written_answer("Q5.3 flooding against the baseline", answers.q5_3_comparison(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_q5_4_zero_training_loss_is_collected(answers, record_property):
    """Q5.4 do we need zero training loss (collected for a person to grade)."""
    collect_written_answer("Q5.4 do we need zero training loss", answers.q5_4_zero_training_loss(), record_property)


@pytest.mark.graded(part="written", points=0)
def test_q5_5_cnn_discussion_is_collected(answers, record_property):
    """Q5.5 the CNN against the one-hidden-layer network (collected for a person to grade)."""
    collect_written_answer("Q5.5 the CNN against the one-hidden-layer network", answers.q5_5_cnn_discussion(), record_property)
