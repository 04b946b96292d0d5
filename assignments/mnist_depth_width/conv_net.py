"""A constrained convolutional network on MNIST (problem 3G) and its dropout sweep.

``build_cnn(dropout)`` returns a ``torch.nn.Sequential`` made only of Linear, Conv2d, MaxPool2d,
BatchNorm2d, Dropout, ReLU, Softmax and Flatten layers, with fewer than 1,000,000 parameters and at
least one Dropout and one BatchNorm2d layer; every Dropout layer has probability ``dropout``. Check it
with ``utils.architecture.architecture_report(model, allowed_layers=ALLOWED_LAYERS,
max_parameters=MAX_PARAMETERS, required_layers=REQUIRED_LAYERS)``: the grader runs the same check.

``train`` is your training loop: categorical cross-entropy, mini-batches of ``batch_size`` (the
handout: 32) for ``epochs`` epochs (the handout: 10), any optimizer and learning rate. The grader
seeds torch, builds ``build_cnn()`` with your default dropout, trains it with your ``train`` and
measures its accuracy on test images it keeps to itself (threshold 0.985 after 10 epochs on full MNIST).

``dropout_sweep`` trains one model per dropout probability p in ``DROPOUT_VALUES`` (10 equally spaced
values from 0 to 1) for one epoch each and returns the test accuracies as data; ``plot_dropout_sweep``
draws them.

Images are float32 tensors (N, 1, 28, 28) with pixel values in [0, 1]; labels are int64 tensors (N,).
Letters in shapes: N images, P dropout values.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

ALLOWED_LAYERS = ("Linear", "Conv2d", "MaxPool2d", "BatchNorm2d", "Dropout", "ReLU", "Softmax", "Flatten")
REQUIRED_LAYERS = ("Dropout", "BatchNorm2d")
MAX_PARAMETERS = 1_000_000
NUM_CLASSES = 10
DROPOUT_VALUES = np.linspace(0.0, 1.0, 10)


def build_cnn(dropout=0.1):
    """The CNN, every Dropout layer with probability ``dropout``: a torch.nn.Sequential, images (N, 1, 28, 28) -> scores (N, 10)."""
    raise NotImplementedError


def train(model, images, labels, epochs=10, batch_size=32):
    """Train ``model`` in place with categorical cross-entropy on mini-batches of ``batch_size`` for ``epochs`` epochs.

    Inputs:
    - model: a torch.nn.Sequential from ``build_cnn``.
    - images: float32 tensor (N, 1, 28, 28), pixel values in [0, 1].
    - labels: int64 tensor (N,), digits 0..9.
    - epochs, batch_size: ints.

    Returns:
    - list of ``epochs`` floats: the mean training loss of each epoch.
    """
    raise NotImplementedError


def accuracy(model, images, labels):
    """Fraction of ``images`` (N, 1, 28, 28) whose highest score under ``model`` (in eval mode) is the label (N,)."""
    model.eval()
    with torch.no_grad():
        return float((model(images).argmax(dim=1) == labels).float().mean())


def dropout_sweep(train_images, train_labels, test_images, test_labels):
    """For each p of DROPOUT_VALUES: ``build_cnn(p)`` trained with ``train`` for 1 epoch at batch size 32, then tested.

    Inputs:
    - train_images (N, 1, 28, 28) float32, train_labels (N,) int64: what each model trains on.
    - test_images (M, 1, 28, 28) float32, test_labels (M,) int64: what each model is tested on.

    Returns a dict:
    - "p": float array (10,), the dropout probabilities, DROPOUT_VALUES in order.
    - "accuracy": float array (10,), the test accuracy of the model trained with each p.
    """
    raise NotImplementedError


def plot_dropout_sweep(p, accuracies):
    """A matplotlib Figure with one axes: one line of test accuracy (y, ``accuracies`` (P,)) against dropout probability (x, ``p`` (P,)).

    The axes are labelled; the x label names the dropout probability and the y label the accuracy.
    """
    raise NotImplementedError


def mnist_tensors(split):
    """MNIST's ``split`` ("train" or "test") as images (N, 1, 28, 28) float32 in [0, 1] and labels (N,) int64."""
    from utils import data

    images, labels = data.load_dataset("mnist", split)
    return torch.from_numpy(data.as_inputs(images, flatten=False)), torch.from_numpy(labels)


def main():
    """The sweep on full MNIST (written to dropout_sweep.png), then the CNN trained for 10 epochs at batch size 32."""
    train_images, train_labels = mnist_tensors("train")
    test_images, test_labels = mnist_tensors("test")
    torch.manual_seed(0)
    sweep = dropout_sweep(train_images, train_labels, test_images, test_labels)
    for p, value in zip(sweep["p"], sweep["accuracy"]):
        print(f"dropout p={p:.3f}: test accuracy after 1 epoch {value:.4f}")
    plot_dropout_sweep(sweep["p"], sweep["accuracy"]).savefig("dropout_sweep.png")
    torch.manual_seed(0)
    model = build_cnn()
    train(model, train_images, train_labels, epochs=10, batch_size=32)
    print(f"10 epochs: test accuracy {accuracy(model, test_images, test_labels):.4f}")


if __name__ == "__main__":
    main()
