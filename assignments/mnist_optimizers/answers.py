"""The written problems of this homework (Problems 1, 2 and 5.1, and the discussions of 3, 4 and 5.2).

One function per question. Questions with a computable answer return numbers, arrays or booleans,
or are small functions the grader runs on inputs of its choice; the docstring says the type and
shape, and the grader's tolerance. Questions that ask for an explanation return a string, which a
person grades (it is never scored by keyword). Compute answers with code where you can: the grader
computes its expected values with its own, independent code.

Only ``math`` and ``numpy`` may be imported here.
"""

import math

import numpy as np


# ----------------------------------------------------------------------------------------------
# Problem 1: learning hyper-parameters by gradient descent; L2 regularisation and weight decay
# ----------------------------------------------------------------------------------------------

def q1_1_obstacles():
    """Q1.1: what stands in the way of learning the regularisation strength lambda, and the learning rate eta, by gradient descent?

    Returns:
    - str: your explanation, for both lambda and eta.
    """
    raise NotImplementedError


def q1_2a_weight_decay_dominates():
    """Q1.2(a): why, with weights initialised N(0, 1) and lambda not too small, do the first epochs consist mostly of weight decay?

    Returns:
    - str: your heuristic argument.
    """
    raise NotImplementedError


def q1_2b_decay_factor_per_epoch(eta, lam, n, m):
    """Q1.2(b): the factor by which weight decay alone shrinks a weight over one epoch.

    One epoch is n / m mini-batch steps (n training examples, mini-batches of m); each step of the
    L2-regularised update, with the cost's own gradient left out, multiplies a weight by
    (1 - eta * lam / n). When eta * lam << n the result is close to exp(-eta * lam / m).

    Inputs:
    - eta: learning rate; lam: regularisation strength; n: training examples; m: mini-batch size
      (n / m is a whole number).

    Returns:
    - float: w_after_one_epoch / w_before. Graded with a relative tolerance of 1e-4 (so the
      exponential approximation passes when eta * lam / n is small).
    """
    raise NotImplementedError


def q1_2c_decay_tails_off():
    """Q1.2(c): why does the decay tail off once the weights are of size about 1/sqrt(n), n the number of weights?

    Returns:
    - str: your heuristic argument.
    """
    raise NotImplementedError


# ----------------------------------------------------------------------------------------------
# Problem 2: unstable gradients, the sigmoid's gradient window, momentum
# ----------------------------------------------------------------------------------------------

def q2_1_larger_derivative_avoids_instability():
    """Q2.1: would an activation whose derivative can be much larger than 1/4 avoid the unstable gradient problem?

    Returns:
    - bool: True if it would, False if not. Graded exactly (the justification is ``q2_1_justification``).
    """
    raise NotImplementedError


def q2_1_justification():
    """Q2.1: one or two sentences justifying ``q2_1_larger_derivative_avoids_instability``.

    Returns:
    - str.
    """
    raise NotImplementedError


def q2_2a_smallest_weight():
    """Q2.2(a): the smallest |w| for which |w * sigma'(w a + b)| >= 1 can hold for some a and b (sigma the logistic sigmoid).

    Returns:
    - float. Graded within an absolute 1e-4.
    """
    raise NotImplementedError


def q2_2b_window_width(w):
    """Q2.2(b): the width of the set of inputs a with |w * sigma'(w a + b)| >= 1.

    The set is an interval (it does not depend on b, which only moves it); its width is
    (2 / |w|) ln(|w| (1 + sqrt(1 - 4/|w|)) / 2 - 1) for |w| >= 4, and the set is empty (width 0) for |w| < 4.

    Inputs:
    - w: float, any sign.

    Returns:
    - float: the width. The grader measures the set numerically and compares within an absolute 1e-6.
    """
    raise NotImplementedError


def q2_2c_window_maximum():
    """Q2.2(c): the |w| at which the width of Q2.2(b) is greatest, and that greatest width, found numerically.

    Returns:
    - (w_star, width_star): two floats. Graded within 0.05 for w_star and 1e-3 for width_star.
    """
    raise NotImplementedError


def q2_3_momentum_iterates(mu, eta, w0, steps):
    """Q2.3: momentum gradient descent on C(w) = w^2 / 2 with the lecture's rule, from w0 with velocity 0.

    The rule: v' = mu * v - eta * dC/dw(w), then w' = w + v'.

    Inputs:
    - mu: the momentum (friction) parameter, any real number; eta: the learning rate; w0: the start;
      steps: the number of updates.

    Returns:
    - float array (steps + 1,): w0 and the weight after each update. Graded with a relative
      tolerance of 1e-9 against the grader's own run of the rule (gradients from autograd).
    """
    raise NotImplementedError


def q2_3_mu_above_one_diverges():
    """Q2.3: on C(w) = w^2 / 2 with eta = 0.1 from w0 = 1, does momentum with mu = 1.1 grow without bound (|w| > 1e6 within 500 steps)?

    Returns:
    - bool. Graded exactly.
    """
    raise NotImplementedError


def q2_3_negative_mu_is_slower():
    """Q2.3: on C(w) = w^2 / 2 with eta = 0.1 from w0 = 1, does mu = -0.5 need more steps than mu = 0 to reach |w| < 1e-3?

    Returns:
    - bool. Graded exactly.
    """
    raise NotImplementedError


def q2_3_explanation():
    """Q2.3: what goes wrong with mu > 1, and with mu < 0?

    Returns:
    - str.
    """
    raise NotImplementedError


# ----------------------------------------------------------------------------------------------
# Problem 3, 4 and 5: discussions, and back-propagation through max-pooling
# ----------------------------------------------------------------------------------------------

def q3_1_best_optimizer():
    """Q3.1: which optimization approach seems to work best, and why? Include your table of tuned parameters and test accuracies.

    Returns:
    - str.
    """
    raise NotImplementedError


def q3_2_batch_norm_effect():
    """Q3.2: with batch normalisation on each hidden layer, which learning rate did you choose and does batch normalisation help?

    Returns:
    - str.
    """
    raise NotImplementedError


def q4_4_top5_discussion():
    """Q4.4: your own image's top-5 classes and probabilities: does the classification seem right?

    Returns:
    - str.
    """
    raise NotImplementedError


def q5_1_max_pool(V):
    """Q5.1: 2 x 2 max-pooling with stride 1 (no padding) of a feature map.

    Inputs:
    - V: float array (H, W), H, W >= 2.

    Returns:
    - float array (H - 1, W - 1): M[i, j] = max of V[i:i+2, j:j+2]. Graded within 1e-12.
    """
    raise NotImplementedError


def q5_1_max_pool_backward(V, dM):
    """Q5.1: back-propagation through ``q5_1_max_pool``: the gradient of the cost with respect to V.

    Each window's gradient dM[i, j] flows only to the entry of V that is the window's maximum (the
    maxima are unique in the graded inputs); an entry that is the maximum of several windows
    collects the sum of their gradients, every other entry gets 0.

    Inputs:
    - V: float array (H, W); dM: float array (H - 1, W - 1), the gradient of the cost with respect to M.

    Returns:
    - float array (H, W). Graded within 1e-12 against torch's autograd through max_pool2d.
    """
    raise NotImplementedError


def q5_1_explanation():
    """Q5.1: how do the four equations of back-propagation change for a convolutional layer, max-pooling and a fully connected output?

    Returns:
    - str.
    """
    raise NotImplementedError


def q5_2_cnn_design():
    """Q5.2: your CNN's design and how you chose it (layers, initialisation, tuning, optimizer), its test result, and how it compares with the MLPs.

    Returns:
    - str.
    """
    raise NotImplementedError
