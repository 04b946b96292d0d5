"""Reference outputs of the Fashion-MNIST suites, computed with the reference solutions.

``build(split)`` returns {name: array} for split "public" or "hidden"; the release tooling writes
it to ``tests/fashion_mnist/<split>/reference_outputs.npz`` with this folder first on ``sys.path``.
Inputs are drawn from seeded generators, with different seeds and sizes for the two splits, and
are stored next to the outputs, so a test reads both from one file.

Keys (letters: N examples, D input features, H hidden units, C classes):

- ``init{i}_config`` [D, H, C, seed] and ``init{i}_{W1,b1,W2,b2}``: a freshly constructed NumpyANN, i = 0, 1.
- ``init_large_config``, ``init_large_W1_head`` (3, H) (the first rows of W1), ``init_large_W2`` (H, C).
- ``relu_x`` (R, K) and ``relu_vector_x`` (K,) with exact zeros; ``relu_out``, ``relu_grad_out``,
  ``relu_vector_out``, ``relu_vector_grad_out``: ``_relu`` and ``_relu_grad`` of them.
- ``ce_y_true`` (N, C) one-hot; ``ce_y_pred`` (N, C) probabilities and ``ce_value`` (0-d); ``ce_zero_target_y_pred``
  with a zero probability for a true class and ``ce_zero_target_value``; ``ce_zero_other_y_pred`` with zero
  probabilities for other classes only and ``ce_zero_other_value``.
- ``net_{W1,b1,W2,b2}``: weights that tests write into a NumpyANN before the calls below.
- ``forward_X`` (N, D) and ``forward_{z1,a1,z2,a2}``: ``_forward(forward_X, True)`` and what it stores.
- ``forward_large_X`` (N, D) (logits in the thousands) and ``forward_large_a2`` (N, C).
- ``backward_X`` (N, D), ``backward_Y`` (N, C), ``backward_lr`` (0-d) and ``backward_{W1,b1,W2,b2}``: the
  weights after ``_forward(X, True)`` and ``_backward(X, Y)``.
- ``train_full_*``: one epoch with batch_size = N: inputs ``X``, ``Y``, ``X_val``, ``Y_val``, ``lr``; outputs
  ``{W1,b1,W2,b2}``, ``val_loss`` (1,) and ``val_accuracy`` (1,).
- ``train_batches_*``: the same for ``epochs`` epochs of mini-batches of ``batch_size`` rows, the last one shorter.
- ``torch{i}_config`` [D, H, C, seed], ``torch{i}_{0_weight,0_bias,2_weight,2_bias}`` (a PyTorchANN's
  state_dict, dots written as underscores), ``torch{i}_X`` (N, D) float32 and ``torch{i}_logits`` (N, C), i = 0, 1.
- ``torch_large_config``, ``torch_large_0_weight_head`` (4, D), ``torch_large_2_weight`` (C, H), ``torch_large_2_bias`` (C,).
- ``cnn_num_parameters`` (0-d), ``cnn_layer_parameters`` (L,) per leaf layer in order; ``cnn_seed``,
  ``cnn_X`` (N, 1, 28, 28) float32 and ``cnn_logits_eval`` (N, 10): the seeded CNN's logits in eval mode.
"""

import numpy as np
import torch

import numpy_ann
import pytorch_ann
import pytorch_cnn

SPLITS = {
    "public": {
        "seed": 2024, "init": [(6, 5, 4, 0), (10, 3, 2, 42)], "init_large": (784, 128, 10, 0),
        "net": (8, 6, 4), "n": 5, "lr": 0.1, "relu_shape": (4, 5),
        "train_batches": {"n": 10, "batch_size": 4, "epochs": 2, "n_val": 6},
        "torch": [(6, 5, 4, 0), (10, 8, 3, 7)], "torch_large": (784, 128, 10, 0), "cnn_seed": 0, "cnn_n": 3,
    },
    "hidden": {
        "seed": 7771, "init": [(7, 4, 3, 1), (12, 6, 5, 2023)], "init_large": (784, 128, 10, 123),
        "net": (9, 7, 5), "n": 6, "lr": 0.05, "relu_shape": (3, 7),
        "train_batches": {"n": 11, "batch_size": 3, "epochs": 2, "n_val": 7},
        "torch": [(7, 4, 3, 1), (12, 9, 5, 99)], "torch_large": (784, 128, 10, 11), "cnn_seed": 5, "cnn_n": 4,
    },
}
WEIGHTS = ("W1", "b1", "W2", "b2")


