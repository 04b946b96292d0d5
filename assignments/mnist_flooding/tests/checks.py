"""Trusted computations, drivers and checks shared by the mnist_flooding suites (grader side).

The generic assertions live in ``autograder.assertions``. Here are the grader's own data split, the
drivers that train a submitted network with a grading schedule and the checks of what ``fit`` returns,
and the grader's torch versions of what the submission must compute (one optimisation step of the
flooded objective, the graph of Q4.2, the logistic ridge objective of Q3.1), used to judge its answers.

Letters in shapes: N examples, C = 10 classes.
"""

from dataclasses import dataclass

import numpy as np
import torch

from autograder import accuracy
from autograder.assertions import assert_array, describe, metric_list
from autograder.sandbox import RemoteObject, SubmissionError
from autograder.worker.protocol import Tensor

NUM_CLASSES = 10
IMAGE_SHAPE = (1, 28, 28)
CURVE_KEYS = ("train_error", "val_error", "train_loss")
ERROR_TOLERANCE = 1e-6


# ----------------------------------------------------------------------------------------------
# Data and grading schedules
# ----------------------------------------------------------------------------------------------

@dataclass
class MnistSplits:
    """The grader's data: X_* float32 (N, 784) in [0, 1], y_* int64 (N,); ``full`` says whether it is full MNIST."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    full: bool
    description: str

    @classmethod
    def from_pool(cls, pool, test, full, description, seed=0, max_train=None, max_val=None):
        """Split ``pool`` = (X (N, 784), y (N,)) 8:2 with a seeded permutation (the validation set is its first N // 5),
        keeping at most ``max_train`` training and ``max_val`` validation examples; ``test`` = (X, y) as it is."""
        X, y = pool
        order = np.random.default_rng(seed).permutation(len(y))
        val, train = order[:len(y) // 5][:max_val], order[len(y) // 5:][:max_train]
        return cls(X[train], y[train], X[val], y[val], test[0], test[1], full, description)

    def split(self, name, images):
        """(X, y) of split ``name`` ("train", "val", "test"), X as images (N, 1, 28, 28) when ``images``."""
        X, y = getattr(self, f"X_{name}"), getattr(self, f"y_{name}")
        return (X.reshape(-1, *IMAGE_SHAPE) if images else X), y

    def threshold(self, schedule):
        """The accuracy a schedule requires on this data: ``threshold`` on full MNIST, else ``subset_threshold``."""
        return schedule["threshold"] if self.full else schedule["subset_threshold"]


def describe_schedule(schedule, mnist):
    """A grading schedule in words, for messages."""
    return (f"trained by flooding.fit with epochs={schedule['epochs']}, batch_size={schedule['batch_size']}, seed={schedule['seed']} "
            f"on the grader's {len(mnist.y_train):,} training and {len(mnist.y_val):,} validation examples, tested on {mnist.description}")


@dataclass
class TrainingRun:
    """A submitted network trained with a grading schedule: the model (a proxy), what ``fit`` returned, and the data.

    ``submission`` and ``seed`` (of the perturbation, for a model the grader cannot rebuild) serve the accuracy test,
    which counts the grader's own forward pass of the trained weights (``autograder.accuracy``).
    """

    flooding: object
    model: object
    history: object
    schedule: dict
    mnist: MnistSplits
    images: bool
    submission: object = None
    seed: int = 0

    def describe(self):
        """The schedule in words."""
        return describe_schedule(self.schedule, self.mnist)

    def predicted(self, split):
        """Labels (N,) that ``flooding.predict`` gives for split ``split``'s images, checked to be N integers."""
        X, y = self.mnist.split(split, self.images)
        return self.predicted_for(X, f"the {len(y)} {split} images")

    def predicted_for(self, X, what):
        """Labels (N,) that ``flooding.predict`` gives for images X (N, ...), checked to be N integers."""
        labels = self.flooding.predict(self.model, Tensor(X))
        assert_array(f"predict(model, images) on {what}", labels)
        assert labels.shape == (len(X),) and labels.dtype.kind in "iu", (
            f"predict(model, images) on {what}: expected integer labels of shape {(len(X),)}, got {describe(labels)}"
        )
        return labels

    def error_percent(self, split):
        """The percentage of split ``split`` that the trained model misclassifies, computed by the grader from its predictions."""
        return 100.0 * float(np.mean(self.predicted(split) != self.mnist.split(split, self.images)[1]))

    def curves(self):
        """``fit``'s history checked: {key: [float]} with one value per epoch, errors in [0, 100], losses >= 0."""
        return checked_history("the history fit returned", self.history, self.schedule["epochs"])

    def assert_reaches_the_threshold(self, record_property, name):
        """The grader's forward pass of the trained weights reaches the data's threshold on the test images, and ``predict``'s
        labels are the weights'; a pass records the accuracy, the threshold and the data."""
        X, y = self.mnist.split("test", self.images)
        measured = accuracy.measure_torch_model(self.submission, self.model, X, y,
                                                lambda images: self.predicted_for(images, f"{len(images)} test images"), self.seed,
                                                own_labels=self.predicted("test"))
        ceiling = self.schedule.get("ceiling" if self.mnist.full else "subset_ceiling")
        passed, message = measured.verdict(self.mnist.threshold(self.schedule), "predict(model, images)", ceiling, name, self.describe())
        assert passed, f"{name}: {message}"
        record_property("output", f"{name}: {message}")


def train_with_schedule(submission, manifest, flooding, build, mnist, schedule, name, images, seed):
    """Build a network with ``build()`` and train it with ``flooding.fit`` and ``schedule`` in the worker; a TrainingRun.

    ``seed``: of the perturbation of the test images, should the grader not be able to rebuild the network.
    """
    (X_train, y_train), (X_val, y_val) = mnist.split("train", images), mnist.split("val", images)
    try:
        model = build()
        with submission.time_limit(manifest.limits.training_seconds):
            history = flooding.fit(model, Tensor(X_train), Tensor(y_train), Tensor(X_val), Tensor(y_val),
                                   schedule["epochs"], schedule["batch_size"], seed=schedule["seed"])
    except SubmissionError as exc:
        raise SubmissionError(f"{name} {describe_schedule(schedule, mnist)} (the grading schedule) failed: {exc}") from exc
    return TrainingRun(flooding, model, history, schedule, mnist, images, submission, seed)


def checked_history(name, history, epochs):
    """A history of ``fit``: a dict with CURVE_KEYS, each ``epochs`` finite floats; errors in [0, 100], losses >= 0."""
    assert isinstance(history, dict), f"{name}: expected a dict with keys {list(CURVE_KEYS)}, got {describe(history)}"
    missing = [key for key in CURVE_KEYS if key not in history]
    assert not missing, f"{name}: lacks the keys {missing}; expected {list(CURVE_KEYS)}, got {sorted(history)}"
    curves = {key: metric_list(f"{name}[{key!r}]", history[key], epochs) for key in CURVE_KEYS}
    for key in ("train_error", "val_error"):
        outside = [value for value in curves[key] if not 0.0 <= value <= 100.0]
        assert not outside, f"{name}[{key!r}]: expected percentages in [0, 100], got {curves[key]}"
    assert min(curves["train_loss"]) >= 0.0, f"{name}['train_loss']: expected cross-entropies (>= 0), got {curves['train_loss']}"
    return curves


def assert_error_matches(name, recorded, expected):
    """A recorded error (percent) equals the grader's own measure within ERROR_TOLERANCE."""
    assert abs(recorded - expected) <= ERROR_TOLERANCE, (
        f"{name}: expected {expected:.4f}% (measured by the grader from the model's predictions), got {recorded:.4f}%"
    )


# ----------------------------------------------------------------------------------------------
# The submission's torch, for networks and optimizers the grader sets up itself
# ----------------------------------------------------------------------------------------------

def worker_torch(flooding):
    """torch as imported in the worker, reached through flooding.py's ``torch`` (the template's ``import torch``)."""
    try:
        module = flooding.torch
    except SubmissionError:
        module = None
    assert isinstance(module, RemoteObject) and module._type == "builtins.module", (
        "flooding.py must keep the template's `import torch`: the grader builds its own small networks and optimizers through it")
    return module


def small_network(torch_module, seed, hidden):
    """Flatten, Linear(784, hidden), ReLU, Linear(hidden, 10), built in the worker after torch.manual_seed(seed)."""
    torch_module.manual_seed(seed)
    nn = torch_module.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, NUM_CLASSES))


