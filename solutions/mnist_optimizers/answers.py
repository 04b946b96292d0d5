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
    ### BEGIN SOLUTION
    return ("lambda: the training cost C0 + (lambda/2n) sum w^2 only grows with lambda, so descending the training cost "
            "drives lambda to 0 and removes the regularisation whose purpose is performance on unseen data. "
            "eta: the cost does not depend on eta directly but on the whole trajectory; differentiating through training "
            "is costly and unstable, and a descent on eta needs a learning rate of its own, so the tuning problem only moves up a level.")
    ### END SOLUTION


def q1_2a_weight_decay_dominates():
    """Q1.2(a): why, with weights initialised N(0, 1) and lambda not too small, do the first epochs consist mostly of weight decay?

    Returns:
    - str: your heuristic argument.
    """
    ### BEGIN SOLUTION
    return ("With N(0, 1) weights a neuron with n_in inputs has |z| of order sqrt(n_in): it saturates, so the gradient of C0 "
            "is tiny, while the decay term eta*lambda*w/n is proportional to the large weights. Each step therefore mostly "
            "multiplies the weights by (1 - eta*lambda/n) until they are small enough for the neurons to leave saturation.")
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    return (1.0 - eta * lam / n) ** (n // m)
    ### END SOLUTION


def q1_2c_decay_tails_off():
    """Q1.2(c): why does the decay tail off once the weights are of size about 1/sqrt(n), n the number of weights?

    Returns:
    - str: your heuristic argument.
    """
    ### BEGIN SOLUTION
    return ("Once weights are of order 1/sqrt(n) the neurons are no longer saturated and the gradient of C0 is as large as the "
            "decay term; the two balance (the regularised cost lambda/(2n) sum w^2 is then of order lambda/2n * n * 1/n, "
            "comparable with C0), so the weights stop shrinking geometrically and follow the data.")
    ### END SOLUTION


# ----------------------------------------------------------------------------------------------
# Problem 2: unstable gradients, the sigmoid's gradient window, momentum
# ----------------------------------------------------------------------------------------------

def q2_1_larger_derivative_avoids_instability():
    """Q2.1: would an activation whose derivative can be much larger than 1/4 avoid the unstable gradient problem?

    Returns:
    - bool: True if it would, False if not. Graded exactly (the justification is ``q2_1_justification``).
    """
    ### BEGIN SOLUTION
    factor, layers = 2.0, 30
    gradient_scale = factor ** layers
    return 1e-3 < gradient_scale < 1e3
    ### END SOLUTION


def q2_1_justification():
    """Q2.1: one or two sentences justifying ``q2_1_larger_derivative_avoids_instability``.

    Returns:
    - str.
    """
    ### BEGIN SOLUTION
    return ("No: the gradient of an early layer is a product of one factor w*f'(z) per layer; factors above 1 make it explode "
            "instead of vanish, so it is still unstable. Only factors close to 1 in every layer would keep it balanced.")
    ### END SOLUTION


def q2_2a_smallest_weight():
    """Q2.2(a): the smallest |w| for which |w * sigma'(w a + b)| >= 1 can hold for some a and b (sigma the logistic sigmoid).

    Returns:
    - float. Graded within an absolute 1e-4.
    """
    ### BEGIN SOLUTION
    z = np.linspace(-10.0, 10.0, 200001)
    sigma = 1.0 / (1.0 + np.exp(-z))
    return float(1.0 / np.max(sigma * (1.0 - sigma)))
    ### END SOLUTION


def q2_2b_window_width(w):
    """Q2.2(b): the width of the set of inputs a with |w * sigma'(w a + b)| >= 1.

    The set is an interval (it does not depend on b, which only moves it); its width is
    (2 / |w|) ln(|w| (1 + sqrt(1 - 4/|w|)) / 2 - 1) for |w| >= 4, and the set is empty (width 0) for |w| < 4.

    Inputs:
    - w: float, any sign.

    Returns:
    - float: the width. The grader measures the set numerically and compares within an absolute 1e-6.
    """
    ### BEGIN SOLUTION
    size = abs(w)
    if size < 4:
        return 0.0
    return 2.0 / size * math.log(size * (1.0 + math.sqrt(1.0 - 4.0 / size)) / 2.0 - 1.0)
    ### END SOLUTION


def q2_2c_window_maximum():
    """Q2.2(c): the |w| at which the width of Q2.2(b) is greatest, and that greatest width, found numerically.

    Returns:
    - (w_star, width_star): two floats. Graded within 0.05 for w_star and 1e-3 for width_star.
    """
    ### BEGIN SOLUTION
    sizes = np.linspace(4.0, 30.0, 260001)
    widths = np.array([q2_2b_window_width(size) for size in sizes])
    best = int(np.argmax(widths))
    return float(sizes[best]), float(widths[best])
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    iterates = np.empty(steps + 1)
    iterates[0], velocity = w0, 0.0
    for step in range(steps):
        velocity = mu * velocity - eta * iterates[step]
        iterates[step + 1] = iterates[step] + velocity
    return iterates
    ### END SOLUTION


def q2_3_mu_above_one_diverges():
    """Q2.3: on C(w) = w^2 / 2 with eta = 0.1 from w0 = 1, does momentum with mu = 1.1 grow without bound (|w| > 1e6 within 500 steps)?

    Returns:
    - bool. Graded exactly.
    """
    ### BEGIN SOLUTION
    return bool(np.abs(q2_3_momentum_iterates(1.1, 0.1, 1.0, 500)).max() > 1e6)
    ### END SOLUTION


def q2_3_negative_mu_is_slower():
    """Q2.3: on C(w) = w^2 / 2 with eta = 0.1 from w0 = 1, does mu = -0.5 need more steps than mu = 0 to reach |w| < 1e-3?

    Returns:
    - bool. Graded exactly.
    """
    ### BEGIN SOLUTION
    def steps_to_converge(mu):
        return int(np.argmax(np.abs(q2_3_momentum_iterates(mu, 0.1, 1.0, 2000)) < 1e-3))
    return steps_to_converge(-0.5) > steps_to_converge(0.0)
    ### END SOLUTION


def q2_3_explanation():
    """Q2.3: what goes wrong with mu > 1, and with mu < 0?

    Returns:
    - str.
    """
    ### BEGIN SOLUTION
    return ("mu > 1: the velocity is amplified instead of damped, so it keeps growing even where the gradient is zero; the "
            "iterates overshoot the minimum by more and more and diverge. mu < 0: each step's velocity points against the "
            "previous one, so the motion oscillates and the accumulated velocity brakes instead of accelerating; descent is "
            "slower than without momentum.")
    ### END SOLUTION


# ----------------------------------------------------------------------------------------------
# Problem 3, 4 and 5: discussions, and back-propagation through max-pooling
# ----------------------------------------------------------------------------------------------

def q3_1_best_optimizer():
    """Q3.1: which optimization approach seems to work best, and why? Include your table of tuned parameters and test accuracies.

    Returns:
    - str.
    """
    ### BEGIN SOLUTION
    return ("On the grading schedule AdaGrad and SGD with momentum reach the lowest training cost fastest and the best "
            "validation accuracy; plain SGD is the slowest and its validation accuracy is the most erratic. Adaptive "
            "per-parameter steps (AdaGrad, Adam) and momentum both make early progress faster than a single global step.")
    ### END SOLUTION


def q3_2_batch_norm_effect():
    """Q3.2: with batch normalisation on each hidden layer, which learning rate did you choose and does batch normalisation help?

    Returns:
    - str.
    """
    ### BEGIN SOLUTION
    return ("Plain SGD with batch normalisation tolerates a larger learning rate (0.2 instead of 0.1); its training cost falls "
            "much faster in the first epochs and its test accuracy is higher than plain SGD's without it.")
    ### END SOLUTION


def q4_4_top5_discussion():
    """Q4.4: your own image's top-5 classes and probabilities: does the classification seem right?

    Returns:
    - str.
    """
    ### BEGIN SOLUTION
    return ("Without the ImageNet weights the network is randomly initialised: its top-5 probabilities are all close to "
            "1/1000 and the classes are meaningless. With the weights, a clear photograph of a common object gets its "
            "class first with a high probability and related classes after it.")
    ### END SOLUTION


def q5_1_max_pool(V):
    """Q5.1: 2 x 2 max-pooling with stride 1 (no padding) of a feature map.

    Inputs:
    - V: float array (H, W), H, W >= 2.

    Returns:
    - float array (H - 1, W - 1): M[i, j] = max of V[i:i+2, j:j+2]. Graded within 1e-12.
    """
    ### BEGIN SOLUTION
    V = np.asarray(V, dtype=np.float64)
    return np.max(np.stack([V[:-1, :-1], V[:-1, 1:], V[1:, :-1], V[1:, 1:]]), axis=0)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    V = np.asarray(V, dtype=np.float64)
    dV = np.zeros_like(V)
    for i in range(V.shape[0] - 1):
        for j in range(V.shape[1] - 1):
            row, column = np.unravel_index(np.argmax(V[i:i + 2, j:j + 2]), (2, 2))
            dV[i + row, j + column] += dM[i][j]
    return dV
    ### END SOLUTION


def q5_1_explanation():
    """Q5.1: how do the four equations of back-propagation change for a convolutional layer, max-pooling and a fully connected output?

    Returns:
    - str.
    """
    ### BEGIN SOLUTION
    return ("The output error delta^L is unchanged. Through the fully connected layer the error is (W^L)^T delta^L as before. "
            "Through max-pooling the error of each pooled unit goes to the input that was the window's maximum and 0 to the "
            "others (no activation derivative, no weights). Through the convolution, delta^conv = routed error times "
            "sigma'(z^conv); the weight gradient is the correlation of the layer's input with delta^conv, summed over "
            "positions because the weights are shared, and the bias gradient is the sum of delta^conv.")
    ### END SOLUTION


def q5_2_cnn_design():
    """Q5.2: your CNN's design and how you chose it (layers, initialisation, tuning, optimizer), its test result, and how it compares with the MLPs.

    Returns:
    - str.
    """
    ### BEGIN SOLUTION
    return ("Two stages of 5x5 convolution (16 then 32 channels, padding 2), ReLU and 2x2 max-pooling, then a hidden layer "
            "of 100 ReLU units and the 10 outputs; PyTorch's default initialisation; Adam with learning rate 1e-3 chosen on "
            "the validation accuracy. It beats every MLP of Problem 3 after fewer epochs.")
    ### END SOLUTION