def one_hot_rows(rng, n, classes):
    """Random one-hot labels (n, classes) float64."""
    return np.eye(classes)[rng.integers(0, classes, size=n)]


def probability_rows(rng, n, classes):
    """Random probability rows (n, classes) float64, each summing to 1."""
    raw = rng.uniform(0.05, 1.0, size=(n, classes))
    return raw / raw.sum(axis=1, keepdims=True)


def weights_of(net):
    """The four weight arrays of a NumpyANN as {name: copy}."""
    return {name: np.array(getattr(net, name), dtype=np.float64) for name in WEIGHTS}


def network(weights, lr):
    """A NumpyANN of the weights' sizes holding copies of ``weights``."""
    D, H = weights["W1"].shape
    net = numpy_ann.NumpyANN(D, H, weights["W2"].shape[1], lr, 0)
    for name, value in weights.items():
        setattr(net, name, value.copy())
    return net


def numpy_initialisation(config):
    """Seeded NumpyANN initialisations: small sizes in full, the handout's size in part."""
    out = {}
    for i, (D, H, C, seed) in enumerate(config["init"]):
        out[f"init{i}_config"] = np.array([D, H, C, seed])
        out.update({f"init{i}_{name}": value for name, value in weights_of(numpy_ann.NumpyANN(D, H, C, 0.01, seed)).items()})
    D, H, C, seed = config["init_large"]
    large = weights_of(numpy_ann.NumpyANN(D, H, C, 0.01, seed))
    out["init_large_config"] = np.array([D, H, C, seed])
    out["init_large_W1_head"] = large["W1"][:3]
    out["init_large_W2"] = large["W2"]
    return out


def numpy_elementwise(rng, config):
    """ReLU, its gradient and cross-entropy on seeded inputs with exact zeros."""
    net = numpy_ann.NumpyANN(4, 3, 2, 0.01, 0)
    x = rng.normal(size=config["relu_shape"])
    x.flat[::3] = 0.0
    vector = np.concatenate([rng.normal(size=5), [0.0, -0.0]])
    N, C = config["n"], config["net"][2]
    y_true = one_hot_rows(rng, N, C)
    y_pred = probability_rows(rng, N, C)
    zero_target = y_pred.copy()
    zero_target[0] = np.where(y_true[0] == 1, 0.0, 1.0 / (C - 1))
    zero_other = y_pred.copy()
    zero_other[1] = np.where(y_true[1] == 1, 1.0, 0.0)
    return {
        "relu_x": x, "relu_out": net._relu(x), "relu_grad_out": net._relu_grad(x),
        "relu_vector_x": vector, "relu_vector_out": net._relu(vector), "relu_vector_grad_out": net._relu_grad(vector),
        "ce_y_true": y_true, "ce_y_pred": y_pred, "ce_value": np.array(net._cross_entropy(y_true, y_pred)),
        "ce_zero_target_y_pred": zero_target, "ce_zero_target_value": np.array(net._cross_entropy(y_true, zero_target)),
        "ce_zero_other_y_pred": zero_other, "ce_zero_other_value": np.array(net._cross_entropy(y_true, zero_other)),
    }


