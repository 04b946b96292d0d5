"""Problem 5.2: a CNN for MNIST with at least two convolutional layers, each followed by max-pooling.

The network maps single-channel images (N, 1, 28, 28) with pixel values in [0, 1] to 10 class
scores (logits). It is an nn.Sequential in which every Conv2d is followed by an nn.MaxPool2d
before the next Conv2d or Linear layer (an activation may sit between them), with two Conv2d
layers or more. The design (channels, kernel sizes, fully connected layers, initialisation,
optimizer) is yours: describe it in ``answers.py`` (``q5_2_cnn_design``).

The grader trains it with ``optimizers.train`` (your Problem 3 training loop) on the optimizer
``make_cnn_optimizer`` returns, with the schedule ``[training.prob5]`` of assignment.toml, and
measures the test accuracy from ``optimizers.predict``'s labels.

Run ``python prob5.py`` to run the public tests of this file, then train the CNN with the grading
schedule and print its test accuracy.
"""

import torch
from torch import nn

import optimizers
from utils.local_tests import training_schedule


def build_cnn(seed=0):
    """The CNN, its weights drawn after ``torch.manual_seed(seed)``.

    Inputs:
    - seed: seed given to ``torch.manual_seed`` before the layers are created.

    Returns:
    - an nn.Sequential mapping float32 images (N, 1, 28, 28) to logits (N, 10), with at least two
      Conv2d layers, each followed by an nn.MaxPool2d.
    """
    raise NotImplementedError


def make_cnn_optimizer(parameters):
    """The optimizer that trains the CNN, with your tuned hyper-parameters.

    Inputs:
    - parameters: the CNN's parameters (``model.parameters()``).

    Returns:
    - a torch.optim optimizer over them.
    """
    raise NotImplementedError


def main():
    """Train the CNN with the grading schedule and print the validation accuracy of each epoch and the test accuracy."""
    schedule = training_schedule(__file__)
    splits, description = optimizers.mnist_splits(schedule, flatten=False)
    tensors = {name: torch.from_numpy(array) for name, array in splits.items()}
    print(f"data: {description}")
    model = build_cnn(schedule["seed"])
    history = optimizers.train(model, make_cnn_optimizer(model.parameters()), tensors["X_train"], tensors["y_train"],
                               tensors["X_val"], tensors["y_val"], schedule["epochs"], schedule["batch_size"], schedule["seed"])
    for epoch, (cost, accuracy) in enumerate(zip(history["train_cost"], history["val_accuracy"]), start=1):
        print(f"epoch {epoch}: training cost {cost:.4f}, validation accuracy {accuracy:.4f}")
    accuracy = (optimizers.predict(model, tensors["X_test"]) == tensors["y_test"]).float().mean().item()
    print(f"test accuracy: {accuracy:.4f}")


if __name__ == "__main__":
    from utils.local_tests import run_public_tests
    run_public_tests(__file__)
    main()