def grader_network(state):
    """The same network in the grader's torch, holding ``state`` ({name: array}, from the worker's state_dict)."""
    hidden = state["1.weight"].shape[0]
    network = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, NUM_CLASSES))
    network.load_state_dict({name: torch.from_numpy(np.array(value)) for name, value in state.items()})
    return network


def flooded_step(state, X, y, flood_level, learning_rate):
    """What one plain SGD step on the objective does, by torch autograd in the grader.

    Inputs: state {name: array} of ``small_network``, X float32 (N, 784), y int64 (N,), flood_level b (float or
    None: the plain mean cross-entropy R; else |R - b| + b), learning_rate.
    Returns (R before the step as a float, {name: array} after the step p - learning_rate * dObjective/dp).
    """
    network = grader_network(state)
    loss = torch.nn.functional.cross_entropy(network(torch.from_numpy(X)), torch.from_numpy(y))
    objective = loss if flood_level is None else (loss - flood_level).abs() + flood_level
    objective.backward()
    stepped = {name: (parameter - learning_rate * parameter.grad).detach().numpy() for name, parameter in network.named_parameters()}
    return float(loss), stepped


def random_batch(seed, size):
    """Seeded random images X float32 (size, 784) in [0, 1] and labels y int64 (size,)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, size=(size, 784)).astype(np.float32), rng.integers(0, NUM_CLASSES, size=size).astype(np.int64)


# ----------------------------------------------------------------------------------------------
# Q3.1 and Q4.2: the grader's objectives, differentiated with torch autograd in float64
# ----------------------------------------------------------------------------------------------

Q4_2_PARAMETERS = ("w11", "w21", "w22", "w32", "m11", "m12", "m22", "b2", "c1")


def handout_relu(a):
    """ReLU with the handout's derivative: 0 for a < 0 and 1 otherwise (torch.where passes the gradient at a = 0)."""
    return torch.where(a >= 0, a, torch.zeros_like(a))