def numpy_network(rng, config):
    """Forward, backward and training of a NumpyANN holding seeded weights."""
    D, H, C = config["net"]
    N, lr = config["n"], config["lr"]
    weights = {"W1": rng.normal(0, 1 / np.sqrt(D), (D, H)), "b1": rng.normal(0, 0.1, (1, H)),
               "W2": rng.normal(0, 1 / np.sqrt(H), (H, C)), "b2": rng.normal(0, 0.1, (1, C))}
    out = {f"net_{name}": value for name, value in weights.items()}

    X = rng.normal(size=(N, D))
    net = network(weights, lr)
    out["forward_X"] = X
    out["forward_a2"] = net._forward(X, True)
    out.update({f"forward_{name}": np.array(getattr(net, name)) for name in ("z1", "a1", "z2")})
    out["forward_large_X"] = 1000.0 * rng.normal(size=(N, D))
    out["forward_large_a2"] = network(weights, lr)._forward(out["forward_large_X"], False)

    X, Y = rng.normal(size=(N, D)), one_hot_rows(rng, N, C)
    net = network(weights, lr)
    net._forward(X, True)
    net._backward(X, Y)
    out.update({"backward_X": X, "backward_Y": Y, "backward_lr": np.array(lr)})
    out.update({f"backward_{name}": value for name, value in weights_of(net).items()})

    batches = config["train_batches"]
    for prefix, n, batch_size, epochs in (("train_full", N, N, 1), ("train_batches", batches["n"], batches["batch_size"], batches["epochs"])):
        X, Y = rng.normal(size=(n, D)), one_hot_rows(rng, n, C)
        X_val, Y_val = rng.normal(size=(batches["n_val"], D)), one_hot_rows(rng, batches["n_val"], C)
        net = network(weights, lr)
        history = net.train(X, Y, X_val, Y_val, epochs, batch_size)
        out.update({f"{prefix}_X": X, f"{prefix}_Y": Y, f"{prefix}_X_val": X_val, f"{prefix}_Y_val": Y_val, f"{prefix}_lr": np.array(lr),
                    f"{prefix}_batch_size": np.array(batch_size), f"{prefix}_epochs": np.array(epochs),
                    f"{prefix}_val_loss": np.array(history["val_loss"]), f"{prefix}_val_accuracy": np.array(history["val_accuracy"])})
        out.update({f"{prefix}_{name}": value for name, value in weights_of(net).items()})
    return out


def torch_state(model):
    """A torch module's state_dict as {name with dots as underscores: numpy array}."""
    return {name.replace(".", "_"): tensor.detach().numpy().copy() for name, tensor in model.state_dict().items()}


def torch_networks(rng, config):
    """Seeded PyTorchANN initialisations and logits, and the CNN's parameter counts and eval-mode logits."""
    out = {}
    for i, (D, H, C, seed) in enumerate(config["torch"]):
        net = pytorch_ann.PyTorchANN(D, H, C, seed)
        X = rng.normal(size=(config["n"], D)).astype(np.float32)
        out[f"torch{i}_config"] = np.array([D, H, C, seed])
        out.update({f"torch{i}_{name}": value for name, value in torch_state(net.model).items()})
        out[f"torch{i}_X"] = X
        with torch.no_grad():
            out[f"torch{i}_logits"] = net.forward(torch.from_numpy(X)).numpy()
    D, H, C, seed = config["torch_large"]
    large = torch_state(pytorch_ann.PyTorchANN(D, H, C, seed).model)
    out.update({"torch_large_config": np.array([D, H, C, seed]), "torch_large_0_weight_head": large["0_weight"][:4],
                "torch_large_2_weight": large["2_weight"], "torch_large_2_bias": large["2_bias"]})

    cnn = pytorch_cnn.PyTorchCNN(10, config["cnn_seed"])
    leaves = [module for module in cnn.model.modules() if not list(module.children())]
    out["cnn_num_parameters"] = np.array(sum(p.numel() for p in cnn.model.parameters()))
    out["cnn_layer_parameters"] = np.array([sum(p.numel() for p in leaf.parameters()) for leaf in leaves])
    out["cnn_seed"] = np.array(config["cnn_seed"])
    out["cnn_X"] = rng.uniform(0, 1, size=(config["cnn_n"], 1, 28, 28)).astype(np.float32)
    cnn.model.eval()
    with torch.no_grad():
        out["cnn_logits_eval"] = cnn.forward(torch.from_numpy(out["cnn_X"])).numpy()
    return out


def build(split):
    """The reference arrays of ``split`` ("public" or "hidden") as {name: array}."""
    config = SPLITS[split]
    rng = np.random.default_rng(config["seed"])
    out = numpy_initialisation(config)
    out.update(numpy_elementwise(rng, config))
    out.update(numpy_network(rng, config))
    out.update(torch_networks(rng, config))
    return {name: np.asarray(value) for name, value in out.items()}
