"""A convolutional neural network in PyTorch, trained on Fashion-MNIST, with its learning curves.

PyTorchCNN reuses PyTorchANN's forward, train, predict and plotting methods; only the network
differs. It takes single-channel images (N, 1, 28, 28) and returns C class scores (logits):

    4 blocks of [Conv2d 3x3 (stride 1, padding 1) -> ReLU -> MaxPool2d 2 -> BatchNorm2d -> Dropout 0.3]
    with 1 -> 32 -> 64 -> 128 -> 256 channels (28 -> 14 -> 7 -> 3 -> 1 pixels a side),
    then Flatten (256) -> Linear (128) -> ReLU -> Linear (C).

Letters in shapes: N examples, C classes.

Run ``python pytorch_cnn.py`` to run the public tests of this file, then train the network on
Fashion-MNIST with the grading schedule's settings, print its test accuracy and save its learning
curves to ``pytorch_cnn_train_val_metrics.png``.
"""

import torch
from torch import nn

from pytorch_ann import PyTorchANN
from utils.local_tests import training_schedule

PLOT_FILE = "pytorch_cnn_train_val_metrics.png"


class PyTorchCNN(PyTorchANN):
    """A four-block convolutional network followed by a two-layer classifier.

    Attributes:
    - num_classes (C), seed.
    - model: the nn.Sequential described in the module docstring.
    - history: what the last call of ``train`` returned.
    """

    def __init__(self, num_classes=10, seed=0):
        """Seed torch's generator and build the network (PyTorchANN's constructor is not called).

        The hidden tests compare the logits of ``PyTorchCNN(10, seed)`` with the reference's, so its
        random initial weights must be drawn as the reference draws them: create the layers in the
        documented order (block 1's Conv2d, ReLU, MaxPool2d, BatchNorm2d, Dropout, then block 2's, ...,
        then Flatten, Linear(256, 128), ReLU, Linear(128, C)) right after ``torch.manual_seed(seed)``, with
        no other random draw in between, and with PyTorch's default initialisation. Every Conv2d and
        Linear layer has a bias (``bias=True``, PyTorch's default); the parameter count includes them.

        Inputs:
        - num_classes: C, the number of classes.
        - seed: seed passed to ``torch.manual_seed`` before the layers are created.
        """
        self.num_classes = num_classes
        self.seed = seed
        torch.manual_seed(seed)
        raise NotImplementedError

    def report_my_judgement(self):
        """How the network does by the end of training under the grading schedule.

        Returns:
        - one of "underfitting", "overfitting" or "generalizing".
        """
        raise NotImplementedError


def main():
    """Train a PyTorchCNN with the grading schedule's settings (read from ``assignment.toml`` next to this file).

    ``train_and_report`` is imported here, not at the top, so that importing this module needs
    nothing from pytorch_ann.py but PyTorchANN.
    """
    from pytorch_ann import train_and_report

    schedule = training_schedule(__file__)
    train_and_report(PyTorchCNN(seed=schedule["seed"]), schedule, flatten=False, plot_file=PLOT_FILE)


if __name__ == "__main__":
    from utils.local_tests import run_public_tests
    run_public_tests(__file__)
    main()