def dag_gradients(x, y, theta):
    """Q4.2's graph by torch autograd: {"yhat1": float, ..., "z1": dJ/dz1, "z2", and every parameter: dJ/dparameter}.

    Inputs: x (3,), y (2,) floats and theta {name: float} of Q4_2_PARAMETERS. The ReLU's derivative at 0 is 1.
    """
    p = {name: torch.tensor(float(theta[name]), dtype=torch.float64, requires_grad=True) for name in Q4_2_PARAMETERS}
    x1, x2, x3 = (torch.tensor(float(value), dtype=torch.float64) for value in x)
    z1 = handout_relu(p["w11"] * x1 + p["w21"] * x2)
    z2 = p["w22"] * x2 ** 2 + p["w32"] * x3 + p["b2"]
    z1.retain_grad()
    z2.retain_grad()
    yhat1 = torch.sigmoid(p["m11"] * z1 ** 3 + p["c1"])
    yhat2 = p["m12"] * torch.sin(z1) + p["m22"] * torch.cos(z2)
    loss = torch.log((float(y[0]) - yhat1) ** 2) + torch.log((float(y[1]) - yhat2) ** 2)
    loss.backward()
    gradients = {name: float(value.grad) for name, value in p.items()}
    gradients.update({"z1": float(z1.grad), "z2": float(z2.grad), "yhat1": float(yhat1), "yhat2": float(yhat2)})
    return gradients


def dag_points(seed, count, kinks):
    """Points (x (3,), y (2,), theta dict) for Q4.2: ``count`` random ones and ``kinks`` where the ReLU's input is exactly 0.

    The random ones have the ReLU's input away from 0 (|a| > 0.05), both signs occurring; every point keeps
    |y_i - yhat_i| > 0.1 so that the loss is smooth there. Kink points use dyadic numbers, so that
    w11 x1 + w21 x2 is exactly 0.0 in floating point.
    """
    rng = np.random.default_rng(seed)
    points = []
    while len(points) < count + kinks:
        theta = {name: float(rng.normal(0, 1)) for name in Q4_2_PARAMETERS}
        x = [float(value) for value in rng.normal(0, 1.2, size=3)]
        kink = len(points) >= count
        if kink:
            x[0] = float(rng.choice([0.5, 1.0, 2.0, -1.0]))
            x[1] = float(rng.integers(-8, 9)) / 4.0 or 1.0
            theta["w21"] = float(rng.integers(-8, 9)) / 4.0 or 0.5
            theta["w11"] = -theta["w21"] * x[1] / x[0]
            if theta["w11"] * x[0] + theta["w21"] * x[1] != 0.0:
                continue
        elif abs(theta["w11"] * x[0] + theta["w21"] * x[1]) < 0.05:
            continue
        forward = dag_gradients(x, [0.0, 0.0], theta)
        y = [forward["yhat1"] + float(rng.choice([-1, 1]) * rng.uniform(0.1, 1.5)),
             forward["yhat2"] + float(rng.choice([-1, 1]) * rng.uniform(0.1, 1.5))]
        points.append((x, y, theta))
    return points


def ridge_logistic_gradient(theta, X, y, lam):
    """Q3.1's df/dtheta by torch autograd in float64: f = mean(-y theta^T x + log(1 + exp(theta^T x))) + lam/2 ||theta||^2.

    Inputs: theta (M + 1,), X (N, M + 1), y (N,) of 0/1, lam float. Returns an array (M + 1,).
    """
    t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    scores = torch.from_numpy(np.asarray(X, dtype=np.float64)) @ t
    labels = torch.from_numpy(np.asarray(y, dtype=np.float64))
    objective = (-labels * scores + torch.nn.functional.softplus(scores)).mean() + lam / 2 * (t ** 2).sum()
    objective.backward()
    return t.grad.numpy()


def logistic_problems(seed, count):
    """``count`` seeded problems (theta (M + 1,), X (N, M + 1) with a last column of ones, y (N,) 0/1, lam, eta)."""
    rng = np.random.default_rng(seed)
    problems = []
    for _ in range(count):
        n, m = int(rng.integers(3, 12)), int(rng.integers(1, 6))
        X = np.hstack([rng.normal(0, 2, size=(n, m)), np.ones((n, 1))])
        problems.append((rng.normal(0, 1, size=m + 1), X, rng.integers(0, 2, size=n).astype(np.float64),
                         float(rng.uniform(0, 2)), float(rng.uniform(0.01, 1))))
    return problems
