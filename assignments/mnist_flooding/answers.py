"""Answers to the written problems of homework 2 (Q1 to Q5), one function per question.

Questions with a computed answer (a gradient, a convolution, an output size) are graded by running
your function: by comparing what it returns with the grader's own computation (torch autograd,
torch's conv2d) on the handout's data or on many random inputs. Questions that ask for an
explanation or a proof return a string: it is collected for a person to grade, never scored by
keywords. Each function raises NotImplementedError until you answer it, and an unanswered question
costs only its own points.

Only ``math`` and ``numpy`` may be imported here. Conventions:

- Q4.1: "convolution" is what a CNN layer computes (cross-correlation, as torch's conv2d); no bias.
- Q4.2: ``x`` is a sequence (x1, x2, x3), ``y`` a sequence (y1, y2) and ``theta`` a dict of the nine
  parameters named "w11", "w21", "w22", "w32", "m11", "m12", "m22", "b2", "c1" (w_{1,1} is "w11", ...).
  Every gradient is a float at the given point, with ReLU'(0) = 1 as the handout defines it.
"""

import math

import numpy as np

# Q4.1's image X (6, 6) and filter F (3, 3).
Q4_1_IMAGE = np.array([
    [-15, -10, -13, 12, 6, 2],
    [8, 12, 10, -1, 3, -15],
    [8, 10, 11, -14, -14, 5],
    [-4, 4, -11, -6, 13, 14],
    [-13, 3, 8, -3, -2, 15],
    [14, 12, -2, -9, -11, 0],
], dtype=np.float64)
Q4_1_FILTER = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float64) / 16.0
Q4_2_PARAMETERS = ("w11", "w21", "w22", "w32", "m11", "m12", "m22", "b2", "c1")


def sigmoid(value):
    """The logistic function 1 / (1 + exp(-value)) of a float."""
    return 1.0 / (1.0 + math.exp(-value)) if value >= 0 else math.exp(value) / (1.0 + math.exp(value))


def dag_forward(x, theta):
    """The forward pass of Q4.2's graph: {"a1", "z1", "z2", "u1", "yhat1", "yhat2"} as floats.

    a1 = w11 x1 + w21 x2 (the input of the ReLU), z1 = ReLU(a1), z2 = w22 x2^2 + w32 x3 + b2,
    u1 = m11 z1^3 + c1 (the input of the sigmoid), yhat1 = sigmoid(u1), yhat2 = m12 sin(z1) + m22 cos(z2).
    """
    x1, x2, x3 = (float(value) for value in x)
    a1 = theta["w11"] * x1 + theta["w21"] * x2
    z1 = max(a1, 0.0)
    z2 = theta["w22"] * x2 ** 2 + theta["w32"] * x3 + theta["b2"]
    u1 = theta["m11"] * z1 ** 3 + theta["c1"]
    return {"a1": a1, "z1": z1, "z2": z2, "u1": u1, "yhat1": sigmoid(u1),
            "yhat2": theta["m12"] * math.sin(z1) + theta["m22"] * math.cos(z2)}


# ----------------------------------------------------------------------------------------------
# Q1 A deep-learning playground (written; the screenshot of Q1.1 goes in playground.png)
# ----------------------------------------------------------------------------------------------

def q1_2_findings():
    """Q1.2: how (1) the learning rate, (2) the activation, (3) the number of hidden layers and (4) the
    regularisation affected performance and convergence in the playground. Returns a str."""
    raise NotImplementedError


def q1_3_small_weights():
    """Q1.3: do some weights become very small after training, and does that suggest a smaller model would
    do as well? Returns a str."""
    raise NotImplementedError


# ----------------------------------------------------------------------------------------------
# Q2 Linear models (proofs, written)
# ----------------------------------------------------------------------------------------------

def q2_1_projection_proof():
    """Q2.1: show that the least-squares prediction X theta* is the orthogonal projection of y onto the
    column space of X. Returns a str (the proof)."""
    raise NotImplementedError


def q2_2_convex_hull_proof():
    """Q2.2: show that if the convex hulls of {x_n} and {y_n} intersect the sets are not linearly separable,
    and conversely that linearly separable sets have disjoint hulls. Returns a str (the proof)."""
    raise NotImplementedError


# ----------------------------------------------------------------------------------------------
# Q3 Logistic regression
# ----------------------------------------------------------------------------------------------

def q3_1_gradient(theta, X, y, lam):
    """Q3.1: the gradient of f(theta) = J(theta) + (lam / 2) sum_j theta_j^2, with J the average negative
    log-likelihood of binary logistic regression; entry k is df/dtheta_k.

    Inputs:
    - theta: float array (M + 1,).
    - X: float array (N, M + 1), one example per row (its last column is the constant feature 1).
    - y: array (N,) of labels 0 or 1.
    - lam: the regularisation weight, a float.

    Returns a float array (M + 1,).
    """
    raise NotImplementedError


