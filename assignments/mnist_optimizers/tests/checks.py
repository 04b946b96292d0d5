"""Trusted rules, computations and checks shared by the mnist_optimizers suites (grader side).

The generic assertions live in ``autograder.assertions``; model descriptions come from the worker's
``torch_module_summary`` and are checked with ``utils.architecture.check_summary``.

The training-trend rule (what "the cost decreases and the accuracy increases as training should"
means here), for a history of E >= 2 values per curve. The first half is the first E // 2 epochs,
the second half the last E // 2 (the middle epoch of an odd E belongs to neither):

- training cost: every value finite and positive; the mean of the second half is below the mean
  of the first half, and the last epoch's cost is below the first epoch's;
- validation accuracy: every value in [0, 1]; the mean of the second half is above the mean of
  the first half, and the last epoch's accuracy is at least the first epoch's.

Comparing halves rather than consecutive epochs lets a small validation set wobble from one epoch
to the next (plain SGD's validation accuracy moves by up to 8 points between epochs on 400 digits)
while a flat, reversed or diverging curve still fails.
"""

import math

import numpy as np

from autograder.assertions import as_float, describe, metric_list
from autograder.sandbox import SubmissionError
from utils.architecture import check_summary

OPTIMIZER_NAMES = ("sgd", "momentum", "adagrad", "adam")
BATCH_NORM = "batch norm"
HISTORY_KEYS = ("train_cost", "val_accuracy")
MLP_INPUTS, NUM_CLASSES = 784, 10
MLP_LAYERS = ("Flatten", "Linear", "ReLU", "LeakyReLU", "ELU", "Sigmoid", "Tanh", "Dropout")
# The class each name asks for (qualified as ``type_name`` reports it) and a check of its hyper-parameters.
OPTIMIZER_KINDS = {
    "sgd": ("torch.optim.sgd.SGD", "plain SGD: momentum 0, nesterov False"),
    "momentum": ("torch.optim.sgd.SGD", "SGD with momentum: 0 < momentum < 1"),
    "adagrad": ("torch.optim.adagrad.Adagrad", "AdaGrad"),
    "adam": ("torch.optim.adam.Adam", "Adam: 0 <= betas < 1"),
}


# ----------------------------------------------------------------------------------------------
# Training histories
# ----------------------------------------------------------------------------------------------

def halves(values):
    """(first half, second half) of a list of E values: the first E // 2 and the last E // 2."""
    half = len(values) // 2
    return values[:half], values[len(values) - half:]


def trend_problems(values, key):
    """What breaks the training-trend rule (module docstring) for curve ``key`` ("train_cost" or "val_accuracy"); [] when it holds."""
    if len(values) < 2:
        return [f"{key}: the rule needs two epochs or more, got {len(values)}"]
    first, second = halves(values)
    early, late = float(np.mean(first)), float(np.mean(second))
    if key == "train_cost":
        problems = [] if all(math.isfinite(v) and v > 0 for v in values) else [f"{key}: expected finite positive costs"]
        if not late < early:
            problems.append(f"{key}: the mean cost of the last {len(second)} epochs ({late:.4f}) is not below that of the first {len(first)} ({early:.4f})")
        if not values[-1] < values[0]:
            problems.append(f"{key}: the last epoch's cost ({values[-1]:.4f}) is not below the first epoch's ({values[0]:.4f})")
        return problems
    problems = [] if all(0 <= v <= 1 for v in values) else [f"{key}: expected accuracies in [0, 1]"]
    if not late > early:
        problems.append(f"{key}: the mean accuracy of the last {len(second)} epochs ({late:.4f}) is not above that of the first {len(first)} ({early:.4f})")
    if not values[-1] >= values[0]:
        problems.append(f"{key}: the last epoch's accuracy ({values[-1]:.4f}) is below the first epoch's ({values[0]:.4f})")
    return problems


