"""Trusted computations, drivers and checks shared by the Fashion-MNIST suites (grader side).

The generic assertions live in ``autograder.assertions``. The computations are the grader's
own float64 versions of what the submission must compute, used to judge its answers. The
drivers set up a submitted NumpyANN through attribute writes, so tests depend only on the
documented attribute names (W1, b1, W2, b2, lr), and read a PyTorchANN's weights through the
engine's ``state_dict`` helper.

Letters in shapes: N examples, D input features, H hidden units, C classes.
"""

import numpy as np
import torch

from autograder.assertions import assert_array, assert_array_close, describe
from utils.gradient_check import numerical_gradient
from utils.learning_curves import judge_learning_curve

WEIGHT_NAMES = ("W1", "b1", "W2", "b2")
JUDGEMENTS = ("underfitting", "overfitting", "generalizing")
HISTORY_KEYS = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")


def softmax(z):
    """Row-wise softmax of logits z (N, C), computed stably in float64; returns (N, C)."""
    z = np.asarray(z, dtype=np.float64)
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def mlp_forward(X, W1, b1, W2, b2):
    """The one-hidden-layer ReLU network in float64; returns (z1 (N, H), a1 (N, H), z2 (N, C), a2 (N, C)).

    Inputs: X (N, D), W1 (D, H), b1 (1, H), W2 (H, C), b2 (1, C).
    """
    z1 = np.asarray(X, dtype=np.float64) @ W1 + b1
    a1 = np.maximum(z1, 0.0)
    z2 = a1 @ W2 + b2
    return z1, a1, z2, softmax(z2)


def mlp_loss(X, Y, W1, b1, W2, b2):
    """Mean over the N examples of -sum_c Y log softmax(z2) (the loss whose gradient _backward takes).

    Inputs: X (N, D), Y (N, C) one-hot, weights as in ``mlp_forward``. Computed from the logits
    with log-sum-exp, in float64.
    """
    z1 = np.asarray(X, dtype=np.float64) @ W1 + b1
    z2 = np.maximum(z1, 0.0) @ W2 + b2
    top = z2.max(axis=1, keepdims=True)
    log_probabilities = z2 - top - np.log(np.exp(z2 - top).sum(axis=1, keepdims=True))
    return float(-(Y * log_probabilities).sum(axis=1).mean())


def assert_train_val_figure(summary, train_loss, val_loss, train_accuracy, val_accuracy):
    """A ``figure_summary`` shows the four curves: losses on one axes, accuracies on the other.

    Each curve's y data must equal the given list, and its label must contain "train" or "val"
    (case-insensitive) as fits; the figure must have exactly two axes.
    """
    axes = summary["axes"]
    assert len(axes) == 2, f"expected a figure with exactly two axes (loss and accuracy), got {len(axes)}"
    curves = {"train loss": (train_loss, "train"), "validation loss": (val_loss, "val"),
              "train accuracy": (train_accuracy, "train"), "validation accuracy": (val_accuracy, "val")}
    found = {}
    for curve, (values, label_word) in curves.items():
        matches = [(index, line) for index, ax in enumerate(axes) for line in ax["lines"]
                   if len(line["y"]) == len(values) and np.allclose(line["y"], values, rtol=1e-6, atol=1e-9)]
        drawn = [f"{line['label']!r}: {line['y']}" for ax in axes for line in ax["lines"]]
        assert matches, f"no curve shows the {curve} {list(values)}; the figure's curves are {drawn}"
        labelled = [(index, line) for index, line in matches if label_word in line["label"].lower()]
        assert labelled, (
            f"the {curve} curve should have a label containing {label_word!r} (for the legend), "
            f"got {[line['label'] for _, line in matches]}"
        )
        index, line = labelled[0]
        assert len(line["x"]) == len(values), f"the {curve} curve has {len(line['x'])} x values for {len(values)} y values"
        found[curve] = index
    assert found["train loss"] == found["validation loss"], "the train and validation loss curves should share one axes"
    assert found["train accuracy"] == found["validation accuracy"], "the train and validation accuracy curves should share one axes"
    assert found["train loss"] != found["train accuracy"], "loss and accuracy curves should be on different axes"
    return found


def numpy_network(numpy_ann, weights, lr):
    """A submitted NumpyANN of the sizes of ``weights`` ({W1 (D, H), b1 (1, H), W2 (H, C), b2 (1, C)}) holding them.

    ``numpy_ann`` is the submitted module; the weights and ``lr`` are written as attributes.
    """
    D, H = weights["W1"].shape
    net = numpy_ann.NumpyANN(D, H, weights["W2"].shape[1], lr, 0)
    net.lr = lr
    for name in WEIGHT_NAMES:
        setattr(net, name, np.array(weights[name], dtype=np.float64))
    return net


def read_weights(net, shapes=None):
    """{name: array} of a submitted NumpyANN's W1, b1, W2, b2, checked to be arrays (of ``shapes`` {name: shape} when given)."""
    weights = {name: getattr(net, name) for name in WEIGHT_NAMES}
    for name, value in weights.items():
        assert_array(name, value, shape=shapes[name] if shapes else None)
    return weights


def backward_step(numpy_ann, weights, X, Y, lr):
    """What one ``_forward(X, True)`` and ``_backward(X, Y)`` do to ``weights``: returns {name: (before - after) / lr}.

    With the documented update W -= lr * dW this is the gradient the submission computed.
    Inputs: weights as in ``numpy_network``, X (N, D), Y (N, C) one-hot, lr > 0.
    """
    net = numpy_network(numpy_ann, weights, lr)
    net._forward(X, True)
    net._backward(X, Y)
    after = read_weights(net, {name: weights[name].shape for name in WEIGHT_NAMES})
    return {name: (weights[name] - after[name]) / lr for name in WEIGHT_NAMES}


