"""Do we need zero training loss after zero training error? (handout problems 5.2 and 5.3)

A one-hidden-layer network (784 -> 500 ReLU -> 10) is trained on MNIST with SGD (learning rate 0.1,
momentum 0.9) on 80% of the training images, the other 20% validating. Its error curves show the
percentage of misclassified images after every epoch. Then the training objective is "flooded":
instead of the mean cross-entropy R(g), training minimises

    R~(g) = |R(g) - b| + b,

which is R(g) itself while R(g) > b and pushes R(g) back up (gradient ascent) once it falls below the
flood level b. The level is chosen among b = 0.00, 0.01, ..., 0.20 by the validation error.

Letters in shapes: N examples, C = 10 classes. Images are float32 tensors with values in [0, 1],
either (N, 784) rows or (N, 1, 28, 28) images (``build_mlp``'s network flattens them); labels are
int64 tensors (N,) of class indices.

Conventions the grader relies on (where the handout leaves the choice open):

- Errors are percentages of misclassified images, in [0, 100]; a prediction is the largest logit.
- ``fit`` seeds everything it draws (the order of the mini-batches) from its ``seed`` and ``build_mlp``
  seeds the initial weights from its ``seed``, so that the same call gives the same curves again.
- The "best" flood level is the one with the lowest validation error at the last epoch; on a tie, the
  smallest such level.

Run ``python flooding.py`` (with MNIST in the data root of ``utils.data``: $AUTOGRADER_DATA, else
~/.cache/dl-autograder) to train the baseline and
the flooded networks for the handout's 500 epochs and save the two figures of error curves.
"""

import argparse

import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from utils import data

INPUT_SIZE = 784
HIDDEN_UNITS = 500
NUM_CLASSES = 10
LEARNING_RATE = 0.1
MOMENTUM = 0.9
VALIDATION_FRACTION = 0.2
EVALUATION_CHUNK = 2000


def split_train_validation(num_examples, seed=0):
    """A seeded random 8:2 split of ``num_examples`` examples into training and validation indices.

    Inputs:
    - num_examples: N, the number of examples to split.
    - seed: seed of the random permutation; the same seed gives the same split.

    Returns (train_indices, val_indices):
    - train_indices: int64 array (N - V,).
    - val_indices: int64 array (V,), where V is 20% of N rounded down or up (N // 5 here).
    Together they hold every index 0..N-1 exactly once.
    """
    ### BEGIN SOLUTION
    order = np.random.default_rng(seed).permutation(num_examples).astype(np.int64)
    val_size = num_examples // 5
    return order[val_size:], order[:val_size]
    ### END SOLUTION


def build_mlp(seed=0, hidden_units=HIDDEN_UNITS):
    """The handout's network, with initial weights drawn after ``torch.manual_seed(seed)``.

    A ``torch.nn.Sequential`` of Flatten, Linear(784, H), ReLU, Linear(H, 10) with H = ``hidden_units``
    (the handout's 500 by default): images (N, 784) or (N, 1, 28, 28) to logits (N, 10).
    """
    ### BEGIN SOLUTION
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(INPUT_SIZE, hidden_units), nn.ReLU(), nn.Linear(hidden_units, NUM_CLASSES))
    ### END SOLUTION


def make_optimizer(model):
    """The handout's optimizer for all of ``model``'s parameters: SGD, learning rate 0.1, momentum 0.9.

    No weight decay, no Nesterov momentum, no learning-rate schedule. Returns a ``torch.optim.SGD``.
    """
    ### BEGIN SOLUTION
    return torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
    ### END SOLUTION


def flooded_loss(loss, flood_level):
    """The flooded objective |loss - b| + b, elementwise, differentiable with autograd.

    Inputs:
    - loss: a torch tensor of any shape (in training, the 0-d mean cross-entropy R(g) of a batch).
    - flood_level: b, a float.

    Returns a tensor of ``loss``'s shape. Its gradient is that of ``loss`` where loss > b and the
    opposite where loss < b.
    """
    ### BEGIN SOLUTION
    return (loss - flood_level).abs() + flood_level
    ### END SOLUTION