def assert_history_follows_the_rule(history, epochs, context):
    """``history`` holds train_cost and val_accuracy, one float per epoch each, and both follow the trend rule."""
    assert isinstance(history, dict), f"{context}: train() should return a dict with keys {list(HISTORY_KEYS)}, got {describe(history)}"
    missing = [key for key in HISTORY_KEYS if key not in history]
    assert not missing, f"{context}: the history lacks {missing}: expected keys {list(HISTORY_KEYS)}, got {sorted(history)}"
    curves = {key: metric_list(f"{context}: history[{key!r}]", history[key], epochs, finite=False) for key in HISTORY_KEYS}
    problems = trend_problems(curves["train_cost"], "train_cost") + trend_problems(curves["val_accuracy"], "val_accuracy")
    shown = "; ".join(f"{key} = {[round(v, 4) for v in values]}" for key, values in curves.items())
    assert not problems, f"{context}: the history breaks the training-trend rule: {'; '.join(problems)} ({shown})"
    return curves


# ----------------------------------------------------------------------------------------------
# Optimizers
# ----------------------------------------------------------------------------------------------
def one_torch_thread(module):
    """Ask the worker's torch, reached through the submitted module's ``torch``, to compute on one thread.

    On a loaded machine two threads that wait for each other make these small networks train ten
    times slower than one thread does; a module without a ``torch`` attribute simply keeps torch's default.
    """
    try:
        module.torch.set_num_threads(1)
    except SubmissionError:
        return False
    return True


def read_optimizer(submission, optimizer, context):
    """(qualified type name, hyper-parameters of the first group {key: value}, number of scalar parameters in all groups)."""
    kind = submission.introspect("type_name", optimizer)
    groups = optimizer.param_groups
    assert isinstance(groups, list) and groups and all(isinstance(g, dict) and "params" in g for g in groups), (
        f"{context}: expected a torch.optim optimizer with param_groups, got a {kind} whose param_groups is {describe(groups)}")
    settings = {key: value for key, value in groups[0].items() if key != "params"}
    count = sum(int(np.asarray(p).size) for group in groups for p in group["params"])
    return kind, settings, count


def optimizer_problems(name, kind, settings):
    """Why an optimizer of type ``kind`` with hyper-parameters ``settings`` is not what ``name`` asks for; [] when it is."""
    expected_kind, meaning = OPTIMIZER_KINDS[name]
    if kind != expected_kind:
        return [f"expected {expected_kind} ({meaning}), got {kind}"]
    lr = as_float("lr", settings.get("lr"))
    problems = [] if math.isfinite(lr) and lr > 0 else [f"expected a positive learning rate, got lr={lr}"]
    if name == "sgd" and (as_float("momentum", settings.get("momentum", 0)) != 0 or settings.get("nesterov")):
        problems.append(f"expected {meaning}, got momentum={settings.get('momentum')}, nesterov={settings.get('nesterov')}")
    if name == "momentum" and not 0 < as_float("momentum", settings.get("momentum", 0)) < 1:
        problems.append(f"expected {meaning}, got momentum={settings.get('momentum')}")
    if name == "adam" and not all(0 <= float(beta) < 1 for beta in settings.get("betas", ())):
        problems.append(f"expected {meaning}, got betas={settings.get('betas')}")
    return problems


def describe_settings(kind, settings):
    """An optimizer in words, e.g. "torch.optim.sgd.SGD(lr=0.1, momentum=0.9)" (the hyper-parameters that matter)."""
    shown = ", ".join(f"{key}={settings[key]}" for key in ("lr", "momentum", "nesterov", "lr_decay", "betas", "eps", "weight_decay") if key in settings)
    return f"{kind}({shown})"


# ----------------------------------------------------------------------------------------------
# Architectures
# ----------------------------------------------------------------------------------------------

def linear_shapes(summary):
    """[(in_features, out_features)] of the Linear layers of a ``torch_module_summary``, in order."""
    return [(layer["config"]["in_features"], layer["config"]["out_features"]) for layer in summary["layers"] if layer["type"] == "Linear"]