def smooth_problem(seed, D, H, C, N, margin=1e-2):
    """float64 weights {W1, b1, W2, b2}, X (N, D) and one-hot Y (N, C) for gradient checks.

    No hidden pre-activation lies within ``margin`` of the ReLU kink, so finite differences see a
    smooth loss; some are negative, so the ReLU derivative matters.
    """
    for attempt in range(1000):
        rng = np.random.default_rng([seed, attempt])
        weights = {"W1": rng.normal(0, 1 / np.sqrt(D), (D, H)), "b1": rng.normal(0, 0.2, (1, H)),
                   "W2": rng.normal(0, 1 / np.sqrt(H), (H, C)), "b2": rng.normal(0, 0.2, (1, C))}
        X = rng.normal(size=(N, D))
        Y = np.eye(C)[rng.integers(0, C, size=N)]
        z1 = X @ weights["W1"] + weights["b1"]
        if np.abs(z1).min() > margin and (z1 < 0).any():
            return weights, X, Y
    raise RuntimeError(f"no kink-free problem found for seed {seed}")


def finite_difference_gradients(weights, X, Y):
    """Central finite differences of ``mlp_loss`` with respect to each weight array: {name: array like it}."""
    work = {name: np.array(value, dtype=np.float64) for name, value in weights.items()}
    return {name: numerical_gradient(lambda _: mlp_loss(X, Y, work["W1"], work["b1"], work["W2"], work["b2"]), work[name])
            for name in WEIGHT_NAMES}


def ann_state(submission, net, sizes):
    """The state_dict {name: array} of a submitted PyTorchANN's ``model``, checked against nn.Sequential(Linear, ReLU, Linear).

    Inputs: submission (the ``submission`` fixture), net (a PyTorchANN proxy), sizes (D, H, C).
    """
    D, H, C = sizes
    shapes = {"0.weight": (H, D), "0.bias": (H,), "2.weight": (C, H), "2.bias": (C,)}
    state = submission.introspect("state_dict", net.model)
    assert set(state) == set(shapes), (
        f"model.state_dict() keys: expected {sorted(shapes)} (nn.Sequential(Linear, ReLU, Linear)), got {sorted(state)}"
    )
    for name, shape in shapes.items():
        assert_array(f"model.state_dict()[{name!r}]", state[name], shape=shape, kind="f")
    return state


def grader_ann(state):
    """The grader's own nn.Sequential(Linear(D, H), ReLU, Linear(H, C)) holding ``state`` (from ``ann_state``)."""
    (H, D), C = state["0.weight"].shape, state["2.weight"].shape[0]
    model = torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.ReLU(), torch.nn.Linear(H, C))
    model.load_state_dict({name: torch.from_numpy(np.array(value, dtype=np.float32)) for name, value in state.items()})
    return model


def learnable_problem(seed, D, C, N):
    """A seeded classification problem a small network learns quickly: X float32 (N, D), labels int64 (N,) of a linear rule."""
    rng = np.random.default_rng(seed)
    rule = rng.normal(size=(D, C))
    X = rng.normal(size=(N, D)).astype(np.float32)
    return X, (X @ rule).argmax(axis=1).astype(np.int64)


def assert_judgement(answer, history, context):
    """``answer`` (what report_my_judgement returned) is the learning-curve rule's verdict on ``history``.

    ``history`` is {train_loss, val_loss, train_accuracy, val_accuracy: [float per epoch]}; ``context``
    describes the training that produced it, for the message.
    """
    assert isinstance(answer, str) and answer in JUDGEMENTS, f"report_my_judgement() should return one of {list(JUDGEMENTS)}, got {describe(answer)}"
    verdict = judge_learning_curve(history)
    numbers = ", ".join(f"{key} {[round(v, 4) for v in history[key]]}" for key in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"))
    assert answer == verdict, (
        f"report_my_judgement() returned {answer!r}, but the learning-curve rule (utils.learning_curves.judge_learning_curve) "
        f"says {verdict!r} for the history of the graded training: {numbers} ({context})"
    )


def assert_numpy_init_matches(numpy_ann, reference, count=2):
    """NumpyANN(D, H, C, 0.01, seed) of each ``init{i}_config`` in ``reference`` holds the reference's W1, b1, W2, b2."""
    for i in range(count):
        D, H, C, seed = (int(v) for v in reference[f"init{i}_config"])
        net = numpy_ann.NumpyANN(D, H, C, 0.01, seed)
        for name in WEIGHT_NAMES:
            assert_array_close(f"NumpyANN({D}, {H}, {C}, lr=0.01, seed={seed}).{name}", getattr(net, name),
                               reference[f"init{i}_{name}"], rtol=1e-9, atol=0)


def assert_torch_init_matches(submission, reference, count=2):
    """PyTorchANN(D, H, C, seed) of each ``torch{i}_config`` in ``reference`` holds the reference's initial state_dict."""
    pytorch_ann = submission.module("pytorch_ann")
    for i in range(count):
        D, H, C, seed = (int(v) for v in reference[f"torch{i}_config"])
        state = ann_state(submission, pytorch_ann.PyTorchANN(D, H, C, seed), (D, H, C))
        for name, value in state.items():
            assert_array_close(f"PyTorchANN({D}, {H}, {C}, seed={seed}).model.state_dict()[{name!r}]", value,
                               reference[f"torch{i}_{name.replace('.', '_')}"], rtol=1e-6, atol=0)
