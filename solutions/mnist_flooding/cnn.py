"""The handout's suggested convolutional network on the same MNIST split (handout problem 5.5).

Layers, in order (N images of 1 x 28 x 28):

    Conv2d(1, 16, kernel 5x5, stride 1, padding 2)    -> (N, 16, 28, 28)
    ReLU
    MaxPool2d(kernel 2, stride 2)                      -> (N, 16, 14, 14)
    Conv2d(16, 32, kernel 5x5, stride 1, padding 2)   -> (N, 32, 14, 14)
    ReLU
    MaxPool2d(kernel 2, stride 2)                      -> (N, 32, 7, 7)
    Flatten                                            -> (N, 1568)
    Linear(1568, 10)                                   -> (N, 10) logits

It is trained with ``flooding.fit`` (SGD, learning rate 0.1, momentum 0.9, no flooding), so that the
comparison with the one-hidden-layer network of ``flooding.py`` changes only the model.

Run ``python cnn.py`` (with MNIST in the data root of ``utils.data``: $AUTOGRADER_DATA, else
~/.cache/dl-autograder) to train it and save its error curves.
"""

import argparse

import torch
from torch import nn

import flooding

NUM_CLASSES = 10


def build_cnn(seed=0):
    """The suggested CNN above as a ``torch.nn.Sequential``, with initial weights drawn after ``torch.manual_seed(seed)``.

    Maps images (N, 1, 28, 28) to logits (N, 10).
    """
    ### BEGIN SOLUTION
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=5, stride=1, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(16, 32, kernel_size=5, stride=1, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, NUM_CLASSES),
    )
    ### END SOLUTION


def main(argv=None):
    """Train the CNN on the 8:2 MNIST split of ``flooding.py`` and save its error curves."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args(argv)
    X_train, y_train, X_val, y_val = flooding.mnist_train_validation()
    images = (X_train.reshape(-1, 1, 28, 28), X_val.reshape(-1, 1, 28, 28))
    history = flooding.fit(build_cnn(), images[0], y_train, images[1], y_val, args.epochs, args.batch_size)
    flooding.plot_error_curves(history, "suggested CNN").savefig("cnn_errors.png")
    print(f"CNN: training error {history['train_error'][-1]:.2f}%, validation error {history['val_error'][-1]:.2f}%")


if __name__ == "__main__":
    main()
