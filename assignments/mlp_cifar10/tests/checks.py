"""Trusted computations, drivers and checks shared by the mlp_cifar10 suites (grader side).

The generic assertions live in ``autograder.assertions``. The computations are the grader's own
float64 versions of what the handout spells out (the activations, the softmax cross-entropy and the
MLP's forward pass), used for finite differences; the backward pass, the part students derive, is
not here. The drivers set up submitted objects through the documented constructor and attribute
writes only (``mlp.W = [...]``), so tests depend on nothing but the documented API, and on p1.py's
``np`` (the template's ``import numpy as np``), through which the worker's numpy is seeded and its
``np.random.randn`` and ``np.zeros`` are given to MLP as init functions (so part 1d does not depend on 1c).
"""

import numpy as np

from autograder.assertions import assert_array, assert_array_close, assert_gradient_close, describe
from autograder.sandbox import RemoteObject, SubmissionError
from utils.gradient_check import numerical_gradient

# ----------------------------------------------------------------------------------------------
# p1.py: the MLP written with numpy (letters: N examples, C classes, L layers, d_i layer widths)
# ----------------------------------------------------------------------------------------------

P1_ACTIVATIONS = {
    "Identity": lambda z: z,
    "Sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
    "Tanh": np.tanh,
    "ReLU": lambda z: np.maximum(z, 0.0),
}


def softmax_cross_entropy(logits, labels):
    """-sum_c labels log softmax(logits) of every example, in float64 with log-sum-exp: logits, labels (N, C) -> (N,)."""
    logits = np.asarray(logits, dtype=np.float64)
    top = logits.max(axis=1, keepdims=True)
    log_softmax = logits - top - np.log(np.exp(logits - top).sum(axis=1, keepdims=True))
    return -(labels * log_softmax).sum(axis=1)


def mlp_output(X, W, b, activations):
    """The documented MLP's output (N, d_L) for inputs X (N, d_0), weights W[i] (d_i, d_{i+1}), biases b[i] (d_{i+1},)
    and activation class names (L,), in float64."""
    out = np.asarray(X, dtype=np.float64)
    for weights, bias, name in zip(W, b, activations):
        out = P1_ACTIVATIONS[name](out @ weights + bias)
    return out


def mlp_mean_loss(X, Y, W, b, activations):
    """Mean over the N examples of the softmax cross-entropy of the MLP's output: the loss whose gradients backward takes."""
    return float(softmax_cross_entropy(mlp_output(X, W, b, activations), Y).mean())


def finite_difference_gradients(X, Y, W, b, activations):
    """Central finite differences of ``mlp_mean_loss`` with respect to every W[i] and b[i]: (dW list, db list)."""
    W = [np.array(w, dtype=np.float64) for w in W]
    b = [np.array(v, dtype=np.float64) for v in b]

    def loss(_):
        return mlp_mean_loss(X, Y, W, b, activations)

    return [numerical_gradient(loss, w) for w in W], [numerical_gradient(loss, v) for v in b]


def elementwise_finite_difference(forward, x, h=1e-6):
    """(forward(x + h) - forward(x - h)) / 2h, entry by entry, for an elementwise ``forward`` (a submitted one)."""
    return (np.asarray(forward(x + h), dtype=np.float64) - np.asarray(forward(x - h), dtype=np.float64)) / (2 * h)


def smooth_mlp_problem(seed, sizes, activations, n, margin=1e-3):
    """Weights W, b (lists), inputs X (n, d_0) and one-hot labels Y (n, d_L) for gradient checks.

    No pre-activation of a ReLU layer lies within ``margin`` of the kink, so finite differences see a
    smooth loss; some are negative, so ReLU's derivative matters.
    """
    relu_layers = [i for i, name in enumerate(activations) if name == "ReLU"]
    for attempt in range(1000):
        rng = np.random.default_rng([seed, attempt])
        W = [rng.normal(0, 1 / np.sqrt(d0), (d0, d1)) for d0, d1 in zip(sizes[:-1], sizes[1:])]
        b = [rng.normal(0, 0.3, d1) for d1 in sizes[1:]]
        X, Y = rng.normal(size=(n, sizes[0])), np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=n)]
        pre_activations = [mlp_output(X, W[:i], b[:i], activations[:i]) @ W[i] + b[i] for i in relu_layers]
        if all(np.abs(z).min() > margin and (z < 0).any() for z in pre_activations):
            return W, b, X, Y
    raise RuntimeError(f"no kink-free problem found for seed {seed}")


def worker_numpy(p1):
    """numpy as imported in the worker, reached through p1.py's ``np`` (the template's ``import numpy as np``) or ``numpy``."""
    for name in ("np", "numpy"):
        try:
            module = getattr(p1, name)
        except SubmissionError:
            continue
        if isinstance(module, RemoteObject) and module._type == "builtins.module":
            return module
    raise AssertionError("p1.py must keep the template's `import numpy as np`: the grader seeds numpy's global generator "
                         "and passes numpy's functions to MLP through it")


def seed_worker_numpy(p1, seed):
    """np.random.seed(seed) in the worker."""
    worker_numpy(p1).random.seed(seed)


def build_mlp(p1, sizes, activations, lr):
    """A submitted MLP of layer widths ``sizes`` [d_0, ..., d_L] with the named activations (one new object per layer).

    Its weights come from the worker's np.random.randn and its biases from np.zeros, so the MLP's
    tests do not depend on the submitted init functions (part 1c).
    """
    worker_np = worker_numpy(p1)
    return p1.MLP(int(sizes[0]), int(sizes[-1]), [int(d) for d in sizes[1:-1]], [getattr(p1, str(name))() for name in activations],
                  worker_np.random.randn, worker_np.zeros, p1.SoftmaxCrossEntropy(), float(lr))


