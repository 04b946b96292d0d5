"""A two-layer neural network in PyTorch, trained on Fashion-MNIST, with its learning curves.

The network maps an image, flattened to D pixels, to C class scores (logits):

    input (D) -> nn.Linear -> nn.ReLU -> hidden (H) -> nn.Linear -> logits (C)

and learns with torch.optim.SGD on nn.CrossEntropyLoss (which applies the softmax itself).
Inputs are float32 tensors; labels are int64 tensors of class indices (N,).

Letters in shapes: N examples, D input features, H hidden units, C classes.

Run ``python pytorch_ann.py`` to run the public tests of this file, then train the network on
Fashion-MNIST with the grading schedule's settings, print its test accuracy and save its learning
curves to ``pytorch_ann_train_val_metrics.png``.
"""

import matplotlib.pyplot as plt
import torch
from torch import nn

from utils.data import fashion_mnist_splits
from utils.local_tests import training_schedule

NUM_CLASSES = 10
EVAL_CHUNK = 1000
PLOT_FILE = "pytorch_ann_train_val_metrics.png"


class PyTorchANN:
    """A fully connected network with one ReLU hidden layer, trained with SGD.

    Attributes:
    - input_size (D), hidden_size (H), output_size (C), seed.
    - model: nn.Sequential(nn.Linear(D, H), nn.ReLU(), nn.Linear(H, C)).
    - history: what the last call of ``train`` returned.
    """

    def __init__(self, input_size, hidden_size, output_size, seed=0):
        """Store the sizes and the seed, seed torch's generator, and build the layers.

        Inputs:
        - input_size: D, the number of input features.
        - hidden_size: H, the number of hidden units.
        - output_size: C, the number of classes.
        - seed: seed passed to ``torch.manual_seed`` before the layers are created.
        """
        ### BEGIN SOLUTION
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.output_size = output_size
        self.seed = seed
        torch.manual_seed(seed)
        self.model = nn.Sequential(nn.Linear(input_size, hidden_size), nn.ReLU(), nn.Linear(hidden_size, output_size))
        ### END SOLUTION

    def forward(self, X):
        """Run inputs through the network.

        Inputs:
        - X: float32 tensor of inputs, (N, D) here, (N, 1, 28, 28) for the CNN subclass.

        Returns:
        - logits: float32 tensor (N, C).
        """
        ### BEGIN SOLUTION
        return self.model(X)
        ### END SOLUTION

    def train(self, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate):
        """Mini-batch SGD on the cross-entropy loss, with training and validation metrics per epoch.

        Each epoch visits the training set in a new random order (``torch.randperm``); each
        mini-batch of ``batch_size`` examples gets zero_grad, forward, loss, backward and step.
        The training loss and accuracy of an epoch are over its mini-batches (as they were seen
        during the epoch); the validation ones come from a pass over the validation set in eval
        mode without gradients, after the epoch.

        Inputs:
        - X_train: float32 tensor of training inputs (N, ...).
        - y_train: int64 tensor of their labels (N,).
        - X_val: float32 tensor of validation inputs (M, ...).
        - y_val: int64 tensor of their labels (M,).
        - epochs: number of passes over the training set.
        - batch_size: number of examples per mini-batch.
        - learning_rate: step size of SGD.

        Returns:
        - history: {"train_loss", "val_loss", "train_accuracy", "val_accuracy"}, each a list of
          one float per epoch; also kept as ``self.history``.
        """
        ### BEGIN SOLUTION
        loss_function = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(self.model.parameters(), lr=learning_rate)
        history = {"train_loss": [], "val_loss": [], "train_accuracy": [], "val_accuracy": []}
        num_examples = len(X_train)
        self.model.train()
        for _ in range(epochs):
            order = torch.randperm(num_examples)
            loss_sum, correct = 0.0, 0
            for start in range(0, num_examples, batch_size):
                batch = order[start:start + batch_size]
                X_batch, y_batch = X_train[batch], y_train[batch]
                optimizer.zero_grad()
                logits = self.forward(X_batch)
                loss = loss_function(logits, y_batch)
                loss.backward()
                optimizer.step()
                loss_sum += loss.item() * len(batch)
                correct += (logits.argmax(dim=1) == y_batch).sum().item()
            history["train_loss"].append(loss_sum / num_examples)
            history["train_accuracy"].append(correct / num_examples)
            self.model.eval()
            with torch.no_grad():
                val_logits = torch.cat([self.forward(X_val[start:start + EVAL_CHUNK]) for start in range(0, len(X_val), EVAL_CHUNK)])
            self.model.train()
            history["val_loss"].append(loss_function(val_logits, y_val).item())
            history["val_accuracy"].append((val_logits.argmax(dim=1) == y_val).float().mean().item())
        self.history = history
        return history
        ### END SOLUTION

    def predict(self, X):
        """Most likely class of each input, computed in eval mode without gradients.

        Inputs:
        - X: float32 tensor of inputs (N, ...).

        Returns:
        - int64 tensor (N,) of class indices.
        """
        ### BEGIN SOLUTION
        self.model.eval()
        with torch.no_grad():
            return torch.argmax(self.forward(X), dim=1)
        ### END SOLUTION

    def plot_train_val_metrics(self, train_loss, val_loss, train_accuracy, val_accuracy):
        """Learning curves side by side: losses on the left axes, accuracies on the right.

        Each axes has a "train" and a "validation" curve against the epoch (1, 2, ...), axis
        labels ("epoch"; "loss" or "accuracy"), a title and a legend.

        Inputs:
        - train_loss, val_loss, train_accuracy, val_accuracy: lists of one float per epoch (E,).

        Returns:
        - fig: the matplotlib Figure.
        """
        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4))
        ### BEGIN SOLUTION
        epochs = list(range(1, len(train_loss) + 1))
        for ax, train_values, val_values, name in ((ax_loss, train_loss, val_loss, "loss"), (ax_acc, train_accuracy, val_accuracy, "accuracy")):
            ax.plot(epochs, train_values, marker="o", label="train")
            ax.plot(epochs, val_values, marker="o", label="validation")
            ax.set_xlabel("epoch")
            ax.set_ylabel(name)
            ax.set_title(f"Training and validation {name}")
            ax.legend()
        fig.tight_layout()
        return fig
        ### END SOLUTION

    def report_my_judgement(self):
        """How the network does by the end of training under the grading schedule.

        Returns:
        - one of "underfitting", "overfitting" or "generalizing".
        """
        ### BEGIN SOLUTION
        return "generalizing"
        ### END SOLUTION