def q3_1_update(theta, X, y, lam, eta):
    """Q3.1: theta after one gradient-descent step of learning rate ``eta`` on f (every theta_k updated at once).

    Inputs as for ``q3_1_gradient``, and eta a float. Returns a float array (M + 1,).
    """
    raise NotImplementedError


def q3_2_separable_data():
    """Q3.2: (1) why the weights of unregularised logistic regression grow without bound on data separable in
    one dimension; (2) how l1 and l2 regularisation each correct it. Returns a str."""
    raise NotImplementedError


# ----------------------------------------------------------------------------------------------
# Q4.1 Convolutional layers
# ----------------------------------------------------------------------------------------------

def q4_1_output():
    """Q4.1: Y, the image X convolved with F without padding, stride 1 (no bias). Returns a float array (4, 4)."""
    raise NotImplementedError


def q4_1_value_j():
    """Q4.1: the entry j of Y (third row, second column). Returns a float."""
    raise NotImplementedError


def q4_1_figure_choice():
    """Q4.1: which of Figure 3b and 3c is more likely the output of convolving Figure 3a with F, and why.
    Returns a str."""
    raise NotImplementedError


def q4_1_output_size():
    """Q4.1: the output size (height, width) for a (6, 4) input, a (2, 2) filter, no padding, stride (2, 2).
    Returns a tuple of two ints."""
    raise NotImplementedError


def q4_1_same_padding():
    """Q4.1: the padding (top = bottom, left = right) that keeps the output of that layer (6, 4): for each
    dimension the smallest padding p giving an output as large as the input. Returns (top_bottom, left_right) ints."""
    raise NotImplementedError


def q4_1_num_parameters():
    """Q4.1: the number of parameters learned by a layer of one 4x4 filter with stride 2 and no padding on 22x22
    black-and-white images (no bias, as Q4.1 says). Returns an int."""
    raise NotImplementedError


# ----------------------------------------------------------------------------------------------
# Q4.2 Back-propagation through the DAG
# ----------------------------------------------------------------------------------------------

def q4_2_dJ_dyhat1(y1, yhat1):
    """Q4.2.1: dJ/dyhat1 for J = log((y1 - yhat1)^2) + log((y2 - yhat2)^2), given floats y1 and yhat1 (y1 != yhat1).
    Returns a float."""
    raise NotImplementedError


def output_gradients(x, y, theta):
    """A helper for the functions below (yours to write, change or drop; it is not graded):
    ((dJ/dyhat1, dJ/dyhat2), dag_forward(x, theta)) at the point (x, y, theta)."""
    raise NotImplementedError


def q4_2_dJ_dz1(x, y, theta):
    """Q4.2.2: dJ/dz1 at (x, y, theta) (z1 feeds both yhat1 and yhat2). Returns a float."""
    raise NotImplementedError


def q4_2_dJ_dz2(x, y, theta):
    """Q4.2.2: dJ/dz2 at (x, y, theta). Returns a float."""
    raise NotImplementedError


def q4_2_dJ_dm11(x, y, theta):
    """Q4.2.2: dJ/dm11 at (x, y, theta). Returns a float."""
    raise NotImplementedError


def q4_2_dJ_dm12(x, y, theta):
    """Q4.2.2: dJ/dm12 at (x, y, theta). Returns a float."""
    raise NotImplementedError


def q4_2_dJ_dc1(x, y, theta):
    """Q4.2.2: dJ/dc1 at (x, y, theta). Returns a float."""
    raise NotImplementedError


def q4_2_dJ_dw22(x, y, theta):
    """Q4.2.3: dJ/dw22 at (x, y, theta). Returns a float."""
    raise NotImplementedError


def q4_2_dJ_db2(x, y, theta):
    """Q4.2.3: dJ/db2 at (x, y, theta). Returns a float."""
    raise NotImplementedError


def q4_2_dJ_dw11(x, y, theta):
    """Q4.2.3: dJ/dw11 at (x, y, theta), with ReLU'(a) = 0 for a < 0 and 1 otherwise (a = 0 included). Returns a float."""
    raise NotImplementedError


# ----------------------------------------------------------------------------------------------
# Q5 Zero training loss (written parts; the code is flooding.py and cnn.py)
# ----------------------------------------------------------------------------------------------

def q5_1_why_test_loss_rises():
    """Q5.1: a possible explanation of why the test loss rises while the training loss keeps falling. Returns a str."""
    raise NotImplementedError


def q5_3_comparison():
    """Q5.3: how the final performance under the best flood level compares with Q5.2's. Returns a str."""
    raise NotImplementedError


def q5_4_zero_training_loss():
    """Q5.4: from these experiments, do we need zero training loss after reaching zero training error? Returns a str."""
    raise NotImplementedError


def q5_5_cnn_discussion():
    """Q5.5: how the CNN compares with the one-hidden-layer network, and why. Returns a str."""
    raise NotImplementedError