def mlp_holding(p1, sizes, activations, lr, W, b):
    """A submitted MLP (see ``build_mlp``) into which the weights W and biases b (lists of arrays) are written."""
    mlp = build_mlp(p1, sizes, activations, lr)
    mlp.W = [np.array(w, dtype=np.float64) for w in W]
    mlp.b = [np.array(v, dtype=np.float64) for v in b]
    return mlp


def layer_shapes(sizes):
    """{"W": [(d_i, d_{i+1})], "b": [(d_{i+1},)]}: the parameter shapes of a network of layer widths ``sizes``."""
    return {"W": [(int(d0), int(d1)) for d0, d1 in zip(sizes[:-1], sizes[1:])], "b": [(int(d1),) for d1 in sizes[1:]]}


def read_layers(mlp, attribute, shapes, context):
    """The list attribute ``attribute`` (W, b, dW or db) of a submitted MLP, checked to hold float arrays of ``shapes``."""
    value = getattr(mlp, attribute)
    assert isinstance(value, (list, tuple)), f"{context}: self.{attribute} should be a list of {len(shapes)} arrays, got {describe(value)}"
    assert len(value) == len(shapes), f"{context}: self.{attribute} should hold {len(shapes)} arrays (one per layer), got {len(value)}"
    for i, (array, shape) in enumerate(zip(value, shapes)):
        assert_array(f"{context}: self.{attribute}[{i}]", array, shape=shape, kind="f")
    return list(value)


def toy_problem(reference, name):
    """The toy problem ``name`` of the reference outputs: {sizes, activations, lr, W, b, X, Y} (see reference_outputs.py)."""
    prefix = f"p1_{name}"
    layers = len(reference[f"{prefix}_activations"])
    return {
        "sizes": [int(d) for d in reference[f"{prefix}_sizes"]],
        "activations": [str(a) for a in reference[f"{prefix}_activations"]],
        "lr": float(reference[f"{prefix}_lr"]),
        "W": [reference[f"{prefix}_W{i}"] for i in range(layers)],
        "b": [reference[f"{prefix}_b{i}"] for i in range(layers)],
        "X": reference[f"{prefix}_X"],
        "Y": reference[f"{prefix}_Y"],
    }


def toy_problem_names(reference, sigmoid=None):
    """Names of the reference's toy problems: all of them, or only those with (True) or without (False) a Sigmoid layer."""
    names = [str(name) for name in reference["p1_mlp_problems"]]
    if sigmoid is None:
        return names
    return [name for name in names if ("Sigmoid" in reference[f"p1_{name}_activations"]) == sigmoid]


def describe_network(problem):
    """A toy problem's network in words, e.g. "MLP 6-5-4 (ReLU, Identity)"."""
    return f"MLP {'-'.join(str(d) for d in problem['sizes'])} ({', '.join(problem['activations'])})"


def toy_mlp(p1, problem):
    """A submitted MLP holding a toy problem's weights."""
    return mlp_holding(p1, problem["sizes"], problem["activations"], problem["lr"], problem["W"], problem["b"])


def assert_backward_matches_the_reference(p1, reference, name):
    """forward(X) then backward(Y) on toy problem ``name`` give the reference's every dW[i] and db[i]."""
    problem = toy_problem(reference, name)
    mlp = toy_mlp(p1, problem)
    mlp.forward(problem["X"])
    mlp.backward(problem["Y"])
    context = f"{describe_network(problem)} after forward(X) and backward(Y)"
    shapes = layer_shapes(problem["sizes"])
    for attribute, key in (("dW", "W"), ("db", "b")):
        for i, value in enumerate(read_layers(mlp, attribute, shapes[key], context)):
            assert_array_close(f"{context}: {attribute}[{i}]", value, reference[f"p1_{name}_{attribute}{i}"])
    return mlp, problem


def assert_step_matches_the_reference(p1, reference, name):
    """forward(X), backward(Y) and step() on toy problem ``name`` give the reference's gradients, then W and b."""
    mlp, problem = assert_backward_matches_the_reference(p1, reference, name)
    mlp.step()
    context = f"{describe_network(problem)} after forward(X), backward(Y) and step() with lr={problem['lr']:g}"
    shapes = layer_shapes(problem["sizes"])
    for attribute in ("W", "b"):
        for i, value in enumerate(read_layers(mlp, attribute, shapes[attribute], context)):
            assert_array_close(f"{context}: {attribute}[{i}]", value, reference[f"p1_{name}_stepped_{attribute}{i}"])


def assert_backward_matches_finite_differences(p1, seed, sizes, activations, n):
    """backward's dW and db on a kink-free seeded problem match central finite differences of the grader's mean loss."""
    W, b, X, Y = smooth_mlp_problem(seed, sizes, activations, n)
    mlp = mlp_holding(p1, sizes, activations, 0.1, W, b)
    mlp.forward(X)
    mlp.backward(Y)
    expected = dict(zip(("dW", "db"), finite_difference_gradients(X, Y, W, b, activations)))
    network = describe_network({"sizes": sizes, "activations": activations})
    shapes = layer_shapes(sizes)
    for attribute, key in (("dW", "W"), ("db", "b")):
        for i, value in enumerate(read_layers(mlp, attribute, shapes[key], f"{network} after backward")):
            assert_gradient_close(f"{network}: {attribute}[{i}] after backward on {n} examples", value, expected[attribute][i],
                                  "central finite differences of the mean over the batch of the softmax cross-entropy")