def predict_in_chunks(model, X):
    """A model's predicted labels for X (N, ...), computed EVAL_CHUNK examples at a time to bound memory.

    Returns:
    - int64 tensor (N,) of class indices.
    """
    return torch.cat([model.predict(X[start:start + EVAL_CHUNK]) for start in range(0, len(X), EVAL_CHUNK)])


def train_and_report(model, schedule, flatten, plot_file):
    """Train ``model`` with a grading schedule's settings on all training images but the validation ones.

    Prints the metrics of each epoch and the test accuracy, and saves the learning curves.

    Inputs:
    - model: a PyTorchANN (or subclass).
    - schedule: the manifest's [training.<module>] table (learning_rate, epochs, batch_size, val_size).
    - flatten: whether the model takes rows of 784 pixels (True) or (1, 28, 28) images (False).
    - plot_file: file name of the saved figure.
    """
    splits = {name: torch.from_numpy(array) for name, array in
              fashion_mnist_splits(train_size=None, val_size=schedule["val_size"], flatten=flatten).items()}
    history = model.train(splits["X_train"], splits["y_train"], splits["X_val"], splits["y_val"],
                          schedule["epochs"], schedule["batch_size"], schedule["learning_rate"])
    for epoch, values in enumerate(zip(*history.values()), start=1):
        print(f"epoch {epoch}: " + ", ".join(f"{name} {value:.4f}" for name, value in zip(history, values)))
    accuracy = (predict_in_chunks(model, splits["X_test"]) == splits["y_test"]).float().mean().item()
    print(f"test accuracy: {accuracy:.4f}")
    fig = model.plot_train_val_metrics(history["train_loss"], history["val_loss"], history["train_accuracy"], history["val_accuracy"])
    fig.savefig(plot_file)
    print(f"learning curves saved to {plot_file}")


def main():
    """Train a PyTorchANN with the grading schedule's settings (read from ``assignment.toml`` next to this file)."""
    schedule = training_schedule(__file__)
    model = PyTorchANN(28 * 28, schedule["hidden_size"], NUM_CLASSES, schedule["seed"])
    train_and_report(model, schedule, flatten=True, plot_file=PLOT_FILE)


if __name__ == "__main__":
    from utils.local_tests import run_public_tests
    run_public_tests(__file__)
    main()
