"""Depth vs width on MNIST (problems 2C, 2D and 2E): fully connected networks under a hidden-unit budget.

Each ``build_model_*`` function returns a ``torch.nn.Sequential`` made only of Flatten, Linear, ReLU,
Softmax and Dropout layers. Hidden units are the ``out_features`` of every Linear layer but the last;
hidden layers are the Linear layers but the last. Check a model with
``utils.architecture.architecture_report(model, allowed_layers=ALLOWED_LAYERS, max_hidden_units=...,
min_hidden_layers=...)``: the grader runs the same check.

| problem | function | hidden units | hidden layers | test accuracy (full MNIST) |
| --- | --- | --- | --- | --- |
| 2C | ``build_model_c`` | at most 100 | at least 1 | 0.975 |
| 2D | ``build_model_d`` | at most 200 | at least 2 | 0.98 |
| 2E (extra credit) | ``build_model_e`` | at most 1000 | at least 3 | 0.983 |

``train`` is your training loop: categorical cross-entropy, with the optimizer, learning rate, batch
size and number of epochs of your choice. The grader seeds torch (``torch.manual_seed``), builds each
model, trains it with your ``train`` on the training images and measures its accuracy on test images
it keeps to itself.

Images are float32 tensors (N, 1, 28, 28) with pixel values in [0, 1] (torchvision's ``ToTensor``,
no other normalisation); labels are int64 tensors (N,) of digits 0..9. Letters in shapes: N images.
"""

import torch
from torch import nn

ALLOWED_LAYERS = ("Flatten", "Linear", "ReLU", "Softmax", "Dropout")
NUM_CLASSES = 10
IMAGE_PIXELS = 28 * 28


def build_model_c():
    """Problem 2C: at most 100 hidden units. Returns a torch.nn.Sequential mapping images (N, 1, 28, 28) to scores (N, 10)."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(IMAGE_PIXELS, 100), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(100, NUM_CLASSES),
    )
    ### END SOLUTION


def build_model_d():
    """Problem 2D: at most 200 hidden units in at least 2 hidden layers. Returns a torch.nn.Sequential, images (N, 1, 28, 28) -> (N, 10)."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(IMAGE_PIXELS, 120), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(120, 80), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(80, NUM_CLASSES),
    )
    ### END SOLUTION


def build_model_e():
    """Problem 2E: at most 1000 hidden units in at least 3 hidden layers. Returns a torch.nn.Sequential, images (N, 1, 28, 28) -> (N, 10)."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(IMAGE_PIXELS, 400), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(400, 200), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(200, 100), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(100, NUM_CLASSES),
    )
    ### END SOLUTION


def train(model, images, labels):
    """Train ``model`` in place with categorical cross-entropy; optimizer, batch size and epochs are yours.

    Inputs:
    - model: a torch.nn.Sequential from one of the ``build_model_*`` functions.
    - images: float32 tensor (N, 1, 28, 28), pixel values in [0, 1].
    - labels: int64 tensor (N,), digits 0..9.

    Returns:
    - list of floats, one per epoch: the mean training loss of that epoch.
    """
    ### BEGIN SOLUTION
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = nn.CrossEntropyLoss()
    batch_size, epochs = 64, 15
    model.train()
    history = []
    for _ in range(epochs):
        order = torch.randperm(len(images))
        total = 0.0
        for start in range(0, len(images), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = loss_function(model(images[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        history.append(total / len(images))
    model.eval()
    return history
    ### END SOLUTION


def accuracy(model, images, labels):
    """Fraction of ``images`` (N, 1, 28, 28) whose highest score under ``model`` (in eval mode) is the label (N,)."""
    model.eval()
    with torch.no_grad():
        return float((model(images).argmax(dim=1) == labels).float().mean())


def mnist_tensors(split):
    """MNIST's ``split`` ("train" or "test") as images (N, 1, 28, 28) float32 in [0, 1] and labels (N,) int64."""
    from utils import data

    images, labels = data.load_dataset("mnist", split)
    return torch.from_numpy(data.as_inputs(images, flatten=False)), torch.from_numpy(labels)


def main():
    """Train the three models on MNIST's 60,000 training images and print their accuracy on the 10,000 test images."""
    train_images, train_labels = mnist_tensors("train")
    test_images, test_labels = mnist_tensors("test")
    for name, build in (("2C", build_model_c), ("2D", build_model_d), ("2E", build_model_e)):
        torch.manual_seed(0)
        model = build()
        train(model, train_images, train_labels)
        print(f"{name}: test accuracy {accuracy(model, test_images, test_labels):.4f}")


if __name__ == "__main__":
    main()