def training_step(model, optimizer, images, labels, flood_level=None):
    """One optimisation step on one mini-batch.

    The objective is the mean cross-entropy of the batch, R(g), or, when ``flood_level`` is a float b,
    the flooded objective |R(g) - b| + b. Gradients are zeroed first, then the objective is
    back-propagated and the optimizer takes its step.

    Inputs:
    - model: a torch module mapping images to logits (N, C), put in training mode here.
    - optimizer: a torch optimizer over the model's parameters.
    - images: float32 tensor (N, 784) or (N, 1, 28, 28).
    - labels: int64 tensor (N,).
    - flood_level: b, a float, or None for the plain loss.

    Returns the batch's mean cross-entropy R(g) before the step, as a float.
    """
    ### BEGIN SOLUTION
    model.train()
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(images), labels)
    objective = loss if flood_level is None else flooded_loss(loss, flood_level)
    objective.backward()
    optimizer.step()
    return float(loss.detach())
    ### END SOLUTION


def predict(model, images):
    """Predicted classes: the largest logit of each image, computed in evaluation mode without gradients.

    Inputs:
    - model: a torch module mapping images to logits (N, C).
    - images: float32 tensor (N, 784) or (N, 1, 28, 28).

    Returns an int64 tensor (N,).
    """
    ### BEGIN SOLUTION
    model.eval()
    with torch.no_grad():
        return torch.cat([model(chunk).argmax(dim=1) for chunk in images.split(EVALUATION_CHUNK)])
    ### END SOLUTION


def error_percent(model, images, labels):
    """The percentage of ``images`` (N, ...) that ``model`` misclassifies, given their labels (N,): a float in [0, 100]."""
    ### BEGIN SOLUTION
    return 100.0 * float((predict(model, images) != labels).double().mean())
    ### END SOLUTION


def mean_loss(model, images, labels):
    """The mean cross-entropy R(g) of ``model`` on ``images`` (N, ...) with ``labels`` (N,), in evaluation mode: a float."""
    ### BEGIN SOLUTION
    model.eval()
    with torch.no_grad():
        total = sum(float(nn.functional.cross_entropy(model(x), y, reduction="sum"))
                    for x, y in zip(images.split(EVALUATION_CHUNK), labels.split(EVALUATION_CHUNK)))
    return total / len(labels)
    ### END SOLUTION


def fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, flood_level=None, seed=0):
    """Train ``model`` with ``make_optimizer(model)`` and record its error curves.

    Each epoch visits the training examples once, in an order drawn from a ``torch.Generator`` seeded
    with ``seed``, in mini-batches of ``batch_size`` (the last one may be smaller), each taken with
    ``training_step`` (flooded when ``flood_level`` is a float). After every epoch the errors on the
    whole training and validation sets and the training loss are measured.

    Inputs:
    - model: a torch module mapping images to logits (N, C); trained in place.
    - X_train: float32 tensor (N, 784) or (N, 1, 28, 28); y_train: int64 tensor (N,).
    - X_val: float32 tensor (M, ...) shaped like X_train's rows; y_val: int64 tensor (M,).
    - epochs, batch_size: ints.
    - flood_level: the flood level b (a float), or None to minimise the plain loss.
    - seed: seed of the mini-batch order.

    Returns the history, a dict of lists with one float per epoch:
    - "train_error", "val_error": percent misclassified in [0, 100] after each epoch;
    - "train_loss": the mean cross-entropy R(g) on the training set after each epoch.
    """
    ### BEGIN SOLUTION
    optimizer = make_optimizer(model)
    generator = torch.Generator().manual_seed(seed)
    history = {"train_error": [], "val_error": [], "train_loss": []}
    for _ in range(epochs):
        order = torch.randperm(len(y_train), generator=generator)
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            training_step(model, optimizer, X_train[batch], y_train[batch], flood_level)
        history["train_error"].append(error_percent(model, X_train, y_train))
        history["val_error"].append(error_percent(model, X_val, y_val))
        history["train_loss"].append(mean_loss(model, X_train, y_train))
    return history
    ### END SOLUTION


def flood_levels():
    """The flood levels the handout searches: b = 0.00, 0.01, ..., 0.20, a list of 21 floats in increasing order."""
    ### BEGIN SOLUTION
    return [round(0.01 * step, 2) for step in range(21)]
    ### END SOLUTION