def mlp_problems(summary, batch_norm):
    """Why a model description is not the two-hidden-layer MLP (784 inputs, 10 outputs), with a BatchNorm1d on each hidden layer when ``batch_norm``."""
    allowed = MLP_LAYERS + (("BatchNorm1d",) if batch_norm else ())
    report = check_summary(summary, allowed_layers=allowed, min_hidden_layers=2)
    problems = list(report.problems)
    shapes = linear_shapes(summary)
    if report.hidden_layers > 2:
        problems.append(f"{report.hidden_layers} hidden layers, expected exactly 2")
    if shapes and shapes[0][0] != MLP_INPUTS:
        problems.append(f"the first Linear layer takes {shapes[0][0]} inputs, expected {MLP_INPUTS}")
    if shapes and shapes[-1][1] != NUM_CLASSES:
        problems.append(f"the last Linear layer gives {shapes[-1][1]} outputs, expected {NUM_CLASSES}")
    if batch_norm:
        problems += batch_norm_problems(summary["layers"])
    return problems, report


def batch_norm_problems(layers):
    """Hidden Linear layers without a BatchNorm1d of their width before the next Linear layer."""
    problems, linear_seen = [], 0
    positions = [i for i, layer in enumerate(layers) if layer["type"] == "Linear"]
    for start, end in zip(positions[:-1], positions[1:]):
        linear_seen += 1
        width = layers[start]["config"]["out_features"]
        norms = [layer["config"]["num_features"] for layer in layers[start + 1:end] if layer["type"] == "BatchNorm1d"]
        if norms != [width]:
            problems.append(f"hidden layer {linear_seen} (Linear with {width} outputs) should be followed by one BatchNorm1d({width}) "
                            f"before the next Linear layer, got {['BatchNorm1d(%d)' % n for n in norms] or 'none'}")
    return problems


def cnn_problems(summary):
    """Why a model description is not a Sequential with two Conv2d layers or more, each followed by a MaxPool2d before the next Conv2d or Linear."""
    problems = [] if summary["type"] == "Sequential" else [f"expected an nn.Sequential, got {summary['type']}"]
    types = [layer["type"] for layer in summary["layers"]]
    convolutions = [i for i, kind in enumerate(types) if kind == "Conv2d"]
    if len(convolutions) < 2:
        problems.append(f"{len(convolutions)} Conv2d layers, expected at least 2")
    for number, position in enumerate(convolutions, start=1):
        following = []
        for kind in types[position + 1:]:
            if kind in ("Conv2d", "Linear"):
                break
            following.append(kind)
        if "MaxPool2d" not in following:
            problems.append(f"Conv2d number {number} is not followed by a MaxPool2d before the next Conv2d or Linear layer (it is followed by {following or 'nothing'})")
    return problems


# ----------------------------------------------------------------------------------------------
# Figures
# ----------------------------------------------------------------------------------------------

def assert_four_labelled_curves(summary, histories, key, what):
    """A ``figure_summary`` has one axes with one curve per optimizer: labelled with its name, y the history's ``key``, x the epochs 1..E.

    The axes needs x and y labels and a legend that lists the four names.
    """
    axes = summary["axes"]
    assert len(axes) == 1, f"the {what} figure: expected one axes, got {len(axes)}"
    ax = axes[0]
    labels = [line["label"] for line in ax["lines"]]
    assert len(ax["lines"]) == len(histories), (
        f"the {what} figure: expected {len(histories)} curves (one per optimizer: {list(histories)}), got {len(ax['lines'])} labelled {labels}")
    assert sorted(labels) == sorted(histories), f"the {what} figure: expected curves labelled {sorted(histories)}, got {sorted(labels)}"
    for line in ax["lines"]:
        values = histories[line["label"]][key]
        epochs = list(range(1, len(values) + 1))
        assert len(line["y"]) == len(values) and np.allclose(line["y"], values, rtol=1e-6, atol=1e-9), (
            f"the {what} figure: the curve {line['label']!r} should show {values}, got {line['y']}")
        assert line["x"] == epochs, f"the {what} figure: the curve {line['label']!r} should be drawn against the epochs {epochs}, got x = {line['x']}"
    assert ax["xlabel"].strip() and ax["ylabel"].strip(), (
        f"the {what} figure: expected axis labels, got xlabel={ax['xlabel']!r}, ylabel={ax['ylabel']!r}")
    assert ax["legend"] is not None and sorted(ax["legend"]) == sorted(histories), (
        f"the {what} figure: expected a legend listing {sorted(histories)}, got {ax['legend']}")