def search_flood_level(X_train, y_train, X_val, y_val, epochs, batch_size, levels=None, seed=0, hidden_units=HIDDEN_UNITS):
    """Train a fresh ``build_mlp(seed, hidden_units)`` network with ``fit(..., flood_level=b, seed=seed)`` for every level b.

    Inputs:
    - X_train, y_train, X_val, y_val, epochs, batch_size, seed: as for ``fit``.
    - levels: the flood levels to try, a list of floats; None: ``flood_levels()``.
    - hidden_units: the width of the networks' hidden layer (the handout's 500 by default; smaller for a quick try).

    Returns a dict:
    - "levels": the levels tried, in the order given (list of floats);
    - "val_error": the validation error (percent) at the last epoch of each level's training (list of floats);
    - "best_level": the level with the lowest such error (the first one on a tie), a float;
    - "history": the history ``fit`` returned for the best level.
    """
    ### BEGIN SOLUTION
    levels = flood_levels() if levels is None else [float(level) for level in levels]
    histories = [fit(build_mlp(seed, hidden_units), X_train, y_train, X_val, y_val, epochs, batch_size, flood_level=level, seed=seed)
                 for level in levels]
    final_errors = [history["val_error"][-1] for history in histories]
    best = int(np.argmin(final_errors))
    return {"levels": levels, "val_error": final_errors, "best_level": levels[best], "history": histories[best]}
    ### END SOLUTION


def plot_error_curves(history, title):
    """A figure of the error curves of a history returned by ``fit``.

    One axes with two lines against the epoch number (1, 2, ..., E): "training error" from
    history["train_error"] and "validation error" from history["val_error"], in percent; the y label
    says "error (%)", the title is ``title``, and a legend names the two lines.

    Returns a matplotlib ``Figure``.
    """
    ### BEGIN SOLUTION
    figure = Figure(figsize=(7, 4))
    axes = figure.add_subplot()
    epochs = np.arange(1, len(history["train_error"]) + 1)
    axes.plot(epochs, history["train_error"], label="training error")
    axes.plot(epochs, history["val_error"], label="validation error")
    axes.set_xlabel("epoch")
    axes.set_ylabel("error (%)")
    axes.set_title(title)
    axes.legend()
    return figure
    ### END SOLUTION


def mnist_train_validation(seed=0):
    """MNIST's 60,000 training images split 8:2 with ``split_train_validation``: (X_train, y_train, X_val, y_val) tensors.

    X_* are float32 (N, 784) in [0, 1], y_* int64 (N,). Raises utils.data.DatasetNotFound without MNIST.
    """
    images, labels = data.load_dataset("mnist", "train")
    X, y = torch.from_numpy(data.as_inputs(images, flatten=True)), torch.from_numpy(labels)
    train, val = split_train_validation(len(y), seed)
    return X[train], y[train], X[val], y[val]


def main(argv=None):
    """Train the baseline and the flooded networks on MNIST and save their error curves."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--search-epochs", type=int, default=500, help="epochs of each training of the search over b")
    args = parser.parse_args(argv)
    X_train, y_train, X_val, y_val = mnist_train_validation()
    baseline = fit(build_mlp(), X_train, y_train, X_val, y_val, args.epochs, args.batch_size)
    plot_error_curves(baseline, "no flooding").savefig("baseline_errors.png")
    print(f"no flooding: training error {baseline['train_error'][-1]:.2f}%, validation error {baseline['val_error'][-1]:.2f}%")
    search = search_flood_level(X_train, y_train, X_val, y_val, args.search_epochs, args.batch_size)
    for level, error in zip(search["levels"], search["val_error"]):
        print(f"b = {level:.2f}: validation error {error:.2f}%")
    best = search["history"]
    plot_error_curves(best, f"flooding, b = {search['best_level']:.2f}").savefig("flooded_errors.png")
    print(f"best b = {search['best_level']:.2f}: training error {best['train_error'][-1]:.2f}%, validation error {best['val_error'][-1]:.2f}%")


if __name__ == "__main__":
    main()