# ----------------------------------------------------------------------------------------------
# AlexNet
# ----------------------------------------------------------------------------------------------

IMAGE_SIZE = 227
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406])
IMAGENET_STD = np.array([0.229, 0.224, 0.225])


def fit_side(image, axis):
    """``image`` (H, W, 3) cropped to its central IMAGE_SIZE pixels, or zero-padded to IMAGE_SIZE, along ``axis``."""
    side = image.shape[axis]
    if side >= IMAGE_SIZE:
        first = (side - IMAGE_SIZE) // 2
        return image[first:first + IMAGE_SIZE] if axis == 0 else image[:, first:first + IMAGE_SIZE]
    offset = (IMAGE_SIZE - side) // 2
    shape = list(image.shape)
    shape[axis] = IMAGE_SIZE
    out = np.zeros(shape, dtype=image.dtype)
    if axis == 0:
        out[offset:offset + side] = image
    else:
        out[:, offset:offset + side] = image
    return out


def prepared_image(image):
    """The documented input for a uint8 image (H, W, 3): cropped or padded to 227 x 227, scaled, normalised, channels first (3, 227, 227), float64."""
    fitted = fit_side(fit_side(np.asarray(image), 0), 1)
    return ((fitted.astype(np.float64) / 255.0 - IMAGENET_MEAN) / IMAGENET_STD).transpose(2, 0, 1)


def grader_alexnet(state):
    """torchvision's AlexNet holding the state_dict ``state`` ({name: array}), in eval mode; AssertionError when it does not fit."""
    import torch
    import torchvision

    model = torchvision.models.alexnet(weights=None)
    try:
        model.load_state_dict({name: torch.from_numpy(np.asarray(value)) for name, value in state.items()})
    except RuntimeError as exc:
        raise AssertionError(f"the model load_alexnet() returns is not torchvision's AlexNet: its state_dict does not load into "
                             f"torchvision.models.alexnet(): {str(exc)[:400]}") from None
    return model.eval()


# ----------------------------------------------------------------------------------------------
# Written problems: the sigmoid's gradient window, measured numerically
# ----------------------------------------------------------------------------------------------

def sigmoid_derivative(z):
    """sigma'(z) = sigma(z) (1 - sigma(z)) for an array or float z, with scipy's expit."""
    from scipy.special import expit

    s = expit(z)
    return s * (1 - s)


def measured_window_width(w):
    """Width of {a : |w sigma'(w a)| >= 1}, found by root-finding (b only shifts the set): 0 when it is empty.

    sigma' is even and decreasing for z > 0, so the set is |w a| <= z*, with z* the root of
    |w| sigma'(z) = 1 on z > 0 (brentq to 1e-14).
    """
    from scipy.optimize import brentq

    size = abs(w)
    if size * 0.25 < 1:
        return 0.0
    z_star = brentq(lambda z: size * sigmoid_derivative(z) - 1, 0.0, 60.0, xtol=1e-14)
    return 2 * z_star / size


def window_maximum():
    """(|w| maximising the measured width on [4, 30], that width), with scipy's bounded scalar minimiser."""
    from scipy.optimize import minimize_scalar

    found = minimize_scalar(lambda w: -measured_window_width(w), bounds=(4.0, 30.0), method="bounded", options={"xatol": 1e-9})
    return float(found.x), float(-found.fun)
